// The transport subgraph (交通运输): the transit function, rides, and the turnstile's ride decision.
import { HrClient } from '../kit/hr-client.js';
import type { Subgraph } from '../kit/subgraph.js';
import { createLoaders } from './loaders.js';
import { resolvers, type TransportContext } from './resolvers.js';

export const transportSubgraph: Subgraph<TransportContext> = {
  name: 'transport',
  resolvers,
  setup({ db, env }) {
    const deps = { db, hr: HrClient.fromEnv(env, 'transport') };
    return { context: () => ({ loaders: createLoaders(db), deps }) };
  },
};
