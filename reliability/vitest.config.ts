import { brafaProject } from '../vitest.shared.ts';

export default brafaProject('reliability', { testTimeout: 300_000 });
