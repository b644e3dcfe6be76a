// The one place the gateway reads its environment (hub/config.ts builds on it); validated at start, and a bad
// value fails with a message naming the variable.
import {
  ConfigError,
  readDatabaseConfig,
  readHost,
  readPort,
  readPositiveInt,
  readSecret,
  readSubgraphSecret,
  readSubgraphUrl,
  readUrl,
  type DatabaseConfig,
  type Env,
} from '../core/config.js';
import { localSecret } from '../core/local-secrets.js';
import { SUBGRAPHS } from '../schema/manifest.js';
import type { TokenKeys, TokenSettings } from './auth/token-keys.js';

export interface GatewayConfig {
  host: string;
  port: number;
  /** Where each subgraph answers, by name: `<DOMAIN>_URL`, else its default local port. */
  subgraphUrls: Record<string, string>;
  /** Shared state across gateway instances; without it the gateway keeps its state in process. */
  redisUrl: string | undefined;
  /** Operations nested deeper than this are refused before any subgraph is called. */
  maxDepth: number;
  /** How callers' tokens are verified. */
  tokens: TokenSettings;
  /** Signs every subgraph call (SUBGRAPH_SECRET). */
  subgraphSecret: string;
  /** The gateway's own tables (the client register): GATEWAY_DATABASE_URL, else DATABASE_URL, else PGlite. */
  database: DatabaseConfig;
}

export const readRedisUrl = (env: Env) => readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']);

/** `GATEWAY_MAX_DEPTH`: how deeply an operation's fields may nest (12 by default). */
export const readMaxDepth = (env: Env) => readPositiveInt(env, 'GATEWAY_MAX_DEPTH', 12);

/**
 * Exactly one of `GATEWAY_JWT_SECRET` (HS256, at least 32 characters), `GATEWAY_JWKS_FILE` and `GATEWAY_JWKS_URL`;
 * with none, the local secret `npm run token` signs with (.data/local-secrets.json). `GATEWAY_JWT_AUDIENCE`: the
 * `aud` tokens must carry, `ykt-hub` by default; `GATEWAY_JWT_ISSUER`, when set, the `iss` they must carry.
 */
export function readTokenSettings(env: Env = process.env): TokenSettings {
  const given = ['GATEWAY_JWT_SECRET', 'GATEWAY_JWKS_FILE', 'GATEWAY_JWKS_URL'].filter((v) => env[v]);
  if (given.length > 1) throw new ConfigError(given[1]!, `set only one of ${given.join(' and ')}`);
  let keys: TokenKeys;
  const secret = readSecret(env, 'GATEWAY_JWT_SECRET');
  const jwksUrl = readUrl(env, 'GATEWAY_JWKS_URL', ['https:', 'http:']);
  if (secret) keys = { kind: 'secret', secret, variable: 'GATEWAY_JWT_SECRET' };
  else if (env.GATEWAY_JWKS_FILE)
    keys = { kind: 'jwks-file', path: env.GATEWAY_JWKS_FILE, variable: 'GATEWAY_JWKS_FILE' };
  else if (jwksUrl) keys = { kind: 'jwks-url', url: jwksUrl, variable: 'GATEWAY_JWKS_URL' };
  else
    keys = { kind: 'secret', secret: localSecret('jwtSecret', 'GATEWAY_JWT_SECRET'), variable: 'GATEWAY_JWT_SECRET' };
  const audience = env.GATEWAY_JWT_AUDIENCE || 'ykt-hub';
  if (!/^[\w.:/-]{1,200}$/.test(audience))
    throw new ConfigError('GATEWAY_JWT_AUDIENCE', `"${audience}" is not a usable audience`);
  const issuer = env.GATEWAY_JWT_ISSUER || undefined;
  if (issuer !== undefined && !/^[\w.:/-]{1,200}$/.test(issuer))
    throw new ConfigError('GATEWAY_JWT_ISSUER', `"${issuer}" is not a usable issuer`);
  return { keys, audience, ...(issuer ? { issuer } : {}) };
}

export function readGatewayConfig(env: Env = process.env): GatewayConfig {
  const subgraphUrls: Record<string, string> = {};
  for (const s of SUBGRAPHS) {
    subgraphUrls[s.name] = readSubgraphUrl(env, s.name, s.defaultPort);
  }
  return {
    host: readHost(env),
    port: readPort(env, 'GATEWAY_PORT', 4000),
    subgraphUrls,
    redisUrl: readRedisUrl(env),
    maxDepth: readMaxDepth(env),
    tokens: readTokenSettings(env),
    subgraphSecret: readSubgraphSecret(env),
    // Standalone and embedded, the gateway keeps its own PGlite folder: one process per folder.
    database: readDatabaseConfig('gateway', env, '.data/gateway'),
  };
}
