// `npm run db:generate [-- --custom --name x]`: drizzle-kit generate for every subgraph's tables, each into
// its own migrations/<domain> folder. Extra arguments pass through to drizzle-kit.
import { spawnSync } from 'node:child_process';
import { SUBGRAPHS } from '../subgraphs/index.js';

for (const { name } of SUBGRAPHS) {
  const run = spawnSync('npx', ['drizzle-kit', 'generate', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, DRIZZLE_DOMAIN: name },
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
