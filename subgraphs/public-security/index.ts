// The public security subgraph (公安): electronic licences linked to the holder (Art 9), a driving licence and the
// resident ID card's validity, which offices check against the card presented instead of asking for paper copies.
import { HrClient } from '../kit/hr-client.js';
import type { Subgraph } from '../kit/subgraph.js';
import { createLoaders } from './loaders.js';
import { resolvers, type PublicSecurityContext } from './resolvers.js';

export const publicSecuritySubgraph: Subgraph<PublicSecurityContext> = {
  name: 'public-security',
  resolvers,
  setup({ db, env }) {
    const deps = { db, hr: HrClient.fromEnv(env, 'public-security') };
    return { context: () => ({ loaders: createLoaders(db, deps.hr), deps }) };
  },
};
