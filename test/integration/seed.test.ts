// Demo data: deterministic, spread over all 21 cities, every card status, residents of Hong Kong, Macau and Taiwan.
import { sql, type SQL } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { seedHr } from '../../seed/hr.js';
import { CITY_CODES } from '../../subgraphs/kit/cities.js';
import { hubTest } from '../support/fixtures.js';
import type { TestHub } from '../support/hub.js';

const lines: string[] = [];
// The default, so the README's examples are checked against exactly what `npm start` seeds.
const HOLDERS = 1000;

const it = hubTest({ seedHolders: HOLDERS });

const column = async (hub: TestHub, query: SQL) =>
  (await hub.rows<Record<string, string>>(query)).map((r) => Object.values(r)[0]).sort();
const count = async (hub: TestHub, query: SQL) =>
  Number(Object.values((await hub.rows<Record<string, unknown>>(query))[0]!)[0]);

describe('npm run seed', () => {
  it('covers every city, every card status and every kind of identity document', async ({ hub }) => {
    expect(await column(hub, sql`select distinct registered_city from hr.holders`)).toEqual([...CITY_CODES].sort());
    expect(await column(hub, sql`select distinct status from hr.cards`)).toEqual([
      'ACTIVE',
      'APPLIED',
      'CANCELLED',
      'LOST',
      'REPLACED',
    ]);
    expect(await column(hub, sql`select distinct id_type from hr.holders`)).toEqual([
      'FOREIGN_PERMANENT_RESIDENT',
      'HK_MACAU_RESIDENCE_PERMIT',
      'HK_MACAU_TRAVEL_PERMIT',
      'RESIDENT_ID',
      'TAIWAN_RESIDENCE_PERMIT',
      'TAIWAN_TRAVEL_PERMIT',
    ]);
    expect(await count(hub, sql`select count(*) from hr.holders`)).toBe(HOLDERS);
  });

  it('is deterministic: the demo holder and card the README shows are there, and served through the gateway', async ({
    hub,
  }) => {
    await seedHr(hub.databases[0]!.database, { holders: HOLDERS, log: (l) => lines.push(l) });
    expect(lines).toEqual(['hr: holders already present, demo data left as it is']);
    const data = await hub.ok(
      `{ holderByCard(cardNumber: "L00100718") { idNumber name registeredCity cards { cardNumber kind status } } }`,
    );
    expect(data.holderByCard).toMatchObject({
      idNumber: '440182200510121805',
      name: '吴英玲',
      registeredCity: '440100',
    });
    expect(data.holderByCard.cards).toContainEqual({ cardNumber: 'L00100718', kind: 'PHYSICAL', status: 'ACTIVE' });
  });

  it("has the README's five-department holder, with data from every department", async ({ hub }) => {
    const data = await hub.ok(`{ holderByCard(cardNumber: "G35975798") {
      name concessionCertificates { kind } medicalVisits(first: 1) { nodes { kind } } rides(first: 1) { nodes { mode } }
      venueAdmissions(first: 1) { nodes { concession } } }
      rideAuthorization(cardNumber: "G35975798", city: "440300", mode: METRO) { allowed concession discountPercent } }`);
    expect(data.holderByCard.name).toBe('邓强');
    expect(data.holderByCard.concessionCertificates).toEqual([{ kind: 'ELDERLY' }]);
    for (const list of ['medicalVisits', 'rides', 'venueAdmissions'])
      expect(data.holderByCard[list].nodes, list).toHaveLength(1);
    expect(data.rideAuthorization).toEqual({ allowed: true, concession: 'ELDERLY', discountPercent: 50 });
  });

  it('gives every seeded ID number a valid check character, and every card a history', async ({ hub }) => {
    const holders = await hub.ok(`query($ids: [String!]!) { holders(idNumbers: $ids) { id } }`, {
      ids: await column(hub, sql`select id_number from hr.holders order by id_number limit 100`),
    });
    expect(holders.holders.every((h: unknown) => h !== null)).toBe(true);
    expect(
      await count(
        hub,
        sql`select count(*) from hr.cards c where not exists (select 1 from hr.card_events e where e.card_id = c.id)`,
      ),
    ).toBe(0);
  });
});
