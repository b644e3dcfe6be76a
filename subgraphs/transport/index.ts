// The transport subgraph (交通运输): the transit function, rides, and the turnstile's ride decision.
import { fileURLToPath } from 'node:url';
import { readSubgraphUrl } from '../shared/config.js';
import { HrClient } from '../shared/hr-client.js';
import type { Subgraph } from '../shared/subgraph.js';
import { createLoaders } from './loaders.js';
import { resolvers, type TransportContext } from './resolvers.js';
import { seedTransport } from './seed.js';

export const transportSubgraph: Subgraph<TransportContext> = {
  name: 'transport',
  defaultPort: 4003,
  schemaPath: fileURLToPath(new URL('./schema.graphql', import.meta.url)),
  migrationsFolder: fileURLToPath(new URL('../../migrations/transport', import.meta.url)),
  resolvers,
  setup({ db, env }) {
    const deps = { db, hr: new HrClient(readSubgraphUrl(env, 'hr', 4001)) };
    return { context: () => ({ loaders: createLoaders(db), deps }) };
  },
  seed: seedTransport,
};
