// Scenario 6's "audit off": the hub's gateway exactly as `npm run gateway` starts it (same configuration, same
// authentication, policy and signing), but without the audit plugin, so that the bench can put a figure on what
// the audit costs. A bench-only entry point: nothing in the hub's own configuration can start a gateway this way.
import { serveUntilSignal } from '../core/process.js';
import { readGatewayConfig } from '../gateway/config.js';
import { startGateway } from '../gateway/server.js';

serveUntilSignal(async () => {
  const gateway = await startGateway(readGatewayConfig(), { unaudited: true });
  console.log(`unaudited gateway on ${gateway.url}`);
  return gateway.close;
});
