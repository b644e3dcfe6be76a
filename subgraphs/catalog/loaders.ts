// Per-request batching of the catalog's reads: the items of every version an answer names are one statement.
import type { Db } from '../../core/database.js';
import { groupLoader, rowLoader } from '../kit/loaders.js';
import { chinaDate } from '../kit/time.js';
import * as repo from './repository.js';

export function createLoaders(db: Db, now = new Date()) {
  return {
    now,
    today: chinaDate(now),
    versionById: rowLoader(
      (ids: readonly string[]) => repo.findVersionsByIds(db, ids),
      (v) => v.id,
    ),
    itemsByVersion: groupLoader(
      (ids: readonly string[]) => repo.itemsOfVersions(db, ids),
      (i) => i.versionId,
    ),
    credentialById: rowLoader(
      (ids: readonly string[]) => repo.findCredentialsByIds(db, ids),
      (c) => c.id,
    ),
  };
}

export type CatalogLoaders = ReturnType<typeof createLoaders>;
