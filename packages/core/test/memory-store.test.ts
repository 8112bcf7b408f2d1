import { describeStoreConformance, MemoryStore } from '../src/testing/index.js';

describeStoreConformance('memory', { create: async () => new MemoryStore() });
