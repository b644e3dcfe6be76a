// `npm run seed [-- --holders N]`: deterministic demo data in every subgraph's database (default 1,000 holders).
// A database that already holds data is left as it is. On a terminal each department shows a progress bar; in a
// log (CI) a progress line every few seconds. Ctrl-C stops at the next batch: the department under way rolls
// back, those before it stay, and the next run carries on from there.
import { readDatabaseConfig, readPositiveInt } from '../core/config.js';
import { runMain } from '../core/process.js';
import { terminalProgress } from '../seed/seeding.js';
import { openSubgraphDatabases } from './databases.js';
import { ownsStore, SUBGRAPHS } from '../schema/manifest.js';

runMain(async () => {
  const argv = process.argv.slice(2);
  const flag = argv.indexOf('--holders');
  const holders = readPositiveInt(
    flag >= 0 ? { '--holders': argv[flag + 1] } : process.env,
    flag >= 0 ? '--holders' : 'SEED_HOLDERS',
    1000,
  );
  const output = process.stdout.isTTY ? terminalProgress(process.stdout) : { log: (line: string) => console.log(line) };
  const stopping = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping.signal.aborted) process.exit(130); // a second Ctrl-C: at once
    output.log(`${signal}: stopping; the department being seeded rolls back`);
    stopping.abort(new Error(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const databases = await openSubgraphDatabases(
    SUBGRAPHS.filter((s) => ownsStore(s.name)).map((s) => ({ name: s.name, database: readDatabaseConfig(s.name) })),
  );
  try {
    await databases.migrate();
    await databases.seed({ holders, ...output, signal: stopping.signal });
  } catch (error) {
    if (error !== stopping.signal.reason) throw error;
    process.exitCode = 130;
  } finally {
    await databases.close();
  }
});
