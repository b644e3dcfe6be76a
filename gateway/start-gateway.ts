// `npm run gateway`: the gateway alone, in front of subgraphs running elsewhere (`<DOMAIN>_URL`).
import { closeOnSignal, runMain } from '../subgraphs/shared/process.js';
import { readGatewayConfig } from './config.js';
import { startGateway } from './server.js';

runMain(async () => {
  const gateway = await startGateway(readGatewayConfig());
  closeOnSignal(gateway.close);
  console.log(`gateway on ${gateway.url}`);
});
