// Every department subgraph the hub composes. Order matters: hr starts and seeds first, and a department's
// demo data may read the departments listed before it. Adding a department means adding it here.
import { civilAffairsSubgraph } from './civil-affairs/index.js';
import { cultureTourismSubgraph } from './culture-tourism/index.js';
import { healthSubgraph } from './health/index.js';
import { hrSubgraph } from './hr/index.js';
import { transportSubgraph } from './transport/index.js';
import type { Subgraph } from './shared/subgraph.js';

export const SUBGRAPHS: readonly Subgraph[] = [hrSubgraph, healthSubgraph, civilAffairsSubgraph, transportSubgraph, cultureTourismSubgraph];

export function findSubgraph(name: string): Subgraph {
  const subgraph = SUBGRAPHS.find((s) => s.name === name);
  if (!subgraph) throw new Error(`Unknown subgraph "${name}"; known: ${SUBGRAPHS.map((s) => s.name).join(', ')}`);
  return subgraph;
}
