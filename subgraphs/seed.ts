// `npm run seed [-- --holders N]`: deterministic demo data in every subgraph's database (default 1,000 holders).
// A database that already holds data is left as it is.
import { readDatabaseConfig, readPositiveInt } from './shared/config.js';
import { runMain } from './shared/process.js';
import { openSubgraphDatabases } from './databases.js';
import { ownsStore, SUBGRAPHS } from './index.js';

runMain(async () => {
  const argv = process.argv.slice(2);
  const flag = argv.indexOf('--holders');
  const holders = readPositiveInt(flag >= 0 ? { '--holders': argv[flag + 1] } : process.env, flag >= 0 ? '--holders' : 'SEED_HOLDERS', 1000);
  const databases = await openSubgraphDatabases(SUBGRAPHS.filter((s) => ownsStore(s.name)).map((s) => ({ name: s.name, database: readDatabaseConfig(s.name) })));
  try {
    await databases.migrate();
    await databases.seed({ holders, log: (line) => console.log(line) });
  } finally {
    await databases.close();
  }
});
