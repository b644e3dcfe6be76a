// A query for many holders with fields from every subgraph costs a bounded number of SQL statements per
// subgraph: the count must not grow with the number of holders.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './support/hub.js';
import { rowsOf } from './support/sql.js';

let hub: TestHub;
let idNumbers: string[];

beforeAll(async () => {
  hub = await startTestHub({ seedHolders: 120 });
  const rows = await rowsOf<{ id_number: string }>(hub.databases[0]!.database.db, sql`select id_number from hr.holders order by id_number limit 100`);
  idNumbers = rows.map((r) => r.id_number);
});
afterAll(async () => {
  await hub?.close();
});

// Holder-level fields of all five subgraphs, with nested lookups (card → events, bank; visit → institution).
export const ALL_DOMAINS = `
  id name registeredCity
  bankAccount { bank { name } }
  cards { cardNumber status events { type } physicalCard { cardNumber } }
  preferentialCertificates { nodes { kind status } }
  concessionCertificates { kind }
  reliefEntitlements { nodes { kind monthlyAmount } }
  transitFunctions { city operator }
  rides(first: 5) { nodes { mode fare } pageInfo { hasNextPage } }
  medicalVisits(first: 5) { nodes { kind diagnoses institution { name } settlement { total } } }
  healthRecords(first: 5) { nodes { summary } }
  venueAdmissions(first: 5) { nodes { concession venue { name } } }
  libraryLoans(first: 5) { nodes { title venue { name } } }`;

async function statementsFor(ids: string[]) {
  const before = hub.subgraphs.map((s) => s.statements.count);
  const result = await hub.ok(`query($ids: [String!]!) { holders(idNumbers: $ids) { ${ALL_DOMAINS} } }`, { ids });
  expect(result.holders.map((h: { name: string } | null) => h?.name)).toHaveLength(ids.length);
  return Object.fromEntries(hub.subgraphs.map((s, i) => [s.name, s.statements.count - before[i]!]));
}

// One statement per loader (per table a query touches); a loader may run twice when its keys arrive in two
// ticks (e.g. venues of admissions and of loans), which the database's timing decides, not the holder count.
const BOUND = 8;

it('issues a bounded number of statements per subgraph, the same bound for 100 holders as for 5', async () => {
  const few = await statementsFor(idNumbers.slice(0, 5));
  const many = await statementsFor(idNumbers);
  expect(Object.keys(many).sort()).toEqual(['civil-affairs', 'culture-tourism', 'governance', 'health', 'hr', 'transport']);
  // Governance holds no holder data: reading holders never reaches it.
  expect(many.governance).toBe(0);
  for (const [subgraph, count] of Object.entries(many)) {
    expect(count, subgraph).toBeLessThanOrEqual(BOUND);
    expect(count, subgraph).toBeLessThanOrEqual(few[subgraph]! + 1);
  }
});

it('answers in input order with data from every subgraph', async () => {
  const ids = [idNumbers[3]!, idNumbers[0]!];
  const data = await hub.ok(`query($ids: [String!]!) { holders(idNumbers: $ids) { id ${ALL_DOMAINS} } }`, { ids });
  const byId = await hub.ok(`query($a: String!, $b: String!) { a: holder(idNumber: $a) { id } b: holder(idNumber: $b) { id } }`, { a: ids[0], b: ids[1] });
  expect(data.holders.map((h: { id: string }) => h.id)).toEqual([byId.a.id, byId.b.id]);
  // Seeded transit functions carry rides; somewhere among 100 holders there are both.
  const all = await hub.ok(`query($ids: [String!]!) { holders(idNumbers: $ids) { ${ALL_DOMAINS} } }`, { ids: idNumbers });
  expect(all.holders.some((h: any) => h.rides.nodes.length > 0 && h.transitFunctions.length > 0)).toBe(true);
  for (const list of ['preferentialCertificates', 'medicalVisits', 'healthRecords', 'venueAdmissions', 'libraryLoans']) {
    expect(all.holders.some((h: any) => h[list].nodes.length > 0), list).toBe(true);
  }
});
