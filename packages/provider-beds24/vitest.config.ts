import { brafaProject } from '../../vitest.shared.ts';

export default brafaProject('provider-beds24');
