import { brafaProject } from '../../vitest.shared.ts';

export default brafaProject('core');
