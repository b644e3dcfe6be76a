// Composes the supergraph from each subgraph's SDL, in process (no rover, no downloads).
// `npm run compose` writes schema/supergraph.graphql; a test fails when the committed file is stale.
import { composeServices } from '@apollo/composition';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { SUBGRAPHS } from '../subgraphs/index.js';
import { readSubgraphUrl } from '../subgraphs/shared/config.js';
import { readSdl } from '../subgraphs/shared/subgraph.js';

export const SUPERGRAPH_PATH = fileURLToPath(new URL('./supergraph.graphql', import.meta.url));


export function composeSupergraph(): string {
  const result = composeServices(
    // The URLs recorded here are the local defaults; the gateway maps names to configured URLs at run time.
    SUBGRAPHS.map((s) => ({ name: s.name, url: readSubgraphUrl({}, s.name, s.defaultPort), typeDefs: parse(readSdl(s)) })),
  );
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  }
  return result.supergraphSdl.trimEnd() + '\n';
}

export function readCommittedSupergraph(): string {
  return readFileSync(SUPERGRAPH_PATH, 'utf8');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SUPERGRAPH_PATH, composeSupergraph());
  console.log(`wrote ${SUPERGRAPH_PATH}`);
}
