// `npm run subgraph -- <name>`: one department's subgraph on its own port and database, as a department runs it.
// Embedded, it keeps its own PGlite folder (.data/<name>), since a PGlite folder serves one process at a time.
import { envPrefix, readDatabaseConfig, readPort } from './shared/config.js';
import { openDatabase } from './shared/database.js';
import { closeOnSignal, runMain } from './shared/process.js';
import { serveSubgraph } from './shared/subgraph.js';
import { findSubgraph } from './index.js';

runMain(async () => {
  const name = process.argv[2];
  if (!name) throw new Error('Usage: npm run subgraph -- <name>');
  const subgraph = findSubgraph(name);
  const database = await openDatabase(readDatabaseConfig(name, process.env, `.data/${name}`));
  await database.migrate(name, subgraph.migrationsFolder);
  const port = readPort(process.env, `${envPrefix(name)}_PORT`, subgraph.defaultPort);
  const served = await serveSubgraph(subgraph, database, { port, host: process.env.HOST || '127.0.0.1', env: process.env });
  closeOnSignal(async () => {
    await served.close();
    await database.close();
  });
  console.log(`subgraph ${name} on ${served.url} (${database.driver})`);
});
