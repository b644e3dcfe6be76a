// Where the schema text lives: each subgraph's SDL (subgraphs/<name>/schema.graphql, with the hub's policy
// directives appended) and the committed supergraph composed from them. Read by file, so whoever reads the
// supergraph (the gateway, governance) loads no department's code.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export const SUPERGRAPH_PATH = path.join(ROOT, 'schema', 'supergraph.graphql');

// The hub's field policy (@sensitive and its enums), which every subgraph must define identically for composition
// to keep it; one file appended to each SDL rather than five copies that could drift.
const POLICY_SDL_PATH = path.join(ROOT, 'schema', 'policy.graphql');

export function readSdl(subgraph: string): string {
  const own = readFileSync(path.join(ROOT, 'subgraphs', subgraph, 'schema.graphql'), 'utf8');
  return `${own.trimEnd()}\n\n${readFileSync(POLICY_SDL_PATH, 'utf8')}`;
}

export function readCommittedSupergraph(): string {
  return readFileSync(SUPERGRAPH_PATH, 'utf8');
}
