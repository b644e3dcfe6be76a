// The whole hub in one process: every subgraph on its own port over its database, and the gateway in front.
// `npm start` runs it; the tests start it the same way, on port 0 and an in-memory database.
import { openSubgraphDatabases } from './databases.js';
import { storeOf } from '../schema/manifest.js';
import { loadSubgraph } from '../subgraphs/registry.js';
import { envPrefix, type Env } from '../core/config.js';
import type { Database } from '../core/database.js';
import { serveSubgraph, type RunningSubgraph } from '../subgraphs/kit/subgraph.js';
import type { HubConfig } from './config.js';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import { readAuditSettings, readHttpLimits, readOperationLimits, readSubgraphCallSettings } from '../gateway/config.js';
import { GATEWAY_STORE } from '../store/migrations.js';

/** Where the hub's subgraphs listen, whatever HOST the gateway is given. */
const SUBGRAPH_HOST = '127.0.0.1';

export interface RunningHub {
  gatewayUrl: string;
  gateway: RunningGateway;
  subgraphs: RunningSubgraph[];
  /** Each distinct database, by the subgraphs that use it. */
  databases: { database: Database; subgraphs: string[] }[];
  close(): Promise<void>;
}

export interface HubOptions {
  env?: Env;
  log?: (line: string) => void;
  /** Aborted: start-up stops at its next step (migrating, seeding, each server), closing what it opened. */
  signal?: AbortSignal;
}

export async function startHub(config: HubConfig, options: HubOptions = {}): Promise<RunningHub> {
  const log = options.log ?? (() => {});
  const checkpoint = () => options.signal?.throwIfAborted();
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse().splice(0))
      await closer().catch((e: unknown) => console.error('hub: close failed', e));
  };
  try {
    // The gateway's register shares the subgraphs' database when their settings agree (one PGlite, embedded).
    // Governance reads the gateway's own tables, so it gets the gateway's database whatever its entry says.
    const subgraphs = config.subgraphs.map((s) =>
      storeOf(s.name) === GATEWAY_STORE ? { ...s, database: config.database } : s,
    );
    const databases = await openSubgraphDatabases([...subgraphs, { name: GATEWAY_STORE, database: config.database }]);
    closers.push(() => databases.close());
    checkpoint();
    await databases.migrate();
    checkpoint();
    if (config.seedHolders > 0) await databases.seed({ holders: config.seedHolders, log, signal: options.signal });

    const running: RunningSubgraph[] = [];
    // Subgraphs start in registry order, hr first: later ones find the ones before at their real URLs
    // (`<DOMAIN>_URL`), which matters when ports are picked at random.
    // The subgraphs check the gateway's signature with the same secret it signs with.
    const env: Env = { ...(options.env ?? process.env), SUBGRAPH_SECRET: config.subgraphSecret };
    for (const s of config.subgraphs) {
      checkpoint();
      // Only the gateway faces the network (HOST): a subgraph answers `_entities` for anyone who reaches it.
      const served = await serveSubgraph(await loadSubgraph(s.name), databases.of(s.name), {
        port: s.port,
        host: SUBGRAPH_HOST,
        env,
      });
      closers.push(() => served.close());
      running.push(served);
      env[`${envPrefix(s.name)}_URL`] = served.url;
      log(`subgraph ${s.name} on ${served.url} (${databases.of(s.name).driver})`);
    }

    checkpoint();
    const gateway = await startGateway(
      {
        host: config.host,
        port: config.gatewayPort,
        subgraphUrls: Object.fromEntries(running.map((s) => [s.name, s.url])),
        redisUrl: config.redisUrl,
        maxDepth: config.maxDepth,
        tokens: config.tokens,
        subgraphSecret: config.subgraphSecret,
        database: config.database,
        // From the hub's environment (a test hub's own variables included), not only the process's.
        subgraphCalls: readSubgraphCallSettings(env),
        limits: readOperationLimits(env),
        http: readHttpLimits(env),
        audit: readAuditSettings(env),
      },
      { database: databases.of('gateway') },
    );
    closers.push(() => gateway.close());
    log(`gateway on ${gateway.url}`);
    return { gatewayUrl: gateway.url, gateway, subgraphs: running, databases: databases.all, close };
  } catch (error) {
    await close();
    throw error;
  }
}
