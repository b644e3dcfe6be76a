// Per-request batching of every transport read: a holder's transit functions and rides, for many holders, are one
// statement.
import DataLoader from 'dataloader';
import type { Db } from '../../core/database.js';
import { holderLists } from '../kit/holder-lists.js';
import { groupLoader, pagedLoader, rowLoader } from '../kit/loaders.js';
import type { Page } from '../kit/pagination.js';
import * as repo from './repository.js';
import type { RideMode } from './tables.js';

export function createLoaders(db: Db) {
  const list = holderLists(db);
  return {
    transitByCard: groupLoader(
      (numbers: readonly string[]) => repo.findTransitFunctionsByCards(db, numbers),
      (t) => t.cardNumber,
    ),
    transitByHolder: list(repo.transitFunctionsPerHolder),
    transitById: rowLoader(
      (ids: readonly string[]) => repo.findTransitFunctionsByIds(db, ids),
      (t) => t.id,
    ),
    transitLoaded: new DataLoader<string, boolean>(async (numbers) => {
      const loaded = await repo.cardsWithTransit(db, numbers);
      return numbers.map((n) => loaded.has(n));
    }),
    ridesPage: pagedLoader((page: Page & { mode: RideMode | null }) => list(repo.ridesPerHolder(page))),
    rideById: rowLoader(
      (ids: readonly string[]) => repo.findRidesByIds(db, ids),
      (r) => r.id,
    ),
  };
}

export type TransportLoaders = ReturnType<typeof createLoaders>;
