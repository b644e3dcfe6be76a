// `npm run gateway`: the gateway alone, in front of subgraphs running elsewhere (`<DOMAIN>_URL`).
import { assertPortsFree, serveUntilSignal } from '../core/process.js';
import { readGatewayConfig } from '../gateway/config.js';
import { startGateway } from '../gateway/server.js';

serveUntilSignal(async () => {
  const config = readGatewayConfig();
  await assertPortsFree([{ variable: 'GATEWAY_PORT', host: config.host, port: config.port }]);
  const gateway = await startGateway(config);
  console.log(`gateway on ${gateway.url}`);
  return gateway.close;
});
