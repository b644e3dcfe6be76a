// Opens the database of every subgraph, and of the gateway's own store (an entry named `gateway`), once per
// distinct configuration: those sharing DATABASE_URL share a pool, and embedded they share one PGlite (a PGlite
// folder serves one process at a time). A subgraph without a store of its own (governance) gets the migrations of
// the store it reads (schema/manifest.ts).
import { GATEWAY_STORE, migrateGatewayDatabase } from '../store/migrations.js';
import { migrationsFolderOf, ownsStore, storeOf, SUBGRAPHS } from '../schema/manifest.js';
import type { DatabaseConfig } from '../core/config.js';
import { openDatabase, type Database } from '../core/database.js';
import { yieldToEventLoop } from '../core/process.js';
import type { SeedRunOptions } from '../seed/seeding.js';

export interface SubgraphDatabases {
  of(subgraph: string): Database;
  /** Each distinct database, with the subgraphs it serves. */
  all: { database: Database; subgraphs: string[] }[];
  /**
   * Applies every subgraph's migrations to its database, then the gateway's to each database an entry needs them
   * on (the gateway's own, and governance's).
   */
  migrate(): Promise<void>;
  /**
   * Fills each subgraph's empty tables with deterministic demo data, a department per transaction; `signal` stops
   * it at the next batch, the department under way rolled back.
   */
  seed(options: SeedRunOptions): Promise<void>;
  close(): Promise<void>;
}

export async function openSubgraphDatabases(
  configs: { name: string; database: DatabaseConfig }[],
): Promise<SubgraphDatabases> {
  const byKey = new Map<string, { database: Database; subgraphs: string[] }>();
  const close = async () => {
    for (const { database } of byKey.values())
      await database.close().catch((e: unknown) => console.error('database close failed', e));
  };
  try {
    for (const c of configs) {
      const key = JSON.stringify(c.database);
      if (!byKey.has(key)) byKey.set(key, { database: await openDatabase(c.database), subgraphs: [] });
      byKey.get(key)!.subgraphs.push(c.name);
    }
  } catch (error) {
    await close();
    throw error;
  }
  const of = (name: string) => {
    const entry = [...byKey.values()].find((d) => d.subgraphs.includes(name));
    if (!entry) throw new Error(`No database opened for subgraph ${name}`);
    return entry.database;
  };
  return {
    of,
    all: [...byKey.values()],
    async migrate() {
      for (const s of SUBGRAPHS)
        if (ownsStore(s.name) && configs.some((c) => c.name === s.name)) await migrateStoreOf(s.name, of(s.name));
      const gatewayDatabases = new Set(configs.filter((c) => storeOf(c.name) === GATEWAY_STORE).map((c) => of(c.name)));
      for (const database of gatewayDatabases) await migrateGatewayDatabase(database);
    },
    async seed(options) {
      // Registry order: a department's demo data reads that of the departments listed before it.
      // Under each database's seed lock: replicas starting together on an empty database seed it once (the
      // second finds the data and leaves it).
      // Loaded only when seeding: a subgraph run alone migrates through this module and loads no demo data.
      const { SEEDS } = await import('../seed/index.js');
      for (const s of SUBGRAPHS) {
        const seed = SEEDS[s.name];
        if (!seed || !configs.some((c) => c.name === s.name)) continue;
        await yieldToEventLoop();
        options.signal?.throwIfAborted();
        await of(s.name).exclusively(`seed:${s.name}`, () => seed(of(s.name), { ...options, databaseOf: of }));
      }
    },
    close,
  };
}

/** Applies the migrations a subgraph's database needs: its own store's, or those of the store it reads (governance: the gateway's). */
export function migrateStoreOf(subgraph: string, database: Database): Promise<void> {
  // The gateway's store too: its migrations are migrations/gateway, like any store's.
  const store = storeOf(subgraph);
  return database.migrate(store, migrationsFolderOf(store));
}
