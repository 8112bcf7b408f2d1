import { describeEngineConformance, MemoryStore } from '../src/testing/index.js';

describeEngineConformance('in-memory store', { create: async () => new MemoryStore() });
