// `npm run migrate`: applies every subgraph's migrations to its database, and the gateway's to its own
// (GATEWAY_DATABASE_URL, else DATABASE_URL, else embedded); start-up does this too.
import { GATEWAY_STORE } from '../store/migrations.js';
import { readDatabaseConfig } from '../core/config.js';
import { runMain } from '../core/process.js';
import { openSubgraphDatabases } from './databases.js';
import { storeOf, SUBGRAPHS } from '../schema/manifest.js';

runMain(async () => {
  const databases = await openSubgraphDatabases([
    ...SUBGRAPHS.map((s) => ({ name: s.name, database: readDatabaseConfig(storeOf(s.name)) })),
    { name: GATEWAY_STORE, database: readDatabaseConfig(GATEWAY_STORE) },
  ]);
  try {
    await databases.migrate();
    for (const { database, subgraphs } of databases.all)
      console.log(`migrated ${subgraphs.join(', ')} (${database.driver})`);
  } finally {
    await databases.close();
  }
});
