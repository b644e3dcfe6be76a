// `npm start`: every subgraph and the gateway in one process, over embedded PGlite unless DATABASE_URL is set;
// an empty database is seeded with demo holders first.
import { serveUntilSignal } from '../core/process.js';
import { readHubConfig } from './config.js';
import { startHub } from './hub.js';

serveUntilSignal(async (stopping) => {
  const config = readHubConfig();
  // Ctrl-C during migration or seeding makes startHub give up at its next step, closing what it opened.
  const hub = await startHub(config, { log: (line) => console.log(line), signal: stopping });
  console.log(`\nykt-hub ready: ${hub.gatewayUrl} (Ctrl-C to stop)`);
  return hub.close;
});
