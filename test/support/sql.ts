// Raw SQL in tests, for looking behind the hub's back. The drivers shape results differently (PGlite returns
// `{ rows }`, postgres.js an array); this returns plain rows either way.
import type { SQL } from 'drizzle-orm';
import type { Db } from '../../subgraphs/shared/database.js';

export async function rowsOf<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}
