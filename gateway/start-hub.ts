// `npm start`: every subgraph and the gateway in one process, over embedded PGlite unless DATABASE_URL is set;
// an empty database is seeded with demo holders first.
import { closeOnSignal, runMain } from '../subgraphs/shared/process.js';
import { readHubConfig } from './config.js';
import { startHub } from './hub.js';

runMain(async () => {
  const config = readHubConfig();
  const hub = await startHub(config, { log: (line) => console.log(line) });
  closeOnSignal(hub.close);
  console.log(`\nykt-hub ready: ${hub.gatewayUrl} (Ctrl-C to stop)`);
});
