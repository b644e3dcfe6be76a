// `npm run gateway`: the gateway alone, in front of subgraphs running elsewhere (`<DOMAIN>_URL`).
import { serveUntilSignal } from '../subgraphs/shared/process.js';
import { readGatewayConfig } from './config.js';
import { startGateway } from './server.js';

serveUntilSignal(async () => {
  const gateway = await startGateway(readGatewayConfig());
  console.log(`gateway on ${gateway.url}`);
  return gateway.close;
});
