// Per-request batching of every culture and tourism read: a query for 100 holders' admissions, with each
// admission's venue, is one statement for the admissions and one for the venues.
import type { Db } from '../shared/database.js';
import { pagedLoader, rowLoader } from '../shared/loaders.js';
import type { Page } from '../shared/pagination.js';
import * as repo from './repository.js';

export function createLoaders(db: Db) {
  return {
    venueById: rowLoader((ids: readonly string[]) => repo.findVenuesByIds(db, ids), (v) => v.id),
    venueByCode: rowLoader((codes: readonly string[]) => repo.findVenuesByCodes(db, codes), (v) => v.code),
    admissionById: rowLoader((ids: readonly string[]) => repo.findAdmissionsByIds(db, ids), (a) => a.id),
    loanById: rowLoader((ids: readonly string[]) => repo.findLoansByIds(db, ids), (l) => l.id),
    admissionsPage: pagedLoader((ids, page: Page) => repo.pageAdmissions(db, ids, page), (a) => a.holderId),
    loansPage: pagedLoader((ids, page: Page) => repo.pageLoans(db, ids, page), (l) => l.holderId),
  };
}

export type CultureTourismLoaders = ReturnType<typeof createLoaders>;
