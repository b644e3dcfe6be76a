// The one database factory: real PostgreSQL through postgres.js when a URL is configured, embedded PGlite
// otherwise. Both are handed to the subgraphs as the same drizzle `PgDatabase`, so no repository knows which.
import { PGlite } from '@electric-sql/pglite';
import { sql, type Logger, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { mkdirSync } from 'node:fs';
import postgres from 'postgres';
import type { DatabaseConfig } from './config.js';

export type Db = PgDatabase<PgQueryResultHKT>;

/** Plain rows of a raw `db.execute`, whichever driver ran it: PGlite answers `{ rows }`, postgres.js an array. */
export async function rowsOf<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? [...result] : result.rows;
}
export type DatabaseDriver = DatabaseConfig['kind'];

export interface Database {
  readonly db: Db;
  readonly driver: DatabaseDriver;
  /** Another drizzle handle on the same connection, e.g. with a logger that counts one subgraph's statements. */
  handle(logger: Logger): Db;
  /** Applies one domain's drizzle-kit migrations; safe to call from several processes at once. */
  migrate(domain: string, migrationsFolder: string): Promise<void>;
  /**
   * Runs `work` while holding a lock named `name` that every process on this database respects (a PostgreSQL
   * advisory lock; embedded, one process owns the database anyway): replicas starting together take turns.
   */
  exclusively<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Throws unless the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// Each domain tracks its own migrations, so a department's database holds only its schema's history.
const MIGRATIONS_SCHEMA = 'drizzle';
const migrationsTable = (domain: string) => `migrations_${domain.replace(/-/g, '_')}`;

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  const database = config.kind === 'postgres' ? await openPostgres(config.url) : await openPglite(config.dataDir);
  // Closing twice (a failed start's clean-up, then the caller's) is harmless.
  let closing: Promise<void> | undefined;
  return { ...database, close: () => (closing ??= database.close()) };
}

async function openPostgres(url: string): Promise<Database> {
  // Notices ("schema already exists, skipping") are noise in a server log.
  const client = postgres(url, { max: 10, onnotice: () => {} });
  const db = drizzlePostgres({ client });
  const exclusively = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const lock = await client.reserve();
    try {
      await lock`select pg_advisory_lock(hashtext(${`ykt-hub:${name}`}))`;
      return await work();
    } finally {
      await lock`select pg_advisory_unlock(hashtext(${`ykt-hub:${name}`}))`.catch(() => {});
      lock.release();
    }
  };
  return {
    db,
    driver: 'postgres',
    handle: (logger) => drizzlePostgres({ client, logger }),
    exclusively,
    async migrate(domain, migrationsFolder) {
      // Several processes (test files, subgraph replicas) may start together: one migrates, the others wait.
      await exclusively(`migrate:${domain}`, () =>
        migratePostgres(db, {
          migrationsFolder,
          migrationsSchema: MIGRATIONS_SCHEMA,
          migrationsTable: migrationsTable(domain),
        }),
      );
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

async function openPglite(dataDir: string | null): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = dataDir ? new PGlite(dataDir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite({ client });
  const turns = new Map<string, Promise<unknown>>();
  // One process owns an embedded database: taking turns within the process is enough.
  const exclusively = <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const turn = (turns.get(name) ?? Promise.resolve()).then(work);
    turns.set(
      name,
      turn.catch(() => {}),
    );
    return turn;
  };
  return {
    db,
    driver: 'pglite',
    handle: (logger) => drizzlePglite({ client, logger }),
    exclusively,
    async migrate(domain, migrationsFolder) {
      await exclusively(`migrate:${domain}`, () =>
        migratePglite(db, {
          migrationsFolder,
          migrationsSchema: MIGRATIONS_SCHEMA,
          migrationsTable: migrationsTable(domain),
        }),
      );
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await client.close();
    },
  };
}

/** Counts the SQL statements issued through a handle: the batching tests and the benchmark read it. */
export class StatementCounter implements Logger {
  count = 0;
  logQuery(): void {
    this.count++;
  }
}
