// Two hub replicas starting together on one empty database seed it once: the second finds the data and leaves it.
import { sql } from 'drizzle-orm';
import { afterAll, expect, it } from 'vitest';
import { openSubgraphDatabases, type SubgraphDatabases } from '../../hub/databases.js';
import { SUBGRAPHS } from '../../schema/manifest.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { rowsOf } from '../support/sql.js';

let database: TestDatabase | undefined;
const opened: SubgraphDatabases[] = [];

afterAll(async () => {
  for (const d of opened) await d.close();
  await database?.drop();
});

it('seeds every department once when two replicas seed at the same time', async () => {
  database = await createTestDatabase({ separate: true });
  const configs = SUBGRAPHS.map((s) => ({ name: s.name, database: database!.config }));
  const first = await openSubgraphDatabases(configs);
  opened.push(first);
  // Two processes on PostgreSQL; embedded, one process owns the folder, so the replicas share its handle.
  const second = database.config.kind === 'postgres' ? await openSubgraphDatabases(configs) : first;
  if (second !== first) opened.push(second);
  await Promise.all([first.migrate(), second.migrate()]);
  await Promise.all([first.seed({ holders: 40 }), second.seed({ holders: 40 })]);

  const count = async (table: string) =>
    Number((await rowsOf<{ n: string }>(first.of('hr').db, sql.raw(`select count(*) as n from ${table}`)))[0]!.n);
  expect(await count('hr.holders')).toBe(40);
  // Each department's demo data exists exactly once: seeding the same holders again gives no more rows.
  const once = {
    certificates: await count('civil_affairs.certificates'),
    venues: await count('culture_tourism.venues'),
    institutions: await count('health.medical_institutions'),
  };
  await first.seed({ holders: 40 });
  expect({
    certificates: await count('civil_affairs.certificates'),
    venues: await count('culture_tourism.venues'),
    institutions: await count('health.medical_institutions'),
  }).toEqual(once);
  expect(once.venues).toBeGreaterThan(0);
  expect(once.institutions).toBeGreaterThan(0);
});
