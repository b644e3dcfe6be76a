// Composes the supergraph from each subgraph's SDL, in process (no rover, no downloads).
// `npm run compose` writes schema/supergraph.graphql; a test fails when the committed file is stale.
import { composeServices } from '@apollo/composition';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { readSubgraphUrl } from '../core/config.js';
import { SUBGRAPHS } from './manifest.js';
import { readSchemaPolicy } from './policy/schema-policy.js';
import { readSdl, SUPERGRAPH_PATH } from './supergraph.js';

export function composeSupergraph(): string {
  const result = composeServices(
    // The URLs recorded here are the local defaults; the gateway maps names to configured URLs at run time.
    SUBGRAPHS.map((s) => ({
      name: s.name,
      url: readSubgraphUrl({}, s.name, s.defaultPort),
      typeDefs: parse(readSdl(s.name)),
    })),
  );
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  }
  // Composition only hints when subgraphs annotate a shared field with different @sensitive arguments, and keeps
  // one subgraph's: a policy nobody chose. Fail instead.
  const policyConflicts = result.hints.filter(
    (h) => h.definition.code === 'INCONSISTENT_NON_REPEATABLE_DIRECTIVE_ARGUMENTS' && h.message.includes('@sensitive'),
  );
  if (policyConflicts.length > 0) {
    throw new Error(`Composition failed:\n${policyConflicts.map((h) => `- ${h.message}`).join('\n')}`);
  }
  // An annotation the gateway could not enforce (a non-null field refused, say) fails here, not at the gateway's start.
  readSchemaPolicy(result.supergraphSdl);
  return result.supergraphSdl.trimEnd() + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SUPERGRAPH_PATH, composeSupergraph());
  console.log(`wrote ${SUPERGRAPH_PATH}`);
}
