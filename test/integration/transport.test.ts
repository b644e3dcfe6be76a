// Transport through the real gateway: the transit function, ride batches, and the turnstile's decision, which
// federation assembles from hr (card status), civil affairs (certificates) and transport (transit function).
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { chinaDate } from '../../subgraphs/kit/time.js';
import { hubTest } from '../support/fixtures.js';
import { codes, type TestHub } from '../support/hub.js';
import { cardStep, holderWithActiveCard, registerBank } from '../support/hr.js';
import { RIDE_DECISION } from '../support/queries.js';

const it = hubTest();
it.beforeAll(async ({ hub }) => {
  await registerBank(hub, 'ICBC');
});

const key = () => randomUUID();
const LOAD = `mutation($input: LoadTransitFunctionInput!) { loadTransitFunction(input: $input) { cardNumber city operator loaded } }`;
const AUTHORIZE = `query($n: String!, $city: String!, $mode: RideMode!) {
  rideAuthorization(cardNumber: $n, city: $city, mode: $mode) { ${RIDE_DECISION} } }`;
const ISSUE_CERTIFICATE = `mutation($input: IssueCertificateInput!) { issuePreferentialCertificate(input: $input) { certificateNumber status } }`;
const RECORD = `mutation($input: RecordRidesInput!) { recordRides(input: $input) {
  recorded refused results { index ride { id cardNumber mode fare concession } error { code message } } } }`;

async function riderWithTransit(hub: TestHub) {
  const rider = await holderWithActiveCard(hub);
  await hub.ok(LOAD, {
    input: { idempotencyKey: key(), cardNumber: rider.cardNumber, city: '440100', operator: '羊城通' },
  });
  return rider;
}

function certificate(hub: TestHub, cardNumber: string, kind: string, validUntil?: string) {
  return hub.ok(ISSUE_CERTIFICATE, {
    input: {
      idempotencyKey: key(),
      holder: { cardNumber },
      certificateNumber: `T-${randomUUID().slice(0, 12)}`,
      kind,
      issuer: '440100',
      validFrom: '2020-01-01',
      ...(validUntil ? { validUntil } : {}),
      ...(kind === 'DISABILITY' ? { disabilityLevel: 2 } : {}),
    },
  });
}

const authorize = (hub: TestHub, n: string, mode = 'BUS', city = '440300') =>
  hub.ok(AUTHORIZE, { n, city, mode }).then((d) => d.rideAuthorization);

describe('rideAuthorization', () => {
  it('grants the elderly concession on an active card with a valid elderly certificate, in another city too (Art 4)', async ({
    hub,
  }) => {
    const { cardNumber } = await riderWithTransit(hub);
    await certificate(hub, cardNumber, 'ELDERLY');
    expect(await authorize(hub, cardNumber)).toEqual({
      allowed: true,
      refusal: null,
      concession: 'ELDERLY',
      discountPercent: 50,
    });
    // Concessions are for urban transit; a high-speed train is full fare for the elderly.
    expect(await authorize(hub, cardNumber, 'HIGH_SPEED_RAIL')).toMatchObject({
      allowed: true,
      concession: 'NONE',
      discountPercent: 0,
    });
  });

  it('refuses an active card past its expiry, and rides on its last day', async ({ hub }) => {
    const { cardNumber } = await riderWithTransit(hub);
    const setExpiry = (days: number) =>
      hub.rows(
        sql`update hr.cards set expires_on = (now() at time zone 'Asia/Shanghai')::date + ${days}::int where card_number = ${cardNumber}`,
      );
    await setExpiry(0);
    expect(await authorize(hub, cardNumber)).toMatchObject({ allowed: true, refusal: null });
    await setExpiry(-1);
    expect(await authorize(hub, cardNumber)).toEqual({
      allowed: false,
      refusal: 'CARD_NOT_USABLE',
      concession: 'NONE',
      discountPercent: 0,
    });
  });

  it('refuses a lost card', async ({ hub }) => {
    const { cardNumber } = await riderWithTransit(hub);
    await cardStep(hub, 'reportCardLoss', cardNumber);
    expect(await authorize(hub, cardNumber)).toEqual({
      allowed: false,
      refusal: 'CARD_NOT_USABLE',
      concession: 'NONE',
      discountPercent: 0,
    });
  });

  it('refuses a card without the transit function, and one whose function was unloaded', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    expect(await authorize(hub, cardNumber)).toMatchObject({ allowed: false, refusal: 'TRANSIT_NOT_LOADED' });
    await hub.ok(LOAD, { input: { idempotencyKey: key(), cardNumber, city: '440600', operator: '岭南通' } });
    expect(await authorize(hub, cardNumber)).toMatchObject({ allowed: true });
    await hub.ok(`mutation($input: UnloadTransitFunctionInput!) { unloadTransitFunction(input: $input) { loaded } }`, {
      input: { idempotencyKey: key(), cardNumber, city: '440600' },
    });
    expect(await authorize(hub, cardNumber)).toMatchObject({ allowed: false, refusal: 'TRANSIT_NOT_LOADED' });
  });

  it('charges full fare when the certificate has expired, and takes the best of several', async ({ hub }) => {
    const { cardNumber } = await riderWithTransit(hub);
    const yesterday = chinaDate(new Date(Date.now() - 86_400_000));
    await certificate(hub, cardNumber, 'DISABILITY', yesterday);
    expect(await authorize(hub, cardNumber)).toEqual({
      allowed: true,
      refusal: null,
      concession: 'NONE',
      discountPercent: 0,
    });
    await certificate(hub, cardNumber, 'ELDERLY');
    await certificate(hub, cardNumber, 'VETERAN', '2099-12-31');
    expect(await authorize(hub, cardNumber, 'METRO')).toMatchObject({ concession: 'VETERAN', discountPercent: 100 });
  });

  it('refuses an unknown card and says why for malformed input', async ({ hub }) => {
    expect(await authorize(hub, 'Z00000000')).toMatchObject({ allowed: false, refusal: 'CARD_NOT_USABLE' });
    expect(codes(await hub.query(AUTHORIZE, { n: 'bad', city: '440100', mode: 'BUS' }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await hub.query(AUTHORIZE, { n: 'Z00000000', city: '110100', mode: 'BUS' }))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});

describe('transit function', () => {
  it('is refused on a card that is not active, and for an unknown card', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    await cardStep(hub, 'cancelCard', cardNumber);
    expect(
      codes(
        await hub.query(LOAD, { input: { idempotencyKey: key(), cardNumber, city: '440100', operator: '羊城通' } }),
      ),
    ).toEqual(['CARD_NOT_USABLE']);
    expect(
      codes(
        await hub.query(LOAD, {
          input: { idempotencyKey: key(), cardNumber: 'Z00000000', city: '440100', operator: '羊城通' },
        }),
      ),
    ).toEqual(['CARD_NOT_FOUND']);
  });
});

describe('transit function replays', () => {
  it('returns the first result for a replayed load even after the card was lost', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const input = { idempotencyKey: key(), cardNumber, city: '440100', operator: '羊城通' };
    const first = await hub.ok(LOAD, { input });
    await cardStep(hub, 'reportCardLoss', cardNumber);
    expect(await hub.ok(LOAD, { input })).toEqual(first);
    // A new load on the lost card is refused.
    expect(codes(await hub.query(LOAD, { input: { ...input, idempotencyKey: key() } }))).toEqual(['CARD_NOT_USABLE']);
  });
});

describe('recordRides', () => {
  const ride = (cardNumber: string, extra: Record<string, unknown> = {}) => ({
    cardNumber,
    mode: 'METRO',
    city: '440100',
    line: '3号线',
    station: '体育西路',
    occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    fare: '4.00',
    ...extra,
  });
  const ridesOf = async (hub: TestHub, cardNumber: string) =>
    (
      await hub.ok(`query($n: String!) { holderByCard(cardNumber: $n) { rides(first: 500) { nodes { id } } } }`, {
        n: cardNumber,
      })
    ).holderByCard.rides.nodes as { id: string }[];

  it('records good rows, refuses bad ones each with its reason, and never half-applies a row', async ({ hub }) => {
    const { cardNumber } = await riderWithTransit(hub);
    const { cardNumber: bare } = await holderWithActiveCard(hub);
    const result = await hub.ok(RECORD, {
      input: {
        idempotencyKey: key(),
        rides: [
          ride(cardNumber),
          ride('Z00000000'),
          ride(bare),
          ride(cardNumber, { fare: '-1' }),
          ride(cardNumber, { mode: 'BUS', fare: '1.00', concession: 'ELDERLY' }),
        ],
      },
    });
    expect(result.recordRides).toMatchObject({ recorded: 2, refused: 3 });
    expect(result.recordRides.results.map((r: any) => r.error?.code ?? 'OK')).toEqual([
      'OK',
      'CARD_NOT_FOUND',
      'TRANSIT_NOT_LOADED',
      'BAD_USER_INPUT',
      'OK',
    ]);
    expect(result.recordRides.results[4].ride).toMatchObject({
      cardNumber,
      mode: 'BUS',
      fare: '1.00',
      concession: 'ELDERLY',
    });
    expect(await ridesOf(hub, cardNumber)).toHaveLength(2);
    expect(await ridesOf(hub, bare)).toHaveLength(0);
  });

  it('replays a batch by its idempotency key without recording anything twice, and refuses the key for another batch', async ({
    hub,
  }) => {
    const { cardNumber } = await riderWithTransit(hub);
    const input = { idempotencyKey: key(), rides: [ride(cardNumber), ride(cardNumber, { station: '珠江新城' })] };
    const first = await hub.ok(RECORD, { input });
    const again = await hub.ok(RECORD, { input });
    expect(again).toEqual(first);
    expect(await ridesOf(hub, cardNumber)).toHaveLength(2);
    // Concurrent retries of one batch also record it once.
    const racing = { idempotencyKey: key(), rides: [ride(cardNumber, { station: '客村' })] };
    await Promise.all(Array.from({ length: 5 }, () => hub.ok(RECORD, { input: racing })));
    expect(await ridesOf(hub, cardNumber)).toHaveLength(3);
    const reused = await hub.query(RECORD, { input: { ...input, rides: [ride(cardNumber, { fare: '9.00' })] } });
    expect(codes(reused)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
  });

  it('refuses a row with control characters or an impossible time on its own, echoing no raw input', async ({
    hub,
  }) => {
    const { cardNumber } = await riderWithTransit(hub);
    const result = await hub.ok(RECORD, {
      input: {
        idempotencyKey: key(),
        rides: [
          ride('Z0000\u00000000'),
          ride(cardNumber, { occurredAt: '0000-01-01T00:00:00Z' }),
          ride(cardNumber, { station: 'A\u0000B' }),
          ride('X'.repeat(100_000)),
          ride(cardNumber),
        ],
      },
    });
    expect(result.recordRides.results.map((r: any) => r.error?.code ?? 'OK')).toEqual([
      'CARD_NOT_FOUND',
      'BAD_USER_INPUT',
      'BAD_USER_INPUT',
      'CARD_NOT_FOUND',
      'OK',
    ]);
    expect(JSON.stringify(result).length).toBeLessThan(5_000);
  });

  it('refuses an empty batch and one of more than 1,000 rows', async ({ hub }) => {
    expect(codes(await hub.query(RECORD, { input: { idempotencyKey: key(), rides: [] } }))).toEqual(['BAD_USER_INPUT']);
    const many = Array.from({ length: 1001 }, () => ride('Z00000000'));
    expect(codes(await hub.query(RECORD, { input: { idempotencyKey: key(), rides: many } }))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });

  it("pages a holder's rides newest first, by cursor and by time range", async ({ hub }) => {
    const { cardNumber } = await riderWithTransit(hub);
    const base = Date.now() - 10 * 86_400_000;
    const rows = Array.from({ length: 7 }, (_, i) =>
      ride(cardNumber, { occurredAt: new Date(base + i * 86_400_000).toISOString(), station: `S${i}` }),
    );
    await hub.ok(RECORD, { input: { idempotencyKey: key(), rides: rows } });
    const PAGE = `query($n: String!, $after: String, $from: String, $to: String) { holderByCard(cardNumber: $n) {
      rides(first: 3, after: $after, from: $from, to: $to) { nodes { station } pageInfo { hasNextPage endCursor } } } }`;
    const stations: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await hub.ok(PAGE, { n: cardNumber, after })).holderByCard.rides;
      stations.push(...page.nodes.map((n: any) => n.station));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(stations).toEqual(['S6', 'S5', 'S4', 'S3', 'S2', 'S1', 'S0']);
    const ranged = (
      await hub.ok(PAGE, {
        n: cardNumber,
        from: new Date(base + 2 * 86_400_000).toISOString(),
        to: new Date(base + 4 * 86_400_000).toISOString(),
      })
    ).holderByCard.rides;
    expect(ranged.nodes.map((n: any) => n.station)).toEqual(['S3', 'S2']);
    expect(codes(await hub.query(PAGE, { n: cardNumber, after: 'nonsense' }))).toEqual(['BAD_USER_INPUT']);
    // A hand-made cursor whose id is no id, and a cursor of another list, are refused too.
    const forged = Buffer.from(JSON.stringify(['rides', new Date().toISOString(), 'abc'])).toString('base64url');
    expect(codes(await hub.query(PAGE, { n: cardNumber, after: forged }))).toEqual(['BAD_USER_INPUT']);
    const other = Buffer.from(JSON.stringify(['venueAdmissions', new Date().toISOString(), randomUUID()])).toString(
      'base64url',
    );
    expect(codes(await hub.query(PAGE, { n: cardNumber, after: other }))).toEqual(['BAD_USER_INPUT']);
  });

  it("pages rides at one instant without skipping any, and reads a bare day as Guangdong's day", async ({ hub }) => {
    const { cardNumber } = await riderWithTransit(hub);
    const sameInstant = '2025-01-01T07:00:00+08:00';
    await hub.ok(RECORD, {
      input: {
        idempotencyKey: key(),
        rides: Array.from({ length: 5 }, (_, i) => ride(cardNumber, { occurredAt: sameInstant, station: `T${i}` })),
      },
    });
    const PAGE = `query($n: String!, $after: String) { holderByCard(cardNumber: $n) { rides(first: 1, after: $after) { nodes { station } pageInfo { hasNextPage endCursor } } } }`;
    const seen: string[] = [];
    for (let after: string | null = null; ;) {
      const page: any = (await hub.ok(PAGE, { n: cardNumber, after })).holderByCard.rides;
      seen.push(...page.nodes.map((n: any) => n.station));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen.sort()).toEqual(['T0', 'T1', 'T2', 'T3', 'T4']);
    // 07:00 in Guangdong on 1 January is still 31 December in UTC.
    const DAY = `query($n: String!, $from: String, $to: String) { holderByCard(cardNumber: $n) { rides(from: $from, to: $to) { nodes { station } } } }`;
    expect(
      (await hub.ok(DAY, { n: cardNumber, from: '2025-01-01', to: '2025-01-02' })).holderByCard.rides.nodes,
    ).toHaveLength(5);
    expect(
      (await hub.ok(DAY, { n: cardNumber, from: '2024-12-31', to: '2025-01-01' })).holderByCard.rides.nodes,
    ).toHaveLength(0);
    expect(codes(await hub.query(DAY, { n: cardNumber, from: '1' }))).toEqual(['BAD_USER_INPUT']);
  });
});
