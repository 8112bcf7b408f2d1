import { brafaProject } from '../../vitest.shared.ts';

export default brafaProject('example-embed', { testTimeout: 60_000 });
