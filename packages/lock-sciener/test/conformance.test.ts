import { describeLockProviderConformance } from '@brafa/core/testing';
import { createRig, useMswServer } from './support/setup.js';

const server = useMswServer();

describeLockProviderConformance('sciener', {
  create: async () => {
    const { lock } = createRig(server);
    return { lock, lockId: '101' };
  },
});
