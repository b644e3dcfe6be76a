// What `npm start` reads of its environment: the gateway's settings (gateway/config.ts), and for each subgraph of
// the manifest its port and database. Validated at start; a bad value fails naming the variable.
import {
  envPrefix,
  readDatabaseConfig,
  readHost,
  readPort,
  readPositiveInt,
  readSubgraphSecret,
  type DatabaseConfig,
  type Env,
} from '../core/config.js';
import type { TokenSettings } from '../gateway/auth/token-keys.js';
import { readMaxDepth, readRedisUrl, readTokenSettings } from '../gateway/config.js';
import { storeOf, SUBGRAPHS } from '../schema/manifest.js';

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
  tokens: TokenSettings;
  subgraphSecret: string;
  database: DatabaseConfig;
}

export function readHubConfig(env: Env = process.env): HubConfig {
  const seed = env.SEED_HOLDERS === '0' ? 0 : readPositiveInt(env, 'SEED_HOLDERS', 1000);
  return {
    host: readHost(env),
    gatewayPort: readPort(env, 'GATEWAY_PORT', 4000),
    subgraphs: SUBGRAPHS.map((s) => ({
      name: s.name,
      port: readPort(env, `${envPrefix(s.name)}_PORT`, s.defaultPort),
      // Governance reads the gateway's tables: GATEWAY_DATABASE_URL, else DATABASE_URL.
      database: readDatabaseConfig(storeOf(s.name), env),
    })),
    redisUrl: readRedisUrl(env),
    seedHolders: seed,
    maxDepth: readMaxDepth(env),
    tokens: readTokenSettings(env),
    subgraphSecret: readSubgraphSecret(env),
    database: readDatabaseConfig('gateway', env),
  };
}
