// The one place the gateway and the hub launcher read their environment; validated at start, and a bad value
// fails with a message naming the variable.
import { SUBGRAPHS } from '../subgraphs/index.js';
import { envPrefix, readDatabaseConfig, readHost, readPort, readPositiveInt, readSubgraphUrl, readUrl, type DatabaseConfig, type Env } from '../subgraphs/shared/config.js';

export interface GatewayConfig {
  host: string;
  port: number;
  /** Where each subgraph answers, by name: `<DOMAIN>_URL`, else its default local port. */
  subgraphUrls: Record<string, string>;
  /** Shared state across gateway instances; without it the gateway keeps its state in process. */
  redisUrl: string | undefined;
  /** Operations nested deeper than this are refused before any subgraph is called. */
  maxDepth: number;
}

export interface HubSubgraphConfig {
  name: string;
  port: number;
  database: DatabaseConfig;
}

export interface HubConfig {
  /** Where the gateway listens; the hub's subgraphs always listen on 127.0.0.1, behind it. */
  host: string;
  gatewayPort: number;
  subgraphs: HubSubgraphConfig[];
  redisUrl: string | undefined;
  /** Holders `npm start` seeds into an empty database; 0 turns seeding off. */
  seedHolders: number;
  maxDepth: number;
}

const readRedisUrl = (env: Env) => readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']);

/** `GATEWAY_MAX_DEPTH`: how deeply an operation's fields may nest (12 by default). */
export const readMaxDepth = (env: Env) => readPositiveInt(env, 'GATEWAY_MAX_DEPTH', 12);

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
  };
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
    maxDepth: readMaxDepth(env),
  };
}
