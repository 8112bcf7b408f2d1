export { ConfigError, loadConfig, parseConfig, substituteEnv } from './config/load.js';
export { type BrafaConfig, configSchema, type PropertyConfig } from './config/schema.js';
export { main } from './main.js';
export { type CliIO, processIO, Reporter } from './output/reporter.js';
export {
  applyConfig,
  openRuntime,
  type Runtime,
  type RuntimeOptions,
  secretsOf,
  toProperty,
} from './runtime.js';
export { configForSandbox, type SandboxConfigOptions } from './sandbox/config.js';
export { type Service, type ServiceOptions, startService } from './serve/server.js';
