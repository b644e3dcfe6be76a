// Every subgraph the hub composes. Order matters: hr starts and seeds first, and a department's demo data may read
// the departments listed before it; governance, which reads the audit trail and asks hr, comes last. Adding a
// department means adding it here.
import { civilAffairsSubgraph } from './civil-affairs/index.js';
import { cultureTourismSubgraph } from './culture-tourism/index.js';
import { GOVERNANCE_STORE, governanceSubgraph } from './governance/index.js';
import { healthSubgraph } from './health/index.js';
import { hrSubgraph } from './hr/index.js';
import { transportSubgraph } from './transport/index.js';
import type { Subgraph } from './shared/subgraph.js';

export const SUBGRAPHS: readonly Subgraph[] = [hrSubgraph, healthSubgraph, civilAffairsSubgraph, transportSubgraph, cultureTourismSubgraph, governanceSubgraph];

/**
 * Subgraphs that own no tables and run on another store's database and migrations: governance reads the
 * gateway's audit trail and register. Every other subgraph is its own store (schema, migrations/<name>,
 * `<NAME>_DATABASE_URL`).
 */
const BORROWED_STORES: Readonly<Record<string, string>> = { [governanceSubgraph.name]: GOVERNANCE_STORE };

/** The store whose database a subgraph runs on and whose migrations it needs: its own name, or the one it borrows. */
export function storeOf(subgraph: string): string {
  return BORROWED_STORES[subgraph] ?? subgraph;
}

/** Whether a subgraph owns tables of its own (migrations/<name>, drizzle-kit generation, seeding). */
export const ownsStore = (subgraph: string) => storeOf(subgraph) === subgraph;

export function findSubgraph(name: string): Subgraph {
  const subgraph = SUBGRAPHS.find((s) => s.name === name);
  if (!subgraph) throw new Error(`Unknown subgraph "${name}"; known: ${SUBGRAPHS.map((s) => s.name).join(', ')}`);
  return subgraph;
}
