// The health subgraph (卫生健康, Art 7(3)): medical visits and their settlements, and the index of medical records.
import { HrClient } from '../kit/hr-client.js';
import type { Subgraph } from '../kit/subgraph.js';
import type { HealthDeps } from './commands.js';
import { createLoaders } from './loaders.js';
import { resolvers, type HealthContext } from './resolvers.js';

export const healthSubgraph: Subgraph<HealthContext> = {
  name: 'health',
  resolvers,
  setup({ db, env }) {
    // Writes name holders by id or card; hr, which owns both, confirms them.
    const deps: HealthDeps = { db, hr: HrClient.fromEnv(env, 'health') };
    return { context: () => ({ loaders: createLoaders(db), deps }) };
  },
};
