// `npm run token -- <clientId> [--ttl 8h]`: prints a bearer token for a client, signed with the gateway's shared
// secret (GATEWAY_JWT_SECRET, or the local one `npm start` uses). For local use: in production an identity
// provider issues tokens, and the gateway verifies them against its keys (GATEWAY_JWKS_FILE / GATEWAY_JWKS_URL).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { OperatorError, readDatabaseConfig, type DatabaseConfig } from '../../core/config.js';
import { openDatabase } from '../../core/database.js';
import { DataFolderInUseError } from '../../core/folder-lock.js';
import { runMain, UsageError } from '../../core/process.js';
import { GATEWAY_MIGRATIONS_FOLDER, GATEWAY_STORE } from '../../store/migrations.js';
import { selectClient } from '../../store/clients/repository.js';
import { readTokenSettings } from '../config.js';
import { DEFAULT_MAX_TOKEN_TTL_SECONDS } from './token-keys.js';
import { signToken } from './tokens.js';

const USAGE = 'Usage: npm run token -- <clientId> [--ttl <duration: 3600, 90s, 30m, 8h, 24h>]';
const UNIT_SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** A --ttl in seconds, up to the longest lifetime the gateway accepts (GATEWAY_TOKEN_MAX_TTL, 24 h by default). */
export function readTtl(raw: string, maxSeconds = DEFAULT_MAX_TOKEN_TTL_SECONDS): number {
  const match = /^(\d{1,7})([smhd]?)$/.exec(raw.trim());
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2]!]! : NaN;
  if (!(seconds > 0 && seconds <= maxSeconds))
    throw new UsageError(
      `--ttl must be a duration from 1s to ${maxSeconds}s (the gateway's GATEWAY_TOKEN_MAX_TTL), got "${raw}"\n${USAGE}`,
    );
  return seconds;
}

runMain(async () => {
  const { values, positionals } = parseArgs({
    options: { ttl: { type: 'string', default: '8h' } },
    allowPositionals: true,
  });
  const clientId = positionals[0];
  if (!clientId || positionals.length > 1 || !/^[a-z0-9-]{2,64}$/.test(clientId)) throw new UsageError(USAGE);
  const settings = readTokenSettings();
  const ttl = readTtl(values.ttl!, settings.maxTtlSeconds);
  const { keys } = settings;
  if (keys.kind !== 'secret')
    throw new UsageError(
      `The gateway verifies tokens with public keys (${keys.variable}); tokens come from the identity provider holding the private keys.`,
    );
  const entry = await lookUpClient(clientId, readDatabaseConfig(GATEWAY_STORE));
  if (!entry.known)
    throw new OperatorError(
      `npm run token: no client "${clientId}" in ${entry.source}; npm run client -- list shows the register (e.g. province, city-440100, dept-hr, governance).`,
    );
  if (entry.status === 'SUSPENDED')
    console.error(`note: ${clientId} is SUSPENDED in the register: the gateway refuses its requests`);
  console.log(await signToken(keys.secret, clientId, settings, ttl));
});

interface Lookup {
  known: boolean;
  status?: string;
  /** Where the answer came from, for the refusal. */
  source: string;
}

/** The demo register as the gateway's migrations create it: ids from their INSERTs. */
function seededClientIds(): Set<string> {
  const ids = new Set<string>();
  for (const file of readdirSync(GATEWAY_MIGRATIONS_FOLDER).filter((f) => f.endsWith('.sql')))
    for (const m of readFileSync(path.join(GATEWAY_MIGRATIONS_FOLDER, file), 'utf8').matchAll(
      /^\s*\('([a-z0-9-]+)', '(?:PROVINCE|CITY|DEPARTMENT|GOVERNANCE)'/gm,
    ))
      ids.add(m[1]!);
  return ids;
}

/**
 * The client as the register knows it, on the gateway's database. Where that cannot be read (an embedded folder a
 * running hub holds, one not yet created, in memory, a database not yet migrated), the demo register the
 * migrations seed.
 */
async function lookUpClient(clientId: string, config: DatabaseConfig): Promise<Lookup> {
  const seeded = (): Lookup => ({ known: seededClientIds().has(clientId), source: 'the demo register' });
  if (config.kind === 'pglite' && (!config.dataDir || !existsSync(path.join(config.dataDir, 'PG_VERSION'))))
    return seeded();
  let database;
  try {
    database = await openDatabase(config);
  } catch (error) {
    if (error instanceof DataFolderInUseError) return seeded();
    throw error;
  }
  try {
    const client = await selectClient(database.db, clientId);
    return { known: client !== undefined, status: client?.status, source: 'the client register' };
  } catch {
    // No register yet (the database was never migrated): the one a first start creates.
    return seeded();
  } finally {
    await database.close();
  }
}
