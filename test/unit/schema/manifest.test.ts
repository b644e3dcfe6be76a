// The manifest is the only description of the subgraphs the gateway and composition read; the registry and the
// seeds must agree with it, or a department would be composed but never served, or served but never seeded.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findSubgraphEntry, migrationsFolderOf, ownsStore, storeOf, SUBGRAPHS } from '../../../schema/manifest.js';
import { readSdl } from '../../../schema/supergraph.js';
import { SEEDS } from '../../../seed/index.js';
import { loadSubgraph } from '../../../subgraphs/registry.js';

describe('the subgraph manifest', () => {
  it('names each subgraph once, each on a port of its own', () => {
    expect(new Set(SUBGRAPHS.map((s) => s.name)).size).toBe(SUBGRAPHS.length);
    expect(new Set(SUBGRAPHS.map((s) => s.defaultPort)).size).toBe(SUBGRAPHS.length);
    expect(SUBGRAPHS.map((s) => s.defaultPort)).not.toContain(4000);
  });

  it('has a loadable implementation of the same name, and an SDL, behind every entry', async () => {
    for (const entry of SUBGRAPHS) {
      const subgraph = await loadSubgraph(entry.name);
      expect(subgraph.name).toBe(entry.name);
      expect(subgraph.defaultPort).toBe(entry.defaultPort);
      expect(readSdl(entry.name)).toContain('@sensitive');
    }
    await expect(loadSubgraph('tax')).rejects.toThrow('Unknown subgraph "tax"; known: hr, health');
  });

  it('gives every store its migrations, and seeds exactly the subgraphs that own tables', () => {
    for (const entry of SUBGRAPHS) expect(existsSync(migrationsFolderOf(entry.store)), entry.store).toBe(true);
    expect(Object.keys(SEEDS).sort()).toEqual(
      SUBGRAPHS.filter((s) => ownsStore(s.name))
        .map((s) => s.name)
        .sort(),
    );
    expect(storeOf('governance')).toBe('gateway');
    expect(storeOf('gateway')).toBe('gateway');
    expect(() => findSubgraphEntry('tax')).toThrow('Unknown subgraph');
  });
});
