import { brafaProject } from '../../vitest.shared.ts';

export default brafaProject('example-cron-sync', { testTimeout: 60_000 });
