// The civil affairs subgraph (民政): preferential certificates and relief entitlements.
import { HrClient } from '../shared/hr-client.js';
import type { Subgraph } from '../shared/subgraph.js';
import { createLoaders } from './loaders.js';
import { resolvers, type CivilAffairsContext } from './resolvers.js';
import { seedCivilAffairs } from './seed.js';

export const civilAffairsSubgraph: Subgraph<CivilAffairsContext> = {
  name: 'civil-affairs',
  defaultPort: 4004,
  resolvers,
  setup({ db, env }) {
    const deps = { db, hr: HrClient.fromEnv(env, 'civil-affairs') };
    return { context: () => ({ loaders: createLoaders(db), deps }) };
  },
  seed: seedCivilAffairs,
};
