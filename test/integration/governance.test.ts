// The governance view through the real gateway, over the audit trail the gateway really writes: who read a holder
// (for governance, and for the holder through the provincial platform), governance fields refused to everyone
// else, a client suspended on every gateway within a second and let back in, and each anomaly rule firing on a
// scripted pattern and silent on normal traffic. Traffic that happens now goes through the gateway; the week
// before it (the baselines) is appended with the gateway's own audit writer on a chain of its own, so the trail
// still verifies.
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect } from 'vitest';
import { auditHash } from '../../gateway/audit/audit-hash.js';
import type { AuditRecord } from '../../gateway/audit/record.js';
import { readAuditSettings } from '../../gateway/config.js';
import { verifyAuditChains } from '../../gateway/audit/verify.js';
import { openAuditWriter, type AuditWriter } from '../../gateway/audit/writer.js';
import { startGateway, type RunningGateway } from '../../gateway/server.js';
import {
  DENIAL_THRESHOLD,
  OFF_HOURS_FLOOR,
  OUT_OF_CITY_FLOOR,
  SURGE_FLOOR,
} from '../../subgraphs/governance/anomalies.js';
import { hubTest } from '../support/fixtures.js';
import { codes, READER, type Identity, type TestHub } from '../support/hub.js';
import { rowsOf } from '../support/sql.js';

const it = hubTest({ seedHolders: 160 });
/** Seeded holders, each with one of their physical cards (any status: holderByCard finds them all). */
let holders: { id: string; idNumber: string; cardNumber: string; city: string }[];
let fixtures: AuditWriter;

const GOVERNANCE: Identity = {
  client: 'governance',
  purpose: 'GOVERNANCE_AUDIT',
  operator: 'auditor-07',
  caseRef: 'GOV-2026-0042',
};
const HOUR_MS = 3_600_000;

it.beforeAll(async ({ hub }) => {
  holders = await rowsOf(
    hub.gateway.database.db,
    sql`
    select distinct on (h.id) h.id, h.id_number as "idNumber", c.card_number as "cardNumber", h.registered_city as city
    from hr.holders h join hr.cards c on c.holder_id = h.id and c.kind = 'PHYSICAL'
    order by h.id, c.card_number`,
  );
  holders.sort((a, b) => a.idNumber.localeCompare(b.idNumber));
  fixtures = await openAuditWriter(hub.gateway.database.db, { instance: 'governance-test-fixtures' });
});
afterAll(async () => {
  await fixtures?.close();
});

const governance = (hub: TestHub) => hub.as(GOVERNANCE);
/** Holders no other test of this file reads, taken in turn. */
const takeHolders = (n: number, where: (h: (typeof holders)[number]) => boolean = () => true) => {
  const taken = holders.filter(where).slice(0, n);
  expect(taken).toHaveLength(n);
  for (const h of taken) holders.splice(holders.indexOf(h), 1);
  return taken;
};

/** A past record, as the gateway's writer would have made it for a plain read. */
function pastRecord(
  client: { id: string; kind: string; city?: string },
  at: Date,
  holderIds: string[],
  purpose = 'TRANSIT',
): AuditRecord {
  const served = holderIds.length > 0 ? ['Holder.name', 'Query.holders'] : ['Query.banks'];
  return {
    recordedAt: at,
    requestId: randomUUID(),
    clientId: client.id,
    clientKind: client.kind,
    clientCity: client.city ?? null,
    operator: null,
    caseRef: null,
    place: null,
    purpose,
    operationType: 'query',
    operationName: 'Baseline',
    documentHash: '0'.repeat(64),
    variables: {},
    outcome: 'SUCCESS',
    errorCodes: [],
    durationMs: 3,
    holderIds,
    coordinates: served,
    deniedCoordinates: [],
    access: {
      holders: Object.fromEntries(holderIds.map((id) => [id, served])),
      unlinked: holderIds.length > 0 ? [] : served,
      denied: [],
    },
  };
}

const uuids = (n: number) => Array.from({ length: n }, () => randomUUID());

describe('holderAccessReport', () => {
  const REPORT = `query($n: String!) { holderAccessReport(idNumber: $n) {
    holderId total
    accesses { client { id kind name city } purpose categories count firstAt lastAt }
    recent { requestId at client { id } purpose categories outcome }
  } }`;

  it('lists every client that read the holder, to governance and to the holder through the provincial platform', async ({
    hub,
  }) => {
    const [holder] = takeHolders(1, (h) => h.city === '440100');
    const byCard = { c: holder!.cardNumber };
    const reads: [Identity, string, Record<string, string>][] = [
      [READER, `query($c: String!) { holderByCard(cardNumber: $c) { name cards { status } } }`, byCard],
      [
        { client: 'city-440100', purpose: 'IDENTITY_VERIFICATION' },
        `query($n: String!) { holder(idNumber: $n) { name idNumber } }`,
        { n: holder!.idNumber },
      ],
      [
        { client: 'dept-health', purpose: 'MEDICAL_SERVICE' },
        `query($c: String!) { holderByCard(cardNumber: $c) { medicalVisits { nodes { kind } } } }`,
        byCard,
      ],
      [
        { client: 'dept-transport', purpose: 'TRANSIT', operator: null, caseRef: null },
        `query($c: String!) { holderByCard(cardNumber: $c) { rides { nodes { fare } } } }`,
        byCard,
      ],
      [
        { client: 'city-440300', purpose: 'CULTURE_TOURISM', operator: null, caseRef: null },
        `query($c: String!) { holderByCard(cardNumber: $c) { venueAdmissions { nodes { city } } } }`,
        byCard,
      ],
    ];
    for (const [identity, query, variables] of reads) await hub.as(identity).ok(query, variables);

    const report = (await governance(hub).ok(REPORT, { n: holder!.idNumber })).holderAccessReport;
    expect(report.holderId).toBe(holder!.id);
    const entry = (client: string, purpose: string) =>
      report.accesses.find((a: any) => a.client.id === client && a.purpose === purpose);
    expect(report.accesses.map((a: any) => `${a.client.id} ${a.purpose}`).sort()).toEqual([
      'city-440100 IDENTITY_VERIFICATION',
      'city-440300 CULTURE_TOURISM',
      'dept-health MEDICAL_SERVICE',
      'dept-transport TRANSIT',
      'province HOLDER_SELF_SERVICE',
    ]);
    expect(entry('city-440100', 'IDENTITY_VERIFICATION')).toMatchObject({
      client: { kind: 'CITY', name: '广州市社会保障卡服务平台', city: '440100' },
      categories: ['BASIC', 'IDENTITY'],
      count: 1,
    });
    expect(entry('dept-health', 'MEDICAL_SERVICE').categories).toContain('HEALTH');
    expect(entry('dept-transport', 'TRANSIT').categories).toContain('TRAVEL');
    expect(entry('city-440300', 'CULTURE_TOURISM').categories).toContain('CULTURE');
    expect(entry('province', 'HOLDER_SELF_SERVICE').categories).toEqual(['BASIC']);
    for (const a of report.accesses) expect(a.firstAt <= a.lastAt).toBe(true);
    expect(report.total).toBe(5);
    expect(report.recent.map((r: any) => r.client.id)).toEqual([
      'city-440300',
      'dept-transport',
      'dept-health',
      'city-440100',
      'province',
    ]);
    expect(report.recent.every((r: any) => r.outcome === 'SUCCESS')).toBe(true);

    // The holder, through the provincial platform, sees the same readers, and governance's own look at the report.
    const own = (await hub.ok(REPORT, { n: holder!.idNumber })).holderAccessReport;
    expect(own.accesses.map((a: any) => `${a.client.id} ${a.purpose}`).sort()).toEqual([
      'city-440100 IDENTITY_VERIFICATION',
      'city-440300 CULTURE_TOURISM',
      'dept-health MEDICAL_SERVICE',
      'dept-transport TRANSIT',
      'governance GOVERNANCE_AUDIT',
      'province HOLDER_SELF_SERVICE',
    ]);
    expect(own.accesses.find((a: any) => a.client.id === 'governance').categories).toContain('AUDIT');
  });

  it('answers HOLDER_NOT_FOUND for a number nobody holds, BAD_USER_INPUT for one that is no number', async ({
    hub,
  }) => {
    expect(codes(await governance(hub).query(REPORT, { n: '11010519491231002X' }))).toEqual(['HOLDER_NOT_FOUND']);
    const bad = await governance(hub).query(REPORT, { n: 'not-a-number' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idNumber' });
  });
});

describe('accessLog', () => {
  const LOG = `query($f: AccessLogFilter, $first: Int, $after: String) { accessLog(filter: $f, first: $first, after: $after) {
    nodes { requestId at client { id name } operator caseRef purpose operationType operationName outcome errorCodes holderIds coordinates deniedCoordinates variables chainId seq }
    pageInfo { hasNextPage endCursor }
  } }`;

  it('pages a holder’s records newest first, by ID number or holder id, and filters by client, purpose and coordinate', async ({
    hub,
  }) => {
    const [holder] = takeHolders(1);
    const transit: Identity = { client: 'dept-transport', purpose: 'TRANSIT', operator: null, caseRef: null };
    await hub
      .as(transit)
      .ok(`query Turnstile($cardNumber: String!) { holderByCard(cardNumber: $cardNumber) { name } }`, {
        cardNumber: holder!.cardNumber,
      });
    const denied = await hub
      .as(transit)
      .query(`query Peek($c: String!) { holderByCard(cardNumber: $c) { name medicalVisits { nodes { kind } } } }`, {
        c: holder!.cardNumber,
      });
    expect(codes(denied)).toEqual(['FORBIDDEN']);
    await hub
      .as({ client: 'dept-health', purpose: 'MEDICAL_SERVICE', operator: 'dr-li', caseRef: 'ADM-88' })
      .ok(`query Visits($c: String!) { holderByCard(cardNumber: $c) { medicalVisits { nodes { kind } } } }`, {
        c: holder!.cardNumber,
      });

    const all = (await governance(hub).ok(LOG, { f: { idNumber: holder!.idNumber } })).accessLog;
    expect(all.nodes.map((n: any) => n.operationName)).toEqual(['Visits', 'Peek', 'Turnstile']);
    const [visits, peek, turnstile] = all.nodes;
    expect(visits).toMatchObject({
      client: { id: 'dept-health', name: '广东省卫生健康委员会' },
      operator: 'dr-li',
      caseRef: 'ADM-88',
      purpose: 'MEDICAL_SERVICE',
      operationType: 'query',
      outcome: 'SUCCESS',
      holderIds: [holder!.id],
      deniedCoordinates: [],
    });
    expect(visits.coordinates).toContain('Holder.medicalVisits');
    expect(peek).toMatchObject({
      outcome: 'PARTIAL',
      errorCodes: ['FORBIDDEN'],
      deniedCoordinates: ['Holder.medicalVisits'],
    });
    expect(turnstile.at < peek.at || turnstile.at === peek.at).toBe(true);
    // Identifiers in the variables are kept as their keyed hash: the card number is not stored.
    expect(JSON.parse(turnstile.variables)).toEqual({
      cardNumber: auditHash(readAuditSettings().hmacKey, holder!.cardNumber),
    });
    expect(Number(visits.seq)).toBeGreaterThan(0);

    // Page by page, the same records.
    const first = (await governance(hub).ok(LOG, { f: { holderId: holder!.id }, first: 2 })).accessLog;
    expect(first.nodes.map((n: any) => n.requestId)).toEqual([visits.requestId, peek.requestId]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (
      await governance(hub).ok(LOG, { f: { holderId: holder!.id }, first: 2, after: first.pageInfo.endCursor })
    ).accessLog;
    expect(second.nodes.map((n: any) => n.requestId)).toEqual([turnstile.requestId]);
    expect(second.pageInfo.hasNextPage).toBe(false);

    const only = async (f: Record<string, unknown>) =>
      (await governance(hub).ok(LOG, { f: { holderId: holder!.id, ...f } })).accessLog.nodes.map(
        (n: any) => n.operationName,
      );
    expect(await only({ client: 'dept-transport' })).toEqual(['Peek', 'Turnstile']);
    expect(await only({ purpose: 'MEDICAL_SERVICE' })).toEqual(['Visits']);
    // A coordinate finds both who read it and who was refused it.
    expect(await only({ coordinate: 'Holder.medicalVisits' })).toEqual(['Visits', 'Peek']);
    expect(await only({ from: visits.at })).toEqual(['Visits']);
    expect(await only({ to: peek.at })).toEqual(['Turnstile']);
  });

  it('refuses a malformed filter with BAD_USER_INPUT naming it', async ({ hub }) => {
    const field = async (f: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      (await governance(hub).query(LOG, { f, ...extra })).errors?.map((e) => [e.extensions?.code, e.extensions?.field]);
    expect(await field({ holderId: randomUUID(), idNumber: '11010519491231002X' })).toEqual([
      ['BAD_USER_INPUT', 'filter.holderId'],
    ]);
    expect(await field({ holderId: 'nope' })).toEqual([['BAD_USER_INPUT', 'filter.holderId']]);
    expect(await field({ coordinate: 'DROP TABLE' })).toEqual([['BAD_USER_INPUT', 'filter.coordinate']]);
    expect(await field({ from: 'yesterday' })).toEqual([['BAD_USER_INPUT', 'from']]);
    expect(await field({}, { first: 501 })).toEqual([['BAD_USER_INPUT', 'first']]);
    expect(await field({}, { after: 'bm90IGEgY3Vyc29y' })).toEqual([['BAD_USER_INPUT', 'after']]);
  });
});

describe('clientActivity', () => {
  it('counts a client’s requests, holders, purposes, outcomes and denials in a window', async ({ hub }) => {
    const seen = takeHolders(3);
    const client: Identity = { client: 'city-440900', purpose: 'TRANSIT', operator: null, caseRef: null };
    const from = new Date(Date.now() - 1_000).toISOString();
    for (const h of seen)
      await hub.as(client).ok(`query($c: String!) { holderByCard(cardNumber: $c) { name } }`, { c: h.cardNumber });
    await hub
      .as(client)
      .query(`query($c: String!) { holderByCard(cardNumber: $c) { medicalVisits { nodes { kind } } } }`, {
        c: seen[0]!.cardNumber,
      });
    await hub.as({ ...client, purpose: 'CULTURE_TOURISM' }).ok(`{ venues(city: "440900") { code } }`);
    // A write outside its domain: refused whole.
    const refused = await hub
      .as({ ...client, purpose: 'CULTURE_TOURISM' })
      .query(
        `mutation { registerVenue(input: { idempotencyKey: "k1", code: "X-1", name: "X", kind: MUSEUM, city: "440900" }) { code } }`,
      );
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    const to = new Date(Date.now() + 1_000).toISOString();

    const activity = (
      await governance(hub).ok(
        `query($from: String!, $to: String!) { clientActivity(clientId: "city-440900", from: $from, to: $to) {
      client { id kind name city } from to requests distinctHolders
      purposes { purpose count } outcomes { outcome count }
      denials { withDeniedFields deniedFields { coordinate count } refusedOperations forbiddenErrors recent { operationType outcome deniedCoordinates } }
    } }`,
        { from, to },
      )
    ).clientActivity;
    expect(activity).toMatchObject({
      client: { id: 'city-440900', kind: 'CITY', name: '茂名市社会保障卡服务平台', city: '440900' },
      requests: 6,
      distinctHolders: 3,
      purposes: [
        { purpose: 'TRANSIT', count: 4 },
        { purpose: 'CULTURE_TOURISM', count: 2 },
      ],
      outcomes: [
        { outcome: 'SUCCESS', count: 4 },
        { outcome: 'PARTIAL', count: 1 },
        { outcome: 'REFUSED', count: 1 },
      ],
      denials: {
        withDeniedFields: 1,
        deniedFields: [{ coordinate: 'Holder.medicalVisits', count: 1 }],
        refusedOperations: 1,
        // The refused write and the refused field both answered FORBIDDEN.
        forbiddenErrors: 2,
        recent: [
          { operationType: 'mutation', outcome: 'REFUSED', deniedCoordinates: [] },
          { operationType: 'query', outcome: 'PARTIAL', deniedCoordinates: ['Holder.medicalVisits'] },
        ],
      },
    });
    // Before the window: nothing.
    const before = (
      await governance(hub).ok(
        `{ clientActivity(clientId: "city-440900", from: "2020-01-01", to: "2020-02-01") { requests distinctHolders purposes { purpose } } }`,
      )
    ).clientActivity;
    expect(before).toEqual({ requests: 0, distinctHolders: 0, purposes: [] });
    expect(
      codes(
        await governance(hub).query(
          `{ clientActivity(clientId: "city-999999", from: "2020-01-01", to: "2020-02-01") { requests } }`,
        ),
      ),
    ).toEqual(['NOT_FOUND']);
    expect(
      codes(
        await governance(hub).query(
          `{ clientActivity(clientId: "province", from: "2020-02-01", to: "2020-01-01") { requests } }`,
        ),
      ),
    ).toEqual(['BAD_USER_INPUT']);
  });
});

describe('anomalies', () => {
  const ANOMALIES = `query($from: String!, $to: String!) { anomalies(from: $from, to: $to) {
    kind client { id kind city } from to measure threshold baseline description evidenceCount evidence { requestId at client { id } holderIds }
  } }`;

  /** Waits out the end of the hour if it is near: each scripted burst must fall within one hour. */
  async function awayFromHourEnd(marginMs = 30_000) {
    const left = HOUR_MS - (Date.now() % HOUR_MS);
    if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
  }

  it(
    'fires each rule on its scripted pattern, and is silent on normal traffic and on the baselines',
    { timeout: 120_000 },
    async ({ hub }) => {
      await awayFromHourEnd();
      const hour = Math.floor(Date.now() / HOUR_MS);
      const hourStart = (h: number) => new Date(h * HOUR_MS);
      const at = (h: number, minute = 17) => new Date(h * HOUR_MS + minute * 60_000);

      // ---- the week before, for the rules judged against a client's own baseline ----
      const past: AuditRecord[] = [];
      // A client reading about 4 holders an hour, and one reading 20, over 30 active hours.
      for (let i = 1; i <= 30; i++) {
        past.push(
          pastRecord({ id: 'dept-culture-tourism', kind: 'DEPARTMENT' }, at(hour - 5 * i), uuids(4), 'CULTURE_TOURISM'),
        );
        past.push(
          pastRecord(
            { id: 'dept-civil-affairs', kind: 'DEPARTMENT' },
            at(hour - 5 * i, 23),
            uuids(20),
            'PREFERENTIAL_TREATMENT',
          ),
        );
      }
      // A city platform active 30 hours of the week, never at this hour of the day; another active at this hour too.
      const offHours = Array.from({ length: 167 }, (_, i) => hour - 1 - i)
        .filter((h) => (hour - h) % 24 !== 0)
        .slice(0, 30);
      for (const h of offHours)
        past.push(pastRecord({ id: 'city-441400', kind: 'CITY', city: '441400' }, at(h, 5), []));
      for (const h of [...offHours.slice(0, 28), hour - 24, hour - 48])
        past.push(pastRecord({ id: 'city-441500', kind: 'CITY', city: '441500' }, at(h, 7), []));
      past.sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime());
      await Promise.all(past.map((r) => fixtures.append(r)));

      // ---- now, through the gateway ----
      const idNumbersOf = (hs: { idNumber: string }[]) => hs.map((h) => h.idNumber);
      const many = `query($n: [String!]!) { holders(idNumbers: $n) { name } }`;
      const surge = SURGE_FLOOR + 10;
      // (a) More distinct holders in an hour than the floor, with no baseline; over 5× a baseline of 4; under 5× a baseline of 20.
      await hub.as({ client: 'dept-hr', purpose: 'HR_SERVICE' }).ok(many, { n: idNumbersOf(takeHolders(surge)) });
      await hub
        .as({ client: 'dept-culture-tourism', purpose: 'CULTURE_TOURISM', operator: null, caseRef: null })
        .ok(many, { n: idNumbersOf(holders.slice(0, surge)) });
      await hub
        .as({ client: 'dept-civil-affairs', purpose: 'PREFERENTIAL_TREATMENT' })
        .ok(many, { n: idNumbersOf(holders.slice(0, surge)) });
      // (b) Fields refused again and again; and a few times, which is normal.
      const peek = `query($c: String!) { holderByCard(cardNumber: $c) { medicalVisits { nodes { kind } } } }`;
      for (let i = 0; i < DENIAL_THRESHOLD; i++)
        await hub
          .as({ client: 'city-441200', purpose: 'TRANSIT', operator: null, caseRef: null })
          .query(peek, { c: holders[i]!.cardNumber });
      for (let i = 0; i < DENIAL_THRESHOLD - 1; i++)
        await hub
          .as({ client: 'city-441300', purpose: 'TRANSIT', operator: null, caseRef: null })
          .query(peek, { c: holders[i]!.cardNumber });
      // Persisted queries the gateway has not seen yet (after a restart, say) are refused, but by no policy: not denials.
      const unseen = hub.as({ client: 'city-441300', purpose: 'TRANSIT', operator: null, caseRef: null });
      for (let i = 0; i < DENIAL_THRESHOLD; i++) {
        const { body } = await unseen.send({
          extensions: { persistedQuery: { version: 1, sha256Hash: randomBytes(32).toString('hex') } },
        });
        expect((body as any).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      }
      // (c) A city platform reading many holders of other cities by their cards; another reading a few.
      const byCards = (hs: { cardNumber: string }[]) =>
        `{ ${hs.map((h, i) => `h${i}: holderByCard(cardNumber: "${h.cardNumber}") { id }`).join(' ')} }`;
      const elsewhere = takeHolders(OUT_OF_CITY_FLOOR + 5, (h) => h.city !== '440400');
      await hub.as({ client: 'city-440400', purpose: 'TRANSIT', operator: null, caseRef: null }).ok(byCards(elsewhere));
      await hub
        .as({ client: 'city-440600', purpose: 'TRANSIT', operator: null, caseRef: null })
        .ok(byCards(holders.filter((h) => h.city !== '440600').slice(0, OUT_OF_CITY_FLOOR - 5)));
      // (d) Requests at an hour the client never works at; the same from a client that does; and from one with no baseline.
      for (const client of ['city-441400', 'city-441500', 'city-441600']) {
        for (let i = 0; i < OFF_HOURS_FLOOR; i++)
          await hub.as({ client, purpose: 'TRANSIT', operator: null, caseRef: null }).ok(`{ banks { code } }`);
      }
      expect(Math.floor(Date.now() / HOUR_MS)).toBe(hour);

      const found = (
        await governance(hub).ok(ANOMALIES, {
          from: hourStart(hour).toISOString(),
          to: hourStart(hour + 1).toISOString(),
        })
      ).anomalies;
      expect(found.map((a: any) => `${a.kind} ${a.client.id}`)).toEqual([
        'HOLDER_SURGE dept-culture-tourism',
        'HOLDER_SURGE dept-hr',
        'REPEATED_DENIALS city-441200',
        'OUT_OF_CITY_READS city-440400',
        'OFF_HOURS_ACCESS city-441400',
      ]);
      const of = (kind: string, client: string) => found.find((a: any) => a.kind === kind && a.client.id === client);
      for (const a of found)
        expect([a.from, a.to]).toEqual([hourStart(hour).toISOString(), hourStart(hour + 1).toISOString()]);

      expect(of('HOLDER_SURGE', 'dept-hr')).toMatchObject({
        measure: surge,
        threshold: SURGE_FLOOR,
        baseline: null,
        evidenceCount: 1,
      });
      expect(of('HOLDER_SURGE', 'dept-hr').evidence[0].holderIds).toHaveLength(surge);
      expect(of('HOLDER_SURGE', 'dept-culture-tourism')).toMatchObject({
        measure: surge,
        threshold: SURGE_FLOOR,
        baseline: 4,
        evidenceCount: 1,
      });

      const denials = of('REPEATED_DENIALS', 'city-441200');
      expect(denials).toMatchObject({
        measure: DENIAL_THRESHOLD,
        threshold: DENIAL_THRESHOLD,
        evidenceCount: DENIAL_THRESHOLD,
      });
      // The evidence is the trail's own records: the access log has them under the same request ids.
      const logged = (
        await governance(hub).ok(
          `query($from: String!) { accessLog(filter: { client: "city-441200", from: $from }, first: 50) { nodes { requestId } } }`,
          { from: hourStart(hour).toISOString() },
        )
      ).accessLog.nodes.map((n: any) => n.requestId);
      expect(denials.evidence.map((e: any) => e.requestId).sort()).toEqual([...logged].sort());

      expect(of('OUT_OF_CITY_READS', 'city-440400')).toMatchObject({
        client: { kind: 'CITY', city: '440400' },
        measure: OUT_OF_CITY_FLOOR + 5,
        threshold: OUT_OF_CITY_FLOOR,
        evidenceCount: 1,
      });
      expect(of('OUT_OF_CITY_READS', 'city-440400').evidence[0].holderIds.sort()).toEqual(
        elsewhere.map((h) => h.id).sort(),
      );

      expect(of('OFF_HOURS_ACCESS', 'city-441400')).toMatchObject({
        measure: OFF_HOURS_FLOOR,
        threshold: OFF_HOURS_FLOOR,
        baseline: 30,
        evidenceCount: OFF_HOURS_FLOOR,
      });
      for (const a of found) expect(a.description).toMatch(/\d/);

      // The week of baselines before: ordinary traffic, nothing to report.
      expect(
        (
          await governance(hub).ok(ANOMALIES, {
            from: hourStart(hour - 7 * 24).toISOString(),
            to: hourStart(hour).toISOString(),
          })
        ).anomalies,
      ).toEqual([]);
      // And the trail, fixtures included, still verifies.
      expect((await verifyAuditChains(hub.gateway.database.db, { record: false })).ok).toBe(true);
    },
  );

  it('refuses a window longer than 31 days or turned around', async ({ hub }) => {
    expect(codes(await governance(hub).query(ANOMALIES, { from: '2026-01-01', to: '2026-03-01' }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(codes(await governance(hub).query(ANOMALIES, { from: '2026-03-01', to: '2026-01-01' }))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});

describe('auditChainStatus', () => {
  it('shows each chain’s head and the latest verification', async ({ hub }) => {
    const STATUS = `{ auditChainStatus {
      latestVerification { verifiedAt ok firstBreak chains { chainId records lastSeq ok } }
      chains { chainId instance startedAt lastSeq lastAt verifiedSeq verifiedOk }
    } }`;
    await hub.ok(`{ banks { code } }`);
    const before = (await governance(hub).ok(STATUS)).auditChainStatus;
    const own = before.chains.find((c: any) => c.chainId === hub.gateway.audit.chainId);
    expect(Number(own.lastSeq)).toBeGreaterThan(0);
    expect(own.lastAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const report = await verifyAuditChains(hub.gateway.database.db);
    expect(report.ok).toBe(true);
    const after = (await governance(hub).ok(STATUS)).auditChainStatus;
    expect(after.latestVerification).toMatchObject({
      verifiedAt: report.verifiedAt.toISOString(),
      ok: true,
      firstBreak: null,
    });
    const walked = after.chains.find((c: any) => c.chainId === hub.gateway.audit.chainId);
    expect(walked.verifiedOk).toBe(true);
    expect(Number(walked.verifiedSeq)).toBeGreaterThanOrEqual(Number(own.lastSeq));
    expect(after.chains.map((c: any) => c.instance)).toContain('governance-test-fixtures');
  });
});

describe('field policy and writes', () => {
  const EVERYTHING = `{
    accessLog { nodes { requestId } }
    clientActivity(clientId: "province", from: "2026-01-01", to: "2027-01-01") { requests }
    anomalies(from: "2026-01-01", to: "2026-01-02") { kind }
    auditChainStatus { chains { chainId } }
    holderAccessReport(idNumber: "11010519491231002X") { total }
  }`;

  it.for<Identity>([
    { client: 'city-440100', purpose: 'IDENTITY_VERIFICATION' },
    { client: 'dept-health', purpose: 'MEDICAL_SERVICE' },
    { client: 'dept-hr', purpose: 'HR_SERVICE' },
    { client: 'province', purpose: 'SOCIAL_INSURANCE' },
  ])(
    'refuses every governance field to $client for $purpose, asking the governance subgraph nothing',
    async (identity, { hub }) => {
      const before = hub.statementCount('governance');
      const result = await hub.as(identity).query(EVERYTHING);
      expect(result.data).toEqual({
        accessLog: null,
        clientActivity: null,
        anomalies: null,
        auditChainStatus: null,
        holderAccessReport: null,
      });
      expect(
        result.errors?.map((e) => [e.extensions?.code, e.extensions?.coordinate, e.extensions?.category]).sort(),
      ).toEqual([
        ['FORBIDDEN', 'Query.accessLog', 'AUDIT'],
        ['FORBIDDEN', 'Query.anomalies', 'AUDIT'],
        ['FORBIDDEN', 'Query.auditChainStatus', 'AUDIT'],
        ['FORBIDDEN', 'Query.clientActivity', 'AUDIT'],
        ['FORBIDDEN', 'Query.holderAccessReport', 'AUDIT'],
      ]);
      expect(hub.statementCount('governance')).toBe(before);
    },
  );

  it('gives the provincial platform serving a holder their access report, and nothing else of governance', async ({
    hub,
  }) => {
    const result = await hub.query(EVERYTHING);
    // holderAccessReport was asked (and found nobody); the other four were refused.
    expect(
      result.errors?.map((e) => [e.extensions?.code, e.extensions?.coordinate ?? e.path?.join('.')]).sort(),
    ).toEqual([
      ['FORBIDDEN', 'Query.accessLog'],
      ['FORBIDDEN', 'Query.anomalies'],
      ['FORBIDDEN', 'Query.auditChainStatus'],
      ['FORBIDDEN', 'Query.clientActivity'],
      ['HOLDER_NOT_FOUND', 'holderAccessReport'],
    ]);
  });

  it.for<Identity>([
    { client: 'province', purpose: 'HR_SERVICE' },
    { client: 'city-440100', purpose: 'HR_SERVICE' },
    { client: 'dept-hr', purpose: 'HR_SERVICE' },
  ])('lets only governance suspend: $client is refused with 403', async (identity, { hub }) => {
    const { status, body } = await hub
      .as(identity)
      .post(`mutation { suspendClient(clientId: "city-441800", reason: "not mine to do") { status } }`);
    expect(status).toBe(403);
    expect(body.errors![0]!.extensions).toMatchObject({
      code: 'FORBIDDEN',
      coordinate: 'Mutation.suspendClient',
      domain: 'governance',
    });
    expect(hub.gateway.register.get('city-441800')?.status).toBe('ACTIVE');
  });

  it('lets governance write nothing but governance', async ({ hub }) => {
    const result = await governance(hub).query(
      `mutation { registerBank(input: { idempotencyKey: "refused-write-01", code: "GOV", name: "Not a bank" }) { code } }`,
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      coordinate: 'Mutation.registerBank',
      domain: 'hr',
    });
  });
});

describe('suspendClient and reinstateClient', () => {
  const SUSPEND = `mutation($id: String!, $reason: String!) { suspendClient(clientId: $id, reason: $reason) { client { id name } status reason changedAt } }`;
  const REINSTATE = `mutation($id: String!, $reason: String!) { reinstateClient(clientId: $id, reason: $reason) { client { id } status reason changedAt } }`;
  let second: RunningGateway | undefined;
  afterAll(async () => {
    await second?.close();
  });

  it('refuses the client on every gateway within a second, and lets it back in as fast', async ({ hub }) => {
    // Another gateway instance in front of the same subgraphs and database, as a deployment runs several.
    second = await startGateway(hub.gatewayConfig(), { database: hub.gateway.database });
    const target: Identity = { client: 'city-441700', purpose: 'TRANSIT', operator: null, caseRef: null };
    const status = async (url: string) => (await hub.as(target, url).post('{ banks { code } }')).status;
    const everywhere = async () => [await status(hub.gatewayUrl), await status(second!.url)];
    expect(await everywhere()).toEqual([200, 200]);

    const suspended = (
      await governance(hub).ok(SUSPEND, {
        id: 'city-441700',
        reason: 'Art 17: bulk reads under investigation, ticket GOV-42',
      })
    ).suspendClient;
    const suspendedAt = Date.now();
    expect(suspended).toMatchObject({
      client: { id: 'city-441700', name: '阳江市社会保障卡服务平台' },
      status: 'SUSPENDED',
      reason: 'Art 17: bulk reads under investigation, ticket GOV-42',
    });
    await expect.poll(everywhere, { timeout: 1_000, interval: 20 }).toEqual([401, 401]);
    expect(Date.now() - suspendedAt).toBeLessThan(1_000);

    const reinstated = (
      await governance(hub).ok(REINSTATE, { id: 'city-441700', reason: 'investigation closed, GOV-42' })
    ).reinstateClient;
    const reinstatedAt = Date.now();
    expect(reinstated).toMatchObject({ status: 'ACTIVE', reason: 'investigation closed, GOV-42' });
    expect(reinstated.changedAt >= suspended.changedAt).toBe(true);
    await expect.poll(everywhere, { timeout: 1_000, interval: 20 }).toEqual([200, 200]);
    expect(Date.now() - reinstatedAt).toBeLessThan(1_000);

    // Both changes are in the audit trail, with the officer and case that made them.
    const log = (
      await governance(hub).ok(
        `{ accessLog(filter: { client: "governance", coordinate: "Mutation.suspendClient" }) { nodes { operator caseRef outcome } } }`,
      )
    ).accessLog.nodes;
    expect(log).toEqual([{ operator: GOVERNANCE.operator, caseRef: GOVERNANCE.caseRef, outcome: 'SUCCESS' }]);
  });

  it('refuses an unknown client, an empty reason, and governance suspending itself', async ({ hub }) => {
    expect(codes(await governance(hub).query(SUSPEND, { id: 'city-999999', reason: 'x' }))).toEqual(['NOT_FOUND']);
    expect(codes(await governance(hub).query(SUSPEND, { id: 'Not An Id', reason: 'x' }))).toEqual(['BAD_USER_INPUT']);
    expect(
      (await governance(hub).query(SUSPEND, { id: 'city-441800', reason: '   ' })).errors?.[0]?.extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect(
      (await governance(hub).query(SUSPEND, { id: 'governance', reason: 'oops' })).errors?.[0]?.extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'clientId' });
    expect(hub.gateway.register.get('governance')?.status).toBe('ACTIVE');
    expect(hub.gateway.register.get('city-441800')?.status).toBe('ACTIVE');
  });
});
