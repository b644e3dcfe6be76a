// Per-request batching of every health read: 100 holders' visits with their institutions, diagnoses and
// settlements cost one statement each, however many holders and visits there are.
import type { Db } from '../shared/database.js';
import { groupLoader, pagedLoader, rowLoader } from '../shared/loaders.js';
import type { Page } from '../shared/pagination.js';
import * as repo from './repository.js';

export function createLoaders(db: Db) {
  const institutions = () => rowLoader((ids: readonly string[]) => repo.findInstitutionsByIds(db, ids), (i) => i.id);
  return {
    institutionById: institutions(),
    // A page of visits and a page of records come back at different moments, so one shared institution loader would
    // batch once or twice depending on timing; one each keeps a query's statement count fixed.
    recordInstitutionById: institutions(),
    visitById: rowLoader((ids: readonly string[]) => repo.findVisitsByIds(db, ids), (v) => v.id),
    diagnosesByVisitId: groupLoader((ids: readonly string[]) => repo.findDiagnosesByVisitIds(db, ids), (d) => d.visitId),
    settlementByVisitId: rowLoader((ids: readonly string[]) => repo.findSettlementsByVisitIds(db, ids), (s) => s.visitId),
    recordById: rowLoader((ids: readonly string[]) => repo.findRecordsByIds(db, ids), (r) => r.id),
    visitsPage: pagedLoader((ids, page: Page) => repo.pageVisits(db, ids, page), (v) => v.holderId),
    recordsPage: pagedLoader((ids, page: Page) => repo.pageRecords(db, ids, page), (r) => r.holderId),
  };
}

export type HealthLoaders = ReturnType<typeof createLoaders>;
