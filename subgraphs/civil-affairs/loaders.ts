// Per-request batching of every civil affairs read.
import type { Db } from '../shared/database.js';
import { groupLoader, pagedLoader, rowLoader } from '../shared/loaders.js';
import type { Page } from '../shared/pagination.js';
import { chinaDate } from '../shared/time.js';
import * as repo from './repository.js';

export function createLoaders(db: Db, now = new Date()) {
  const today = chinaDate(now);
  return {
    today,
    certificateByNumber: rowLoader((numbers: readonly string[]) => repo.findCertificatesByNumbers(db, numbers), (c) => c.certificateNumber),
    certificateById: rowLoader((ids: readonly string[]) => repo.findCertificatesByIds(db, ids), (c) => c.id),
    reliefById: rowLoader((ids: readonly string[]) => repo.findReliefByIds(db, ids), (r) => r.id),
    certificatesPage: pagedLoader((ids, page: Page) => repo.pageCertificates(db, ids, page), (c) => c.holderId),
    reliefPage: pagedLoader((ids, page: Page) => repo.pageReliefEntitlements(db, ids, page), (r) => r.holderId),
    validCertificates: groupLoader((ids: readonly string[]) => repo.findValidCertificates(db, ids, today), (c) => c.holderId),
  };
}

export type CivilAffairsLoaders = ReturnType<typeof createLoaders>;
