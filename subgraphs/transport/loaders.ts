// Per-request batching of every transport read.
import DataLoader from 'dataloader';
import type { Db } from '../shared/database.js';
import { groupLoader, pagedLoader, rowLoader } from '../shared/loaders.js';
import type { Page } from '../shared/pagination.js';
import * as repo from './repository.js';
import type { RideMode } from './tables.js';

export function createLoaders(db: Db) {
  return {
    transitByCard: groupLoader((numbers: readonly string[]) => repo.findTransitFunctionsByCards(db, numbers), (t) => t.cardNumber),
    transitByHolder: groupLoader((ids: readonly string[]) => repo.findTransitFunctionsByHolders(db, ids), (t) => t.holderId),
    transitById: rowLoader((ids: readonly string[]) => repo.findTransitFunctionsByIds(db, ids), (t) => t.id),
    transitLoaded: new DataLoader<string, boolean>(async (numbers) => {
      const loaded = await repo.cardsWithTransit(db, numbers);
      return numbers.map((n) => loaded.has(n));
    }),
    ridesPage: pagedLoader((ids, page: Page & { mode: RideMode | null }) => repo.pageRides(db, ids, page), (r) => r.holderId),
    rideById: rowLoader((ids: readonly string[]) => repo.findRidesByIds(db, ids), (r) => r.id),
  };
}

export type TransportLoaders = ReturnType<typeof createLoaders>;
