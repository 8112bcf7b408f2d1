// @brafa/cli builds its sandbox config with configForSandbox but does not export it from its
// entry yet; until it does, the tests take it from the source. Swap for
// `import { configForSandbox } from '@brafa/cli'` once exported.
export { configForSandbox } from '../../../packages/cli/src/sandbox/config.js';
