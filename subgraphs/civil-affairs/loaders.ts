// Per-request batching of every civil affairs read: a holder's certificates, concession certificates and relief
// entitlements, for many holders, are one statement.
import type { Db } from '../../core/database.js';
import { holderLists } from '../kit/holder-lists.js';
import { pagedLoader, rowLoader } from '../kit/loaders.js';
import type { Page } from '../kit/pagination.js';
import { chinaDate } from '../kit/time.js';
import * as repo from './repository.js';

export function createLoaders(db: Db, now = new Date()) {
  const today = chinaDate(now);
  const list = holderLists(db);
  return {
    today,
    certificateByNumber: rowLoader(
      (numbers: readonly string[]) => repo.findCertificatesByNumbers(db, numbers),
      (c) => c.certificateNumber,
    ),
    certificateById: rowLoader(
      (ids: readonly string[]) => repo.findCertificatesByIds(db, ids),
      (c) => c.id,
    ),
    reliefById: rowLoader(
      (ids: readonly string[]) => repo.findReliefByIds(db, ids),
      (r) => r.id,
    ),
    certificatesPage: pagedLoader((page: Page) => list(repo.certificatesPerHolder(page))),
    reliefPage: pagedLoader((page: Page) => list(repo.reliefPerHolder(page))),
    validCertificates: list(repo.validCertificatesPerHolder(today)),
  };
}

export type CivilAffairsLoaders = ReturnType<typeof createLoaders>;
