// Per-request batching of the governance reads that repeat across a page: the register entry behind every
// record's client is one statement for the whole answer.
import type { Db } from '../../core/database.js';
import { rowLoader } from '../kit/loaders.js';
import * as repo from './repository.js';

export function createLoaders(db: Db) {
  return {
    clientById: rowLoader(
      (ids: readonly string[]) => repo.findClients(db, ids),
      (c) => c.id,
    ),
  };
}

export type GovernanceLoaders = ReturnType<typeof createLoaders>;
