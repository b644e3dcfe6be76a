// Per-request batching of every public security read: the licences of many holders are one statement, and the
// cards a round of verifyLicence calls presents are one call to hr.
import DataLoader from 'dataloader';
import type { Db } from '../../core/database.js';
import { holderLists } from '../kit/holder-lists.js';
import type { CardFacts, HrClient } from '../kit/hr-client.js';
import { rowLoader } from '../kit/loaders.js';
import { chinaDate } from '../kit/time.js';
import * as repo from './repository.js';

export function createLoaders(db: Db, hr: HrClient, now = new Date()) {
  const list = holderLists(db);
  return {
    today: chinaDate(now),
    licences: list(repo.licencesPerHolder()),
    licenceById: rowLoader(
      (ids: readonly string[]) => repo.findLicencesByIds(db, ids),
      (l) => l.id,
    ),
    /** Cards by their normalised number; null when hr has none. */
    card: new DataLoader<string, CardFacts | null>(async (numbers) => {
      const cards = await hr.cards(numbers);
      return numbers.map((n) => cards.get(n) ?? null);
    }),
  };
}

export type PublicSecurityLoaders = ReturnType<typeof createLoaders>;
