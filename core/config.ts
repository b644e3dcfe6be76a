// The one place a subgraph process reads its environment. Everything is validated at start, and a bad value
// fails with a message naming the variable, rather than surfacing later as a confusing runtime error.
import path from 'node:path';
import { localSecret } from './local-secrets.js';

export type Env = Record<string, string | undefined>;

/**
 * A failure the operator can act on (a wrong setting, a folder in use, a port taken): a command prints its message,
 * one line saying what is wrong and what to do, without a stack trace.
 */
export class OperatorError extends Error {
  override name = 'OperatorError';
}

export class ConfigError extends OperatorError {
  constructor(variable: string, problem: string) {
    super(`Configuration error in ${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Whether `error` is meant for the operator as its message alone. */
export const isOperatorError = (error: unknown): error is OperatorError => error instanceof OperatorError;

/** Where a subgraph keeps its tables: a real PostgreSQL, or embedded PGlite (on disk, or in memory). */
export type DatabaseConfig =
  { kind: 'postgres'; url: string; source: string } | { kind: 'pglite'; dataDir: string | null };

export function readPort(env: Env, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(variable, `expected a port number from 0 to 65535, got "${raw}"`);
  }
  return port;
}

/** Where a server listens: `HOST`, by default this machine only. */
export function readHost(env: Env): string {
  const host = env.HOST || '127.0.0.1';
  if (!/^[\w.:-]+$/.test(host)) throw new ConfigError('HOST', `"${host}" is not a host name or address`);
  return host;
}

export function readPositiveInt(env: Env, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(variable, `expected a positive whole number, got "${raw}"`);
  return n;
}

export function readUrl(env: Env, variable: string, protocols: string[]): string | undefined {
  const raw = env[variable];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, 'not a valid URL');
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(variable, `expected a ${protocols.join(' or ')} URL, got "${url.protocol}"`);
  }
  return raw;
}

/** `civil-affairs` → `CIVIL_AFFAIRS`, the prefix of a subgraph's own variables. */
export function envPrefix(domain: string): string {
  return domain.toUpperCase().replace(/-/g, '_');
}

/** Where a subgraph answers: `<DOMAIN>_URL`, else its default port on this machine. */
export function readSubgraphUrl(env: Env, domain: string, defaultPort: number): string {
  return readUrl(env, `${envPrefix(domain)}_URL`, ['http:', 'https:']) ?? `http://127.0.0.1:${defaultPort}/graphql`;
}

const POSTGRES_PROTOCOLS = ['postgres:', 'postgresql:'];

/**
 * The embedded data folder, stated once: `npm start`, `npm run gateway`, `npm run seed`, `npm run migrate`,
 * `npm run client` and `npm run audit:verify` all open it unless PGLITE_DATA_DIR says otherwise (a subgraph run
 * alone, `npm run subgraph`, keeps a folder of its own).
 */
export const DEFAULT_DATA_DIR = '.data/pglite';

/**
 * A subgraph's database: `<DOMAIN>_DATABASE_URL` lets a department run its subgraph on its own database;
 * otherwise the hub-wide `DATABASE_URL`; with neither, embedded PGlite under `PGLITE_DATA_DIR`
 * (`memory` keeps it in memory, as the tests do).
 */
export function readDatabaseConfig(
  domain: string,
  env: Env = process.env,
  defaultDataDir = DEFAULT_DATA_DIR,
): DatabaseConfig {
  const own = `${envPrefix(domain)}_DATABASE_URL`;
  for (const variable of [own, 'DATABASE_URL']) {
    const url = readUrl(env, variable, POSTGRES_PROTOCOLS);
    if (url) return { kind: 'postgres', url, source: variable };
  }
  const dir = env.PGLITE_DATA_DIR || defaultDataDir;
  return { kind: 'pglite', dataDir: dir === 'memory' ? null : path.resolve(dir) };
}

/**
 * How long an embedded folder's lock that stopped being refreshed counts as held when its holder's pid cannot be
 * checked (another host): PGLITE_LOCK_STALE_MS, default 60 s, at least 2 s (proper-lockfile's floor).
 */
export const readFolderLockStaleMs = (env: Env = process.env): number =>
  Math.max(2000, readPositiveInt(env, 'PGLITE_LOCK_STALE_MS', 60_000));

export interface HrSettings {
  /** Days after which a temporary loss report lapses and the card is usable again. */
  temporaryLossDays: number;
}

export function readHrSettings(env: Env = process.env): HrSettings {
  return { temporaryLossDays: readPositiveInt(env, 'HR_TEMPORARY_LOSS_DAYS', 5) };
}

/** At least this long: a shared secret guessed is every holder's data read. */
export const MIN_SECRET_LENGTH = 32;

/** A secret from `variable`, at least MIN_SECRET_LENGTH characters; unset, undefined. */
export function readSecret(env: Env, variable: string): string | undefined {
  const raw = env[variable];
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < MIN_SECRET_LENGTH)
    throw new ConfigError(variable, `expected at least ${MIN_SECRET_LENGTH} characters`);
  return raw;
}

/**
 * `SUBGRAPH_SECRET`: shared by the gateway and every subgraph; the gateway signs each subgraph call with it and a
 * subgraph refuses calls that are not signed. Unset, a local one (.data/local-secrets.json).
 */
export function readSubgraphSecret(env: Env = process.env): string {
  return readSecret(env, 'SUBGRAPH_SECRET') ?? localSecret('subgraphSecret', 'SUBGRAPH_SECRET');
}
