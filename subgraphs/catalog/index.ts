// The catalog subgraph: the provincial and city application catalogs (Art 6) and the register of the credentials
// departments issue, with the attempts refused as duplicating the card (Art 18, read by governance's report).
import type { Subgraph } from '../kit/subgraph.js';
import { createLoaders } from './loaders.js';
import { resolvers, type CatalogContext } from './resolvers.js';

export const catalogSubgraph: Subgraph<CatalogContext> = {
  name: 'catalog',
  resolvers,
  setup({ db }) {
    const deps = { db };
    return { context: (caller) => ({ loaders: createLoaders(db), deps, caller }) };
  },
};
