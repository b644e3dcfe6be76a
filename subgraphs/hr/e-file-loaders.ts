// Per-request loaders of social insurance and the e-file library. They take hr's own `list` (holderLists), so a
// holder's enrolments, contributions and e-file entries go to the database in the one statement that also reads
// their cards and bank account.
import type { Db } from '../../core/database.js';
import type { holderLists } from '../kit/holder-lists.js';
import { pagedLoader, rowLoader } from '../kit/loaders.js';
import type { Page } from '../kit/pagination.js';
import * as repo from './e-file-repository.js';

export function eFileLoaders(db: Db, list: ReturnType<typeof holderLists>) {
  const enrolmentById = rowLoader(
    (ids: readonly string[]) => repo.findEnrolmentsByIds(db, ids),
    (e) => e.id,
  );
  // A contribution's enrolment comes with it and primes the loader its `enrolment` field reads.
  const contributionOf = ({ contribution, enrolment }: repo.ContributionWithEnrolment) => {
    enrolmentById.prime(enrolment.id, enrolment);
    return contribution;
  };
  return {
    enrolmentById,
    enrolmentsPage: pagedLoader((page: Page) => list(repo.enrolmentsPerHolder(page))),
    contributionsPage: pagedLoader((page: Page) => list(repo.contributionsPerHolder(page), contributionOf)),
    employmentPeriodsPage: pagedLoader((page: Page) => list(repo.employmentPeriodsPerHolder(page))),
    trainingRecordsPage: pagedLoader((page: Page) => list(repo.trainingRecordsPerHolder(page))),
    qualificationsPage: pagedLoader((page: Page) => list(repo.qualificationsPerHolder(page))),
    labourContractsPage: pagedLoader((page: Page) => list(repo.labourContractsPerHolder(page))),
  };
}
