// The one place the gateway reads its environment (hub/config.ts builds on it); validated at start, and a bad
// value fails with a message naming the variable.
import {
  ConfigError,
  envPrefix,
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
import path from 'node:path';
import { localSecret } from '../core/local-secrets.js';
import { localAuditKey } from './audit/audit-hash.js';
import { SUBGRAPHS } from '../schema/manifest.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from '../core/http.js';
import { DEFAULT_MAX_TOKEN_TTL_SECONDS, type TokenKeys, type TokenSettings } from './auth/token-keys.js';
import { DEFAULT_LIMITS, type OperationLimits } from './limits/operation-limits.js';
import { DEFAULT_CALL_SETTINGS, type SubgraphCallSettings } from './subgraph-calls/subgraph-fetch.js';

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
  /** Timeouts, socket caps and breakers of the calls to each subgraph, by name (readSubgraphCallSettings). */
  subgraphCalls?: Record<string, SubgraphCallSettings>;
  /** Bounds on one operation besides its depth (readOperationLimits); read from the environment when absent. */
  limits?: OperationLimits;
  /** Body size and timeouts of the HTTP front (readHttpLimits); read from the environment when absent. */
  http?: HttpLimits;
  /** The audit's hash key and spool (readAuditSettings); read from the environment when absent. */
  audit?: AuditSettings;
}

export interface AuditSettings {
  /** Keys the hash of every variable value an audit record does not keep (gateway/audit/audit-hash.ts). */
  hmacKey: string;
  /** Where write records the audit store refuses wait to be replayed (gateway/audit/spool.ts). */
  spoolDir: string;
  /** How often spooled records are replayed while any wait. */
  replayIntervalMs: number;
}

/** `AUDIT_SPOOL_DIR`: `.data/audit-spool` by default (also read by `npm run audit:verify`). */
export const readAuditSpoolDir = (env: Env = process.env) => path.resolve(env.AUDIT_SPOOL_DIR || '.data/audit-spool');

/**
 * `AUDIT_HMAC_KEY` (32+ characters; else a local key generated into .data/audit-hmac-key), `AUDIT_SPOOL_DIR`
 * (`.data/audit-spool`), `AUDIT_SPOOL_REPLAY_MS` (5000).
 */
export function readAuditSettings(env: Env = process.env): AuditSettings {
  return {
    hmacKey: readSecret(env, 'AUDIT_HMAC_KEY') ?? localAuditKey(),
    spoolDir: readAuditSpoolDir(env),
    replayIntervalMs: readPositiveInt(env, 'AUDIT_SPOOL_REPLAY_MS', 5_000),
  };
}

/**
 * `GATEWAY_MAX_BODY_BYTES` (2097152), `GATEWAY_HEADERS_TIMEOUT_MS` (10000), `GATEWAY_REQUEST_TIMEOUT_MS` (30000,
 * headers and body; at least the headers timeout), `GATEWAY_KEEP_ALIVE_TIMEOUT_MS` (5000, an idle connection).
 */
export function readHttpLimits(env: Env = process.env): HttpLimits {
  const limits: HttpLimits = {
    maxBodyBytes: readPositiveInt(env, 'GATEWAY_MAX_BODY_BYTES', DEFAULT_HTTP_LIMITS.maxBodyBytes),
    headersTimeoutMs: readPositiveInt(env, 'GATEWAY_HEADERS_TIMEOUT_MS', DEFAULT_HTTP_LIMITS.headersTimeoutMs),
    requestTimeoutMs: readPositiveInt(env, 'GATEWAY_REQUEST_TIMEOUT_MS', DEFAULT_HTTP_LIMITS.requestTimeoutMs),
    keepAliveTimeoutMs: readPositiveInt(env, 'GATEWAY_KEEP_ALIVE_TIMEOUT_MS', DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs),
  };
  if (limits.requestTimeoutMs < limits.headersTimeoutMs)
    throw new ConfigError(
      'GATEWAY_REQUEST_TIMEOUT_MS',
      `must be at least GATEWAY_HEADERS_TIMEOUT_MS (${limits.headersTimeoutMs}), got ${limits.requestTimeoutMs}`,
    );
  return limits;
}

/**
 * `GATEWAY_MAX_EXPANDED_FIELDS` (2000), `GATEWAY_MAX_HOLDERS` (1000), `GATEWAY_MAX_HOLDERS_PER_MINUTE` (1000000
 * per client, counted like requests, in Redis when configured), `GATEWAY_MAX_ALIASES` (100),
 * `GATEWAY_MAX_DIRECTIVES` (50), `GATEWAY_MAX_TOKENS` (5000), `GATEWAY_MAX_COST` (50000); field suggestions in
 * validation errors only with `NODE_ENV=development`.
 */
export function readOperationLimits(env: Env = process.env): OperationLimits {
  const read = (variable: string, fallback: number) => readPositiveInt(env, variable, fallback);
  return {
    maxExpandedFields: read('GATEWAY_MAX_EXPANDED_FIELDS', DEFAULT_LIMITS.maxExpandedFields),
    maxHolders: read('GATEWAY_MAX_HOLDERS', DEFAULT_LIMITS.maxHolders),
    maxHoldersPerMinute: read('GATEWAY_MAX_HOLDERS_PER_MINUTE', DEFAULT_LIMITS.maxHoldersPerMinute),
    maxAliases: read('GATEWAY_MAX_ALIASES', DEFAULT_LIMITS.maxAliases),
    maxDirectives: read('GATEWAY_MAX_DIRECTIVES', DEFAULT_LIMITS.maxDirectives),
    maxTokens: read('GATEWAY_MAX_TOKENS', DEFAULT_LIMITS.maxTokens),
    maxCost: read('GATEWAY_MAX_COST', DEFAULT_LIMITS.maxCost),
    fieldSuggestions: env.NODE_ENV === 'development',
  };
}

/**
 * Per subgraph: `SUBGRAPH_TIMEOUT_MS` (5000), overridden for one by `SUBGRAPH_TIMEOUT_MS_<DOMAIN>`
 * (e.g. `SUBGRAPH_TIMEOUT_MS_CIVIL_AFFAIRS`); `SUBGRAPH_MAX_SOCKETS` (64) connections to each;
 * `SUBGRAPH_BREAKER_RESET_MS` (1000), how long an open circuit fails calls at once before probing again;
 * `SUBGRAPH_MUTATION_TIMEOUT_MS` (30000), a mutation's time limit, overridden by `SUBGRAPH_MUTATION_TIMEOUT_MS_<DOMAIN>`;
 * `SUBGRAPH_BREAKER_MIN_CALLS` (20), reads in the breaker's 10 s window before it may open.
 */
export function readSubgraphCallSettings(env: Env = process.env): Record<string, SubgraphCallSettings> {
  const timeoutMs = readPositiveInt(env, 'SUBGRAPH_TIMEOUT_MS', DEFAULT_CALL_SETTINGS.timeoutMs);
  const mutationTimeoutMs = readPositiveInt(
    env,
    'SUBGRAPH_MUTATION_TIMEOUT_MS',
    DEFAULT_CALL_SETTINGS.mutationTimeoutMs,
  );
  const maxSockets = readPositiveInt(env, 'SUBGRAPH_MAX_SOCKETS', DEFAULT_CALL_SETTINGS.maxSockets);
  const breakerResetMs = readPositiveInt(env, 'SUBGRAPH_BREAKER_RESET_MS', DEFAULT_CALL_SETTINGS.breakerResetMs);
  const breakerMinCalls = readPositiveInt(env, 'SUBGRAPH_BREAKER_MIN_CALLS', DEFAULT_CALL_SETTINGS.breakerMinCalls);
  return Object.fromEntries(
    SUBGRAPHS.map((s) => [
      s.name,
      {
        timeoutMs: readPositiveInt(env, `SUBGRAPH_TIMEOUT_MS_${envPrefix(s.name)}`, timeoutMs),
        mutationTimeoutMs: readPositiveInt(env, `SUBGRAPH_MUTATION_TIMEOUT_MS_${envPrefix(s.name)}`, mutationTimeoutMs),
        maxSockets,
        breakerResetMs,
        breakerMinCalls,
      },
    ]),
  );
}

export const readRedisUrl = (env: Env) => readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']);

/** `GATEWAY_MAX_DEPTH`: how deeply an operation's fields may nest (12 by default). */
export const readMaxDepth = (env: Env) => readPositiveInt(env, 'GATEWAY_MAX_DEPTH', 12);

/**
 * Exactly one of `GATEWAY_JWT_SECRET` (HS256, at least 32 characters), `GATEWAY_JWKS_FILE` and `GATEWAY_JWKS_URL`;
 * with none, the local secret `npm run token` signs with (.data/local-secrets.json). `GATEWAY_JWT_AUDIENCE`: the
 * `aud` tokens must carry, `ykt-hub` by default; `GATEWAY_JWT_ISSUER`, when set, the `iss` they must carry.
 * `GATEWAY_TOKEN_MAX_TTL`: the longest lifetime (`exp - iat`, seconds) a token may have, 86400 (24 h) by default.
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
  const maxTtlSeconds = readPositiveInt(env, 'GATEWAY_TOKEN_MAX_TTL', DEFAULT_MAX_TOKEN_TTL_SECONDS);
  return { keys, audience, ...(issuer ? { issuer } : {}), maxTtlSeconds };
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
    subgraphCalls: readSubgraphCallSettings(env),
    limits: readOperationLimits(env),
    http: readHttpLimits(env),
    audit: readAuditSettings(env),
    // Embedded, the folder `npm start`, `npm run client` and `npm run audit:verify` use too (one process at a time).
    database: readDatabaseConfig('gateway', env),
  };
}
