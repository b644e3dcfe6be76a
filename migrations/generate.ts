// `npm run db:generate [-- --custom --name x]`: drizzle-kit generate for every subgraph's tables and the
// gateway's, each into its own migrations/<domain> folder. Extra arguments pass through to drizzle-kit. A subgraph
// reading another store's tables (governance: the gateway's) has no migrations of its own.
import { spawnSync } from 'node:child_process';
import { GATEWAY_STORE } from '../store/migrations.js';
import { ownsStore, SUBGRAPHS } from '../schema/manifest.js';

for (const name of [...SUBGRAPHS.filter((s) => ownsStore(s.name)).map((s) => s.name), GATEWAY_STORE]) {
  const run = spawnSync('npx', ['drizzle-kit', 'generate', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, DRIZZLE_DOMAIN: name },
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
