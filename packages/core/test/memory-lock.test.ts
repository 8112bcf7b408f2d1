import { describeLockProviderConformance, MemoryLock } from '../src/testing/index.js';

describeLockProviderConformance('memory', { create: async () => ({ lock: new MemoryLock(), lockId: 'L1' }) });
