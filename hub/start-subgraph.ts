// `npm run subgraph -- <name>`: one department's subgraph on its own port and database, as a department runs it.
// Embedded, it keeps its own PGlite folder (.data/<name>), since a PGlite folder serves one process at a time.
// Governance runs on the gateway's database (GATEWAY_DATABASE_URL, else DATABASE_URL) with the gateway's
// migrations; embedded, its own folder holds an empty audit trail.
import { migrateStoreOf } from './databases.js';
import { envPrefix, readDatabaseConfig, readHost, readPort } from '../core/config.js';
import { openDatabase } from '../core/database.js';
import { assertPortsFree, serveUntilSignal } from '../core/process.js';
import { serveSubgraph } from '../subgraphs/kit/subgraph.js';
import { findSubgraphEntry, storeOf } from '../schema/manifest.js';
import { loadSubgraph } from '../subgraphs/registry.js';

serveUntilSignal(async (stopping) => {
  const name = process.argv[2];
  if (!name) throw new Error('Usage: npm run subgraph -- <name>');
  const entry = findSubgraphEntry(name);
  // Every setting is read before anything is opened, so a bad one leaves nothing to close.
  const databaseConfig = readDatabaseConfig(storeOf(name), process.env, `.data/${name}`);
  const port = readPort(process.env, `${envPrefix(name)}_PORT`, entry.defaultPort);
  const host = readHost(process.env);
  await assertPortsFree([{ variable: `${envPrefix(name)}_PORT`, host, port }]);
  const database = await openDatabase(databaseConfig);
  try {
    await migrateStoreOf(name, database);
    stopping.throwIfAborted();
    const served = await serveSubgraph(await loadSubgraph(name), database, { port, host, env: process.env });
    console.log(`subgraph ${name} on ${served.url} (${database.driver})`);
    return async () => {
      await served.close();
      await database.close();
    };
  } catch (error) {
    await database.close().catch((e: unknown) => console.error('database close failed', e));
    throw error;
  }
});
