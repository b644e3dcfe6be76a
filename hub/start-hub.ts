// `npm start`: every subgraph and the gateway in one process, over embedded PGlite unless DATABASE_URL is set;
// an empty database is seeded with demo holders first.
import { envPrefix } from '../core/config.js';
import { assertPortsFree, serveUntilSignal } from '../core/process.js';
import { readHubConfig } from './config.js';
import { startHub } from './hub.js';

serveUntilSignal(async (stopping) => {
  const config = readHubConfig();
  // A port in use is told before the database is opened, migrated and seeded, naming the variable to change.
  await assertPortsFree([
    { variable: 'GATEWAY_PORT', host: config.host, port: config.gatewayPort },
    ...config.subgraphs.map((s) => ({ variable: `${envPrefix(s.name)}_PORT`, host: '127.0.0.1', port: s.port })),
  ]);
  // Ctrl-C during migration or seeding makes startHub give up at its next step, closing what it opened.
  const hub = await startHub(config, { log: (line) => console.log(line), signal: stopping });
  console.log(`\nykt-hub ready: ${hub.gatewayUrl} (Ctrl-C to stop)`);
  return hub.close;
});
