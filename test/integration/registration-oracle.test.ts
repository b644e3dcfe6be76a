// No registration oracle (issue 12 §4): a city platform looking up by ID number a holder registered in another city
// gets exactly the answer a number nobody holds gets (null in a list, HOLDER_NOT_FOUND alone), so 100 numbers a
// field and 1,000 aliases a request no longer tell "registered elsewhere" from "not registered". hr counts such
// lookups in its access report, the gateway's audit record carries the count (no identifiers), and governance's
// anomalies name a city platform probing other cities' registers (REGION_PROBING). The provincial platform, which
// has no region, is served as before.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { REGION_PROBE_FLOOR } from '../../subgraphs/governance/anomalies.js';
import { hubTest } from '../support/fixtures.js';
import { READER, type Identity, type TestHub } from '../support/hub.js';
import { idNumber, randomBirth } from '../support/identities.js';
import { rowsOf } from '../support/sql.js';

const it = hubTest({ seedHolders: 400 });
const HOUR_MS = 3_600_000;
const GUANGZHOU: Identity = { client: 'city-440100', purpose: 'IDENTITY_VERIFICATION' };
const SHENZHEN: Identity = { client: 'city-440300', purpose: 'IDENTITY_VERIFICATION' };
/** The prober: a city the other tests' lookups leave alone, so its hour counts only what this test sends. */
const FOSHAN: Identity = { client: 'city-440600', purpose: 'IDENTITY_VERIFICATION' };
const GOVERNANCE: Identity = { client: 'governance', purpose: 'GOVERNANCE_AUDIT' };

interface Seeded {
  id: string;
  idNumber: string;
  city: string;
}
let all: Seeded[];
let own: Seeded[];
/** Holders registered outside Guangzhou. */
let elsewhere: Seeded[];
/** Valid numbers nobody holds. */
let unknown: string[];

it.beforeAll(async ({ hub }) => {
  const holders = await hub.rows<Seeded>(
    sql`select id, id_number as "idNumber", registered_city as city from hr.holders order by id_number`,
  );
  all = holders;
  own = holders.filter((h) => h.city === '440100');
  elsewhere = holders.filter((h) => h.city !== '440100' && h.city !== '440300');
  expect(own.length).toBeGreaterThan(0);
  expect(elsewhere.length).toBeGreaterThanOrEqual(220);
  const taken = new Set(holders.map((h) => h.idNumber));
  unknown = Array.from({ length: 100 }, () => idNumber('440106', randomBirth())).filter((n) => !taken.has(n));
});

const HOLDERS = (name: string) => `query ${name}($n: [String!]!) { holders(idNumbers: $n) { name registeredCity } }`;
const HOLDER = `query($n: String!) { holder(idNumber: $n) { name registeredCity } }`;

it('answers a city platform another city’s holders exactly as numbers nobody holds', async ({ hub }) => {
  const city = hub.as(GUANGZHOU);
  const [other, nobody] = [elsewhere[0]!.idNumber, unknown[0]!];
  const inList = [await city.post(HOLDERS('Q'), { n: [other] }), await city.post(HOLDERS('Q'), { n: [nobody] })];
  expect(inList[0]).toMatchObject({ status: 200, body: { data: { holders: [null] } } });
  expect(inList[0]!.body.errors).toBeUndefined();
  expect([inList[0]!.status, inList[0]!.body]).toEqual([inList[1]!.status, inList[1]!.body]);

  const alone = [await city.post(HOLDER, { n: other }), await city.post(HOLDER, { n: nobody })];
  expect(alone[0]!.body.errors?.map((e) => e.extensions?.code)).toEqual(['HOLDER_NOT_FOUND']);
  expect([alone[0]!.status, alone[0]!.body]).toEqual([alone[1]!.status, alone[1]!.body]);
  expect(JSON.stringify(alone[0]!.body)).not.toContain(elsewhere[0]!.city);

  // 100 of them in one field: 100 nulls, no error to count; the city's own holders still served.
  const mixed = await city.post(HOLDERS('Mixed'), {
    n: [own[0]!.idNumber, ...elsewhere.slice(0, 99).map((h) => h.idNumber)],
  });
  expect(mixed.body.errors).toBeUndefined();
  expect(mixed.body.data.holders[0]).toMatchObject({ registeredCity: '440100' });
  expect(mixed.body.data.holders.slice(1)).toEqual(Array(99).fill(null));
  expect((await city.ok(HOLDER, { n: own[0]!.idNumber })).holder.registeredCity).toBe('440100');
});

it('serves the provincial platform (no region) every city’s holders, as before', async ({ hub }) => {
  const ids = [own[0]!, ...elsewhere.slice(0, 3)];
  const all = await hub.as(READER).ok(HOLDERS('Province'), { n: ids.map((h) => h.idNumber) });
  expect(all.holders.map((h: { registeredCity: string }) => h.registeredCity)).toEqual(ids.map((h) => h.city));
  expect((await hub.as(READER).ok(HOLDER, { n: elsewhere[0]!.idNumber })).holder.registeredCity).toBe(
    elsewhere[0]!.city,
  );
});

/** The records of requests with this operation name: the out-of-region count, holders named, the access JSON. */
const recordsOf = (hub: TestHub, name: string) =>
  rowsOf<{ outOfRegion: number | null; holders: number; access: string }>(
    hub.gateway.database.db,
    sql`select (access->>'outOfRegion')::int as "outOfRegion", cardinality(holder_ids)::int as holders,
      access::text as access from gateway.audit_records where operation_name = ${name} order by seq`,
  );

it(
  'counts out-of-region lookups in the audit record, naming no one, and shows a city probing 200 as REGION_PROBING',
  { timeout: 60_000 },
  async ({ hub }) => {
    // Each burst must fall within one hour.
    const left = HOUR_MS - (Date.now() % HOUR_MS);
    if (left < 20_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
    const hour = Math.floor(Date.now() / HOUR_MS);

    // Foshan probes 200 numbers of other cities, 100 a field, and looks up numbers nobody holds (not counted);
    // Shenzhen a few (a visitor's number tried at a counter before the card); the province reads other cities'.
    const probe = `Probe${randomUUID().slice(0, 8)}`;
    const probed = all.filter((h) => h.city !== '440600').slice(0, 200);
    expect(probed).toHaveLength(200);
    for (const batch of [probed.slice(0, 100), probed.slice(100)])
      await hub.as(FOSHAN).ok(HOLDERS(probe), { n: batch.map((h) => h.idNumber) });
    const few = `Few${randomUUID().slice(0, 8)}`;
    await hub.as(SHENZHEN).ok(HOLDERS(few), { n: elsewhere.slice(0, REGION_PROBE_FLOOR - 5).map((h) => h.idNumber) });
    const nobody = `Nobody${randomUUID().slice(0, 8)}`;
    await hub.as(FOSHAN).ok(HOLDERS(nobody), { n: unknown });
    const province = `Province${randomUUID().slice(0, 8)}`;
    await hub.as(READER).ok(HOLDERS(province), { n: elsewhere.slice(0, 30).map((h) => h.idNumber) });
    expect(Math.floor(Date.now() / HOUR_MS)).toBe(hour);

    const probes = await recordsOf(hub, probe);
    expect(probes.map((r) => [r.outOfRegion, r.holders])).toEqual([
      [100, 0],
      [100, 0],
    ]);
    for (const r of probes) for (const h of probed) expect(r.access).not.toContain(h.id);
    expect((await recordsOf(hub, few)).map((r) => r.outOfRegion)).toEqual([REGION_PROBE_FLOOR - 5]);
    expect((await recordsOf(hub, nobody)).map((r) => r.outOfRegion)).toEqual([null]);
    expect((await recordsOf(hub, province)).map((r) => [r.outOfRegion, r.holders])).toEqual([[null, 30]]);

    const found = (
      await hub.as(GOVERNANCE).ok(
        `query($from: String!, $to: String!) { anomalies(from: $from, to: $to) {
          kind client { id kind city } measure threshold description evidenceCount evidence { requestId operationName holderIds }
        } }`,
        { from: new Date(hour * HOUR_MS).toISOString(), to: new Date((hour + 1) * HOUR_MS).toISOString() },
      )
    ).anomalies.filter((a: { kind: string }) => a.kind === 'REGION_PROBING');
    const of = (clientId: string) => found.filter((a: { client: { id: string } }) => a.client.id === clientId);
    // A few out-of-region lookups in an hour are a counter's ordinary business; the province has no region.
    expect([...of('city-440300'), ...of('province')]).toEqual([]);
    // (Guangzhou's lookups in the tests above may show too, by the hour they fell in.)
    expect(of('city-440600')).toEqual([
      {
        kind: 'REGION_PROBING',
        client: { id: 'city-440600', kind: 'CITY', city: '440600' },
        measure: 200,
        threshold: REGION_PROBE_FLOOR,
        description: expect.stringContaining('200'),
        evidenceCount: 2,
        evidence: [
          expect.objectContaining({ operationName: probe, holderIds: [] }),
          expect.objectContaining({ operationName: probe, holderIds: [] }),
        ],
      },
    ]);
  },
);
