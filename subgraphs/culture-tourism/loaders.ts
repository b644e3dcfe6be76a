// Per-request batching of every culture and tourism read: a query for 100 holders' admissions and library loans,
// each with its venue, is one statement.
import type { Db } from '../../core/database.js';
import { holderLists } from '../kit/holder-lists.js';
import { pagedLoader, rowLoader } from '../kit/loaders.js';
import type { Page } from '../kit/pagination.js';
import * as repo from './repository.js';

export function createLoaders(db: Db) {
  const list = holderLists(db);
  const venueById = rowLoader(
    (ids: readonly string[]) => repo.findVenuesByIds(db, ids),
    (v) => v.id,
  );
  // A page's rows come with their venues: priming the venue loader answers `venue` without a statement.
  const rowOf = <R>({ row, venue }: repo.WithVenue<R>): R => {
    venueById.prime(venue.id, venue);
    return row;
  };
  return {
    venueById,
    venueByCode: rowLoader(
      (codes: readonly string[]) => repo.findVenuesByCodes(db, codes),
      (v) => v.code,
    ),
    admissionById: rowLoader(
      (ids: readonly string[]) => repo.findAdmissionsByIds(db, ids),
      (a) => a.id,
    ),
    loanById: rowLoader(
      (ids: readonly string[]) => repo.findLoansByIds(db, ids),
      (l) => l.id,
    ),
    admissionsPage: pagedLoader((page: Page) => list(repo.admissionsPerHolder(page), rowOf)),
    loansPage: pagedLoader((page: Page) => list(repo.loansPerHolder(page), rowOf)),
  };
}

export type CultureTourismLoaders = ReturnType<typeof createLoaders>;
