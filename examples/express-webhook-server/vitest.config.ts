import { brafaProject } from '../../vitest.shared.ts';

export default brafaProject('example-express-webhook-server', { testTimeout: 60_000 });
