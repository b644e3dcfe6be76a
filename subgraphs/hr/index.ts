// The HR subgraph (人社): owner of the holder and the card.
import { readHrSettings } from '../../core/config.js';
import { describeForLog } from '../../core/protocol/errors.js';
import type { Subgraph } from '../kit/subgraph.js';
import { lapseLossReports } from './card-commands.js';
import type { HrDeps } from './commands.js';
import { createLoaders } from './loaders.js';
import { resolvers, type HrContext } from './resolvers.js';

// Reads already show a lapsed temporary loss report as active; the sweep writes the lapse into the history.
const LAPSE_SWEEP_MS = 60_000;

export const hrSubgraph: Subgraph<HrContext> = {
  name: 'hr',
  resolvers,
  setup({ db, env }) {
    const deps: HrDeps = { db, settings: readHrSettings(env) };
    let running: Promise<unknown> = Promise.resolve();
    const sweep = () => {
      running = lapseLossReports(deps).catch((error: unknown) =>
        console.error('hr: loss report sweep failed:', describeForLog(error)),
      );
    };
    const timer = setInterval(sweep, LAPSE_SWEEP_MS);
    timer.unref();
    return {
      context: (caller) => ({ loaders: createLoaders(db), deps, caller }),
      // A sweep under way finishes before the database closes.
      stop: async () => {
        clearInterval(timer);
        await running;
      },
    };
  },
};
