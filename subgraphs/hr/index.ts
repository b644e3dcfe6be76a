// The HR subgraph (人社): owner of the holder and the card.
import { readHrSettings, readPositiveInt, readUrl } from '../../core/config.js';
import { openSharedState } from '../../core/shared-state.js';
import { describeForLog } from '../../core/protocol/errors.js';
import type { Subgraph } from '../kit/subgraph.js';
import { lapseLossReports } from './card-commands.js';
import type { HrDeps } from './commands.js';
import type { IdentityDeps } from './identity.js';
import { createLoaders } from './loaders.js';
import { MAX_QR_TTL_SECONDS } from './qr-codes.js';
import { readQrKeys } from './qr-keys.js';
import { openNonceStore } from './qr-nonces.js';
import { resolvers, type HrContext } from './resolvers.js';

// Reads already show a lapsed temporary loss report as active; the sweep writes the lapse into the history.
const LAPSE_SWEEP_MS = 60_000;

export const hrSubgraph: Subgraph<HrContext> = {
  name: 'hr',
  resolvers,
  setup({ db, env }) {
    const deps: HrDeps = { db, settings: readHrSettings(env) };
    // QR nonces are shared with every hr instance through Redis when configured (qr-nonces.ts).
    const shared = openSharedState(readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']));
    const identity: IdentityDeps = {
      keys: readQrKeys(env),
      nonces: openNonceStore(shared.redis),
      qrTtlSeconds: Math.min(readPositiveInt(env, 'HR_QR_TTL_SECONDS', MAX_QR_TTL_SECONDS), MAX_QR_TTL_SECONDS),
    };
    let running: Promise<unknown> = Promise.resolve();
    const sweep = () => {
      running = lapseLossReports(deps).catch((error: unknown) =>
        console.error('hr: loss report sweep failed:', describeForLog(error)),
      );
    };
    const timer = setInterval(sweep, LAPSE_SWEEP_MS);
    timer.unref();
    return {
      context: (caller) => ({ loaders: createLoaders(db), deps, caller, identity }),
      // A sweep under way finishes before the database closes.
      stop: async () => {
        clearInterval(timer);
        await running;
        await shared.close();
      },
    };
  },
};
