// Per-request batching of every health read: 100 holders' visits and health records, with the visits' institutions,
// diagnoses and settlements, cost one statement, however many holders and visits there are.
import type { Db } from '../../core/database.js';
import { holderLists } from '../kit/holder-lists.js';
import { groupLoader, pagedLoader, rowLoader } from '../kit/loaders.js';
import type { Page } from '../kit/pagination.js';
import * as repo from './repository.js';

export function createLoaders(db: Db) {
  const list = holderLists(db);
  const institutionById = rowLoader(
    (ids: readonly string[]) => repo.findInstitutionsByIds(db, ids),
    (i) => i.id,
  );
  const diagnosesByVisitId = groupLoader(
    (ids: readonly string[]) => repo.findDiagnosesByVisitIds(db, ids),
    (d) => d.visitId,
  );
  const settlementByVisitId = rowLoader(
    (ids: readonly string[]) => repo.findSettlementsByVisitIds(db, ids),
    (s) => s.visitId,
  );
  // A page's rows come with what their fields read: priming those loaders answers the fields without a statement.
  const visitOf = ({ visit, institution, settlement, diagnoses }: repo.VisitWithDetails) => {
    institutionById.prime(institution.id, institution);
    settlementByVisitId.prime(visit.id, settlement);
    diagnosesByVisitId.prime(visit.id, diagnoses);
    return visit;
  };
  const recordOf = ({ record, institution }: repo.RecordWithInstitution) => {
    institutionById.prime(institution.id, institution);
    return record;
  };
  return {
    institutionById,
    visitById: rowLoader(
      (ids: readonly string[]) => repo.findVisitsByIds(db, ids),
      (v) => v.id,
    ),
    diagnosesByVisitId,
    settlementByVisitId,
    recordById: rowLoader(
      (ids: readonly string[]) => repo.findRecordsByIds(db, ids),
      (r) => r.id,
    ),
    visitsPage: pagedLoader((page: Page) => list(repo.visitsPerHolder(page), visitOf)),
    recordsPage: pagedLoader((page: Page) => list(repo.recordsPerHolder(page), recordOf)),
  };
}

export type HealthLoaders = ReturnType<typeof createLoaders>;
