// The transport subgraph (交通运输): the transit function, rides, and the turnstile's ride decision.
import { HrClient } from '../shared/hr-client.js';
import type { Subgraph } from '../shared/subgraph.js';
import { createLoaders } from './loaders.js';
import { resolvers, type TransportContext } from './resolvers.js';
import { seedTransport } from './seed.js';

export const transportSubgraph: Subgraph<TransportContext> = {
  name: 'transport',
  defaultPort: 4003,
  resolvers,
  setup({ db, env }) {
    const deps = { db, hr: HrClient.fromEnv(env, 'transport') };
    return { context: () => ({ loaders: createLoaders(db), deps }) };
  },
  seed: seedTransport,
};
