// `npm run subgraph -- <name>`: one department's subgraph on its own port and database, as a department runs it.
// Embedded, it keeps its own PGlite folder (.data/<name>), since a PGlite folder serves one process at a time.
// Governance runs on the gateway's database (GATEWAY_DATABASE_URL, else DATABASE_URL) with the gateway's
// migrations; embedded, its own folder holds an empty audit trail.
import { migrateStoreOf } from './databases.js';
import { envPrefix, readDatabaseConfig, readHost, readPort } from './shared/config.js';
import { openDatabase } from './shared/database.js';
import { serveUntilSignal } from './shared/process.js';
import { serveSubgraph } from './shared/subgraph.js';
import { findSubgraph, storeOf } from './index.js';

serveUntilSignal(async (stopping) => {
  const name = process.argv[2];
  if (!name) throw new Error('Usage: npm run subgraph -- <name>');
  const subgraph = findSubgraph(name);
  // Every setting is read before anything is opened, so a bad one leaves nothing to close.
  const databaseConfig = readDatabaseConfig(storeOf(name), process.env, `.data/${name}`);
  const port = readPort(process.env, `${envPrefix(name)}_PORT`, subgraph.defaultPort);
  const host = readHost(process.env);
  const database = await openDatabase(databaseConfig);
  try {
    await migrateStoreOf(name, database);
    stopping.throwIfAborted();
    const served = await serveSubgraph(subgraph, database, { port, host, env: process.env });
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
