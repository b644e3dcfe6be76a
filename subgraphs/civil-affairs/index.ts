// The civil affairs subgraph (民政): preferential certificates and relief entitlements.
import { fileURLToPath } from 'node:url';
import { readSubgraphUrl } from '../shared/config.js';
import { HrClient } from '../shared/hr-client.js';
import type { Subgraph } from '../shared/subgraph.js';
import { createLoaders } from './loaders.js';
import { resolvers, type CivilAffairsContext } from './resolvers.js';
import { seedCivilAffairs } from './seed.js';

export const civilAffairsSubgraph: Subgraph<CivilAffairsContext> = {
  name: 'civil-affairs',
  defaultPort: 4004,
  schemaPath: fileURLToPath(new URL('./schema.graphql', import.meta.url)),
  migrationsFolder: fileURLToPath(new URL('../../migrations/civil-affairs', import.meta.url)),
  resolvers,
  setup({ db, env }) {
    const deps = { db, hr: new HrClient(readSubgraphUrl(env, 'hr', 4001)) };
    return { context: () => ({ loaders: createLoaders(db), deps }) };
  },
  seed: seedCivilAffairs,
};
