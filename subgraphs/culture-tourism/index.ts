// The culture and tourism subgraph (文化和旅游, Art 7(5)): venues that take the card, admissions and library loans.
import { HrClient } from '../kit/hr-client.js';
import type { Subgraph } from '../kit/subgraph.js';
import type { CultureTourismDeps } from './commands.js';
import { createLoaders } from './loaders.js';
import { resolvers, type CultureTourismContext } from './resolvers.js';

export const cultureTourismSubgraph: Subgraph<CultureTourismContext> = {
  name: 'culture-tourism',
  resolvers,
  setup({ db, env }) {
    // hr owns cards: every write checks the cards it names there (HR_URL when the hub started hr first).
    const deps: CultureTourismDeps = { db, hr: HrClient.fromEnv(env, 'culture-tourism') };
    return { context: () => ({ loaders: createLoaders(db), deps }) };
  },
};
