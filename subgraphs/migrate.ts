// `npm run migrate`: applies every subgraph's migrations to its database (start-up does this too).
import { readDatabaseConfig } from './shared/config.js';
import { runMain } from './shared/process.js';
import { openSubgraphDatabases } from './databases.js';
import { SUBGRAPHS } from './index.js';

runMain(async () => {
  const databases = await openSubgraphDatabases(SUBGRAPHS.map((s) => ({ name: s.name, database: readDatabaseConfig(s.name) })));
  try {
    await databases.migrate();
    for (const { database, subgraphs } of databases.all) console.log(`migrated ${subgraphs.join(', ')} (${database.driver})`);
  } finally {
    await databases.close();
  }
});
