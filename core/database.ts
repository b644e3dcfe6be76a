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
import { OperatorError, type DatabaseConfig } from './config.js';
import { lockDataFolder } from './folder-lock.js';

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

/** Seconds a PostgreSQL connection attempt may take (below the gateway's 5 s subgraph timeout). */
const CONNECT_TIMEOUT_S = 3;
/** Seconds between reconnection attempts at most, while the database is away. */
const RECONNECT_MAX_S = 0.2;

export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  const database =
    config.kind === 'postgres' ? await openPostgres(config.url, config.source) : await openPglite(config.dataDir);
  // Closing twice (a failed start's clean-up, then the caller's) is harmless.
  let closing: Promise<void> | undefined;
  return { ...database, close: () => (closing ??= database.close()) };
}

async function openPostgres(url: string, variable: string): Promise<Database> {
  // Notices ("schema already exists, skipping") are noise in a server log. A connection attempt gives up after
  // CONNECT_TIMEOUT_S (postgres.js waits 30 s by default), and failed attempts are retried after at most
  // RECONNECT_MAX_S (postgres.js backs off up to 20 s, and queries waiting for a connection wait that long): a
  // database away fails a query within the gateway's subgraph timeout, and service resumes by itself when it returns.
  const client = postgres(url, {
    max: 10,
    onnotice: () => {},
    connect_timeout: CONNECT_TIMEOUT_S,
    backoff: (retries: number) => Math.min(0.01 * 2 ** retries, RECONNECT_MAX_S),
  });
  const db = drizzlePostgres({ client });
  // postgres.js connects on the first query: try one now, so a wrong URL is told as such before anything runs.
  try {
    await client`select 1`;
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => {});
    throw unreachable(error, url, variable);
  }
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
  // Before PGlite touches the folder: a second process is refused with nothing read or written.
  const unlock = dataDir ? await lockDataFolder(dataDir) : async () => {};
  let client: PGlite;
  try {
    client = dataDir ? new PGlite(dataDir) : new PGlite();
    await client.waitReady;
  } catch (error) {
    await unlock();
    throw dataDir ? unopenable(dataDir, error) : error;
  }
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
      try {
        await client.close();
      } finally {
        await unlock();
      }
    },
  };
}

/** URL without its password, for a message. */
function shown(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

/** A database that would not answer, told in one line: which variable, what was tried, what to do. */
function unreachable(error: unknown, url: string, variable: string): Error {
  const e = error as { code?: string; message?: string };
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username) || 'postgres';
  const hint: Record<string, string> = {
    '3D000': `create it (createdb -h ${u.hostname} -p ${u.port || 5432}${u.username ? ` -U ${decodeURIComponent(u.username)}` : ''} ${database}) or name an existing one`,
    '28000': `create the role (createuser …) or name an existing one in the URL`,
    '28P01': 'check the password in the URL',
    ECONNREFUSED: `start PostgreSQL there, or correct the host and port`,
    ENOTFOUND: 'correct the host name',
    ETIMEDOUT: 'check that the host is reachable and PostgreSQL listens there',
    CONNECT_TIMEOUT: 'check that the host is reachable and PostgreSQL listens there',
  };
  const what = e.code && hint[e.code] ? hint[e.code] : 'check the URL';
  return new OperatorError(
    `${variable}: cannot use PostgreSQL at ${shown(url)}: ${e.message ?? String(error)}; ${what}, or unset ${variable} to run embedded.`,
  );
}

/** A PGlite folder that does not open (a crash or a second process left it without a valid checkpoint). */
function unopenable(dataDir: string, error: unknown): Error {
  const cause = error instanceof Error ? `${error.name}: ${error.message.split('.')[0]}` : String(error);
  return new OperatorError(
    `The embedded database in ${dataDir} does not open (PGlite: ${cause}): it was left damaged. Move it aside ` +
      `(mv ${dataDir} ${dataDir}.damaged) and run npm run seed for a fresh one; the damaged folder keeps the old data ` +
      `for whoever recovers it.`,
  );
}

/** Counts the SQL statements issued through a handle: the batching tests and the benchmark read it. */
export class StatementCounter implements Logger {
  count = 0;
  logQuery(): void {
    this.count++;
  }
}
