// The governance subgraph: the hub's audit trail read back for data-governance staff and, through the provincial
// platform, for holders (PIPL's right to know), and the Art 17 emergency suspension of a client. It owns no
// tables: it runs on the gateway's database (GATEWAY_DATABASE_URL, else DATABASE_URL) and reads the gateway's
// schema, which the gateway's migrations create (subgraphs/index.ts, storeOf).
import { readFileSync } from 'node:fs';
import { openClientChanges } from '../../gateway/clients/changes.js';
import { readSchemaPolicy } from '../../gateway/policy/schema-policy.js';
import { GATEWAY_STORE } from '../../gateway/store.js';
import { readUrl } from '../shared/config.js';
import { HrClient } from '../shared/hr-client.js';
import type { Subgraph } from '../shared/subgraph.js';
import { createLoaders } from './loaders.js';
import { resolvers, type GovernanceContext } from './resolvers.js';

/** Whose database and migrations governance runs on. */
export const GOVERNANCE_STORE = GATEWAY_STORE;

// The policy the gateway enforces, from the same committed supergraph: coordinates map to the categories callers
// were told about. (Read from the file rather than through schema/compose.ts, which imports every subgraph.)
const SUPERGRAPH = new URL('../../schema/supergraph.graphql', import.meta.url);

export const governanceSubgraph: Subgraph<GovernanceContext> = {
  name: 'governance',
  defaultPort: 4006,
  resolvers,
  setup({ db, env }) {
    const policy = readSchemaPolicy(readFileSync(SUPERGRAPH, 'utf8'));
    // Suspensions reach every gateway through the register's change channel: Redis when REDIS_URL is set (the
    // gateways' own), else the gateways in this process; others re-read the register within 30 s.
    const changes = openClientChanges(readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']));
    // hr knows whose ID number is whose and where each holder is registered (HR_URL when the hub started hr first).
    const deps: GovernanceContext['deps'] = { db, changes, hr: HrClient.fromEnv(env, 'governance'), policy };
    return {
      context: (caller) => ({ loaders: createLoaders(db), deps, caller }),
      stop: () => changes.close(),
    };
  },
};
