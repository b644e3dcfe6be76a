// The code behind each subgraph of schema/manifest.ts, loaded on demand: a department running its own subgraph
// (`npm run subgraph -- <name>`) loads its code alone, and the gateway, which reads only the manifest, none.
import { findSubgraphEntry, type SubgraphEntry, type SubgraphName } from '../schema/manifest.js';
import type { Subgraph } from './kit/subgraph.js';

const IMPLEMENTATIONS: Record<SubgraphName, () => Promise<Subgraph>> = {
  hr: async () => (await import('./hr/index.js')).hrSubgraph,
  health: async () => (await import('./health/index.js')).healthSubgraph,
  'civil-affairs': async () => (await import('./civil-affairs/index.js')).civilAffairsSubgraph,
  transport: async () => (await import('./transport/index.js')).transportSubgraph,
  'culture-tourism': async () => (await import('./culture-tourism/index.js')).cultureTourismSubgraph,
  'public-security': async () => (await import('./public-security/index.js')).publicSecuritySubgraph,
  catalog: async () => (await import('./catalog/index.js')).catalogSubgraph,
  governance: async () => (await import('./governance/index.js')).governanceSubgraph,
};

/** A subgraph's manifest entry and its implementation; an unknown name fails naming the known ones. */
export async function loadSubgraph(name: string): Promise<Subgraph & SubgraphEntry> {
  const entry = findSubgraphEntry(name);
  const subgraph = await IMPLEMENTATIONS[entry.name as SubgraphName]();
  if (subgraph.name !== entry.name)
    throw new Error(`subgraphs/registry.ts: "${entry.name}" loads the ${subgraph.name} subgraph`);
  return { ...subgraph, ...entry };
}
