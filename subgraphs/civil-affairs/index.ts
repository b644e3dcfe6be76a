// The civil affairs subgraph (民政): preferential certificates and relief entitlements.
import { HrClient } from '../kit/hr-client.js';
import type { Subgraph } from '../kit/subgraph.js';
import { createLoaders } from './loaders.js';
import { resolvers, type CivilAffairsContext } from './resolvers.js';

export const civilAffairsSubgraph: Subgraph<CivilAffairsContext> = {
  name: 'civil-affairs',
  resolvers,
  setup({ db, env }) {
    const deps = { db, hr: HrClient.fromEnv(env, 'civil-affairs') };
    return { context: () => ({ loaders: createLoaders(db), deps }) };
  },
};
