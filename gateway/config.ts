// The one place the gateway and the hub launcher read their environment; validated at start, and a bad value
// fails with a message naming the variable.
import { SUBGRAPHS } from '../subgraphs/index.js';
import { ConfigError, envPrefix, readDatabaseConfig, readPort, readPositiveInt, readSubgraphUrl, readUrl, type DatabaseConfig, type Env } from '../subgraphs/shared/config.js';

export interface GatewayConfig {
  host: string;
  port: number;
  /** Where each subgraph answers, by name: `<DOMAIN>_URL`, else its default local port. */
  subgraphUrls: Record<string, string>;
  /** Shared state across gateway instances; without it the gateway keeps its state in process. */
  redisUrl: string | undefined;
}

export interface HubSubgraphConfig {
  name: string;
  port: number;
  database: DatabaseConfig;
}

export interface HubConfig {
  host: string;
  gatewayPort: number;
  subgraphs: HubSubgraphConfig[];
  redisUrl: string | undefined;
  /** Holders `npm start` seeds into an empty database; 0 turns seeding off. */
  seedHolders: number;
}

function readHost(env: Env): string {
  const host = env.HOST || '127.0.0.1';
  if (!/^[\w.:-]+$/.test(host)) throw new ConfigError('HOST', `"${host}" is not a host name or address`);
  return host;
}

const readRedisUrl = (env: Env) => readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']);

export function readGatewayConfig(env: Env = process.env): GatewayConfig {
  const subgraphUrls: Record<string, string> = {};
  for (const s of SUBGRAPHS) {
    subgraphUrls[s.name] = readSubgraphUrl(env, s.name, s.defaultPort);
  }
  return { host: readHost(env), port: readPort(env, 'GATEWAY_PORT', 4000), subgraphUrls, redisUrl: readRedisUrl(env) };
}

export function readHubConfig(env: Env = process.env): HubConfig {
  const seed = env.SEED_HOLDERS === '0' ? 0 : readPositiveInt(env, 'SEED_HOLDERS', 1000);
  return {
    host: readHost(env),
    gatewayPort: readPort(env, 'GATEWAY_PORT', 4000),
    subgraphs: SUBGRAPHS.map((s) => ({
      name: s.name,
      port: readPort(env, `${envPrefix(s.name)}_PORT`, s.defaultPort),
      database: readDatabaseConfig(s.name, env),
    })),
    redisUrl: readRedisUrl(env),
    seedHolders: seed,
  };
}
