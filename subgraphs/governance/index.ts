// The governance subgraph: the hub's audit trail read back for data-governance staff and, through the provincial
// platform, for holders (PIPL's right to know), and the Art 17 emergency suspension of a client. It owns no
// tables: it runs on the gateway's database (GATEWAY_DATABASE_URL, else DATABASE_URL) and reads the gateway's
// schema (store/), which the gateway's migrations create; schema/manifest.ts names its store.
import { openClientChanges } from '../../store/clients/changes.js';
import { readSchemaPolicy } from '../../schema/policy/schema-policy.js';
import { readCommittedSupergraph } from '../../schema/supergraph.js';
import { readUrl } from '../../core/config.js';
import { HrClient } from '../kit/hr-client.js';
import type { Subgraph } from '../kit/subgraph.js';
import { coordinatesBySubgraph } from './compliance.js';
import { createLoaders } from './loaders.js';
import { resolvers, type GovernanceContext } from './resolvers.js';

export const governanceSubgraph: Subgraph<GovernanceContext> = {
  name: 'governance',
  resolvers,
  setup({ db, env }) {
    // The policy the gateway enforces, from the same committed supergraph: coordinates map to the categories
    // callers were told about.
    const policy = readSchemaPolicy(readCommittedSupergraph());
    // Suspensions reach every gateway through the register's change channel: Redis when REDIS_URL is set (the
    // gateways' own), else the gateways in this process; others re-read the register within 30 s.
    const changes = openClientChanges(readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']));
    // hr knows whose ID number is whose and where each holder is registered (HR_URL when the hub started hr first).
    // Which subgraph alone resolves each coordinate: a department's use, in the compliance report (compliance.ts).
    const owned = coordinatesBySubgraph(readCommittedSupergraph());
    const deps: GovernanceContext['deps'] = { db, changes, hr: HrClient.fromEnv(env, 'governance'), policy, owned };
    return {
      context: (caller) => ({ loaders: createLoaders(db), deps, caller }),
      stop: () => changes.close(),
    };
  },
};
