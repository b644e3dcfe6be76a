// `npm run gateway`: the gateway alone, in front of subgraphs running elsewhere (`<DOMAIN>_URL`).
import { serveUntilSignal } from '../core/process.js';
import { readGatewayConfig } from '../gateway/config.js';
import { startGateway } from '../gateway/server.js';

serveUntilSignal(async () => {
  const gateway = await startGateway(readGatewayConfig());
  console.log(`gateway on ${gateway.url}`);
  return gateway.close;
});
