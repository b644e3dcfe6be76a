// The card as proof of identity (issue 13 §1) through the real gateway: a QR code the holder's app got from
// issueCardQr verifies once at a front desk, each fault with its own code, a replay refused at a second gateway
// (and, with Redis, at a second hr instance), a code signed before a key rotation still valid after it; the
// physical card verifies by number and chip code; every check is in the audit trail with its holder, operator
// and place.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect } from 'vitest';
import { startGateway } from '../../gateway/server.js';
import type { RunningServer } from '../../core/http.js';
import { serveSubgraph, type RunningSubgraph } from '../../subgraphs/kit/subgraph.js';
import { loadSubgraph } from '../../subgraphs/registry.js';
import { signQr } from '../../subgraphs/hr/qr-codes.js';
import { newQrKeyEntry, parseQrKeys, readQrKeys } from '../../subgraphs/hr/qr-keys.js';
import { hubTest } from '../support/fixtures.js';
import {
  codes,
  TEST_QR_KEYS,
  TEST_QR_SIGNING_KEYS,
  TEST_SUBGRAPH_SECRET,
  type Identity,
  type TestHub,
} from '../support/hub.js';
import { cardStep, holderWithActiveCard, registerBank } from '../support/hr.js';
import { callSubgraph, GATEWAY_CLAIMS } from '../support/subgraph.js';

const it = hubTest();
const APP: Identity = { client: 'province', purpose: 'HOLDER_SELF_SERVICE', operator: 'holder-app' };
const DESK: Identity = {
  client: 'city-440100',
  purpose: 'IDENTITY_VERIFICATION',
  operator: 'clerk-desk-7',
  place: 'hotel-440100-0032',
};

const ISSUE = `mutation($card: String!) { issueCardQr(cardNumber: $card) { payload expiresAt card { cardNumber } } }`;
const FIELDS = `method verifiedAt place cardNumber cardKind cardStatus issuingAuthority expiresOn name idType idNumber`;
const VERIFY = `query($payload: String!) { verifyCardQr(payload: $payload) { ${FIELDS} } }`;
const VERIFY_CARD = `query($card: String!, $code: String!) { verifyCard(cardNumber: $card, identificationCode: $code) { ${FIELDS} } }`;

let second: RunningServer | undefined;
let secondHr: RunningSubgraph | undefined;
let hrGateway: RunningServer | undefined;
afterAll(async () => {
  await second?.close();
  await hrGateway?.close();
  await secondHr?.close();
});

it.beforeAll(async ({ hub }) => {
  await registerBank(hub, 'ICBC');
  second = await startGateway(hub.gatewayConfig(), { database: hub.gateway.database });
});

async function issued(hub: TestHub, cardNumber: string): Promise<string> {
  const data = await hub.as(APP).ok(ISSUE, { card: cardNumber });
  return data.issueCardQr.payload as string;
}

/** A code signed with one of the test keys, as a hub holding only that key would sign it. */
async function signedWith(kid: keyof typeof TEST_QR_KEYS, card: { cardNumber: string; holderId: string }, at?: number) {
  const keys = readQrKeys({ QR_SIGNING_KEYS: `${kid}:${TEST_QR_KEYS[kid]}` });
  return (await signQr(keys, card, 60, at)).payload;
}

const kidOf = (payload: string) =>
  (JSON.parse(Buffer.from(payload.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

describe('a QR code', () => {
  it('is issued to the holder’s app, short enough for a QR code, and verifies once at a desk', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const answer = await hub.as(APP).ok(ISSUE, { card: cardNumber });
    const { payload, expiresAt } = answer.issueCardQr;
    expect(payload.length).toBeLessThanOrEqual(300);
    const life = Date.parse(expiresAt) - Date.now();
    expect(life).toBeGreaterThan(0);
    expect(life).toBeLessThanOrEqual(60_000);
    const verified = await hub.as(DESK).ok(VERIFY, { payload });
    expect(verified.verifyCardQr).toMatchObject({
      method: 'QR_CODE',
      place: 'hotel-440100-0032',
      cardNumber,
      cardKind: 'PHYSICAL',
      cardStatus: 'ACTIVE',
      issuingAuthority: '440100',
      name: holder.name,
      idType: 'RESIDENT_ID',
    });
    // The desk confirms who; it reads the number masked.
    expect(verified.verifyCardQr.idNumber).toBe(`${holder.idNumber.slice(0, 6)}********${holder.idNumber.slice(-4)}`);
    expect(codes(await hub.as(DESK).query(VERIFY, { payload }))).toEqual(['QR_REPLAYED']);
  });

  it('is refused as replayed at another gateway instance', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const payload = await issued(hub, cardNumber);
    await hub.as(DESK).ok(VERIFY, { payload });
    const elsewhere = await hub.as(DESK, second!.url).query(VERIFY, { payload });
    expect(codes(elsewhere)).toEqual(['QR_REPLAYED']);
    expect(elsewhere.data?.verifyCardQr).toBeNull();
  });

  it.skipIf(!process.env.REDIS_URL)(
    'is refused as replayed at another hr instance, which shares the spent nonces through Redis',
    async ({ hub }) => {
      const hrDatabase = hub.databases.find((d) => d.subgraphs.includes('hr'))!.database;
      secondHr = await serveSubgraph(await loadSubgraph('hr'), hrDatabase, {
        port: 0,
        host: '127.0.0.1',
        env: { ...process.env, SUBGRAPH_SECRET: TEST_SUBGRAPH_SECRET, QR_SIGNING_KEYS: TEST_QR_SIGNING_KEYS },
      });
      const config = hub.gatewayConfig();
      hrGateway = await startGateway(
        { ...config, subgraphUrls: { ...config.subgraphUrls, hr: secondHr.url } },
        { database: hub.gateway.database },
      );
      const { cardNumber } = await holderWithActiveCard(hub);
      const payload = await issued(hub, cardNumber);
      await hub.as(DESK).ok(VERIFY, { payload });
      expect(codes(await hub.as(DESK, hrGateway.url).query(VERIFY, { payload }))).toEqual(['QR_REPLAYED']);
    },
  );

  it('answers the gateway’s retry of the same request again, and any other request as a replay', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const payload = await issued(hub, cardNumber);
    const hr = hub.subgraphs.find((s) => s.name === 'hr')!;
    const claims = { ...GATEWAY_CLAIMS, requestId: randomUUID(), purpose: 'IDENTITY_VERIFICATION', place: 'desk-1' };
    const ask = (requestId: string) =>
      callSubgraph(hr.url, { query: VERIFY, variables: { payload } }, { ...claims, requestId });
    expect((await ask(claims.requestId)).body.errors).toBeUndefined();
    // A lost answer retried by the gateway carries the same request id: the same presentation.
    expect((await ask(claims.requestId)).body.errors).toBeUndefined();
    expect(codes((await ask(randomUUID())).body)).toEqual(['QR_REPLAYED']);
  });

  it('is refused once expired, changed, signed by a key the hub does not hold, or not a code at all', async ({
    hub,
  }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const card = { cardNumber, holderId: holder.id };
    const stale = await signedWith('test-new', card, Date.now() - 120_000);
    expect(codes(await hub.as(DESK).query(VERIFY, { payload: stale }))).toEqual(['QR_EXPIRED']);
    const early = await signedWith('test-new', card, Date.now() + 10 * 60_000);
    expect(codes(await hub.as(DESK).query(VERIFY, { payload: early }))).toEqual(['QR_INVALID_SIGNATURE']);

    const payload = await issued(hub, cardNumber);
    const [header, body, signature] = payload.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const otherCard = Buffer.from(JSON.stringify({ ...claims, c: 'A00000001' })).toString('base64url');
    expect(codes(await hub.as(DESK).query(VERIFY, { payload: `${header}.${otherCard}.${signature}` }))).toEqual([
      'QR_INVALID_SIGNATURE',
    ]);
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
    expect(codes(await hub.as(DESK).query(VERIFY, { payload: `${header}.${body}.${flipped}` }))).toEqual([
      'QR_INVALID_SIGNATURE',
    ]);
    // Another key under a kid the hub knows: the signature does not hold under the hub's key of that name.
    const foreignKeys = readQrKeys({ QR_SIGNING_KEYS: newQrKeyEntry('test-new').signing });
    const foreign = (await signQr(foreignKeys, card, 60)).payload;
    expect(codes(await hub.as(DESK).query(VERIFY, { payload: foreign }))).toEqual(['QR_INVALID_SIGNATURE']);

    for (const junk of ['', 'hello', 'a.b.c', 'x'.repeat(5000)]) {
      const answer = await hub.as(DESK).query(VERIFY, { payload: junk });
      expect(codes(answer)).toEqual(['BAD_USER_INPUT']);
      expect(answer.errors![0]!.extensions!.field).toBe('payload');
    }
    // None of the refusals spent the code the changed ones were made from.
    await hub.as(DESK).ok(VERIFY, { payload });
  });

  it('is refused once its card is lost since the code was shown, and is not issued for such a card', async ({
    hub,
  }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const payload = await issued(hub, cardNumber);
    expect((await cardStep(hub, 'reportCardLoss', cardNumber, { kind: 'FORMAL' })).errors).toBeUndefined();
    const answer = await hub.as(DESK).query(VERIFY, { payload });
    expect(codes(answer)).toEqual(['CARD_NOT_USABLE']);
    expect(answer.errors![0]!.extensions!.status).toBe('LOST');
    expect(codes(await hub.as(APP).query(ISSUE, { card: cardNumber }))).toEqual(['CARD_NOT_USABLE']);
  });

  it('is issued only to the holder’s own purpose, and verified only for identity verification', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const asHr = await hub.as({ client: 'province', purpose: 'HR_SERVICE' }).query(ISSUE, { card: cardNumber });
    expect(codes(asHr)).toEqual(['FORBIDDEN']);
    const payload = await issued(hub, cardNumber);
    const turnstile = await hub
      .as({ client: 'dept-transport', purpose: 'TRANSIT', operator: null, caseRef: null })
      .query(VERIFY, { payload });
    expect(turnstile.data?.verifyCardQr).toBeNull();
    expect(codes(turnstile)).toEqual(['FORBIDDEN']);
    // The refused purpose never reached hr: the code is still unspent.
    const noPlace = await hub.as({ ...DESK, place: null }).query(VERIFY, { payload });
    expect(codes(noPlace)).toEqual(['BAD_REQUEST']);
    expect(noPlace.errors![0]!.extensions!.header).toBe('x-place');
    await hub.as(DESK).ok(VERIFY, { payload });
  });

  it('signed before a key rotation still verifies after it; new codes carry the new key', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const beforeRotation = await signedWith('test-old', { cardNumber, holderId: holder.id });
    expect(kidOf(beforeRotation)).toBe('test-old');
    expect((await hub.as(DESK).ok(VERIFY, { payload: beforeRotation })).verifyCardQr.cardNumber).toBe(cardNumber);
    expect(kidOf(await issued(hub, cardNumber))).toBe('test-new');
  });
});

describe('a physical card', () => {
  it('verifies by its number and the identification code on its chip, and by nothing less', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const card = await hub.ok(`query($c: String!) { card(cardNumber: $c) { identificationCode } }`, { c: cardNumber });
    const code = card.card.identificationCode as string;
    const answer = await hub.as(DESK).ok(VERIFY_CARD, { card: cardNumber, code });
    expect(answer.verifyCard).toMatchObject({ method: 'PHYSICAL_CARD', cardNumber, name: holder.name });
    // A physical card can be checked as often as it is presented.
    await hub.as(DESK).ok(VERIFY_CARD, { card: cardNumber, code: code.toLowerCase() });
    const wrong = code.slice(0, 31) + (code.endsWith('0') ? '1' : '0');
    expect(codes(await hub.as(DESK).query(VERIFY_CARD, { card: cardNumber, code: wrong }))).toEqual([
      'CARD_NOT_VERIFIED',
    ]);
    expect(codes(await hub.as(DESK).query(VERIFY_CARD, { card: 'A00000009', code }))).toEqual(['CARD_NOT_VERIFIED']);
    const malformed = await hub.as(DESK).query(VERIFY_CARD, { card: cardNumber, code: 'short' });
    expect(codes(malformed)).toEqual(['BAD_USER_INPUT']);
    expect(malformed.errors![0]!.extensions!.field).toBe('identificationCode');
    // Refused by GraphQL itself before hr: coded and naming the variable all the same.
    const missing = await hub.as(DESK).query(VERIFY_CARD, { card: cardNumber });
    expect(codes(missing)).toEqual(['BAD_USER_INPUT']);
    expect(missing.errors![0]!.extensions!.field).toBe('code');
  });
});

describe('the audit trail', () => {
  it('records each check as an access to the holder, with the clerk and the place', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const payload = await issued(hub, cardNumber);
    await hub.as(DESK).ok(VERIFY, { payload });
    await hub.as(DESK).query(VERIFY, { payload });
    const rows = await hub.rows<{ holderIds: string[]; operator: string; place: string; outcome: string }>(sql`
      select holder_ids as "holderIds", operator, place, outcome from gateway.audit_records
      where purpose = 'IDENTITY_VERIFICATION' and ${holder.id}::uuid = any(holder_ids) order by seq`);
    expect(rows).toEqual([
      { holderIds: [holder.id], operator: 'clerk-desk-7', place: 'hotel-440100-0032', outcome: 'SUCCESS' },
    ]);
    const refused = await hub.rows<{ errorCodes: string[]; place: string }>(sql`
      select error_codes as "errorCodes", place from gateway.audit_records
      where purpose = 'IDENTITY_VERIFICATION' and 'QR_REPLAYED' = any(error_codes) and place = 'hotel-440100-0032'`);
    expect(refused.length).toBeGreaterThan(0);
    const log = await hub
      .as({ client: 'governance', purpose: 'GOVERNANCE_AUDIT', caseRef: 'GOV-2026-0001' })
      .ok(`query($h: ID!) { accessLog(filter: { holderId: $h }) { nodes { operator place purpose } } }`, {
        h: holder.id,
      });
    expect(log.accessLog.nodes).toContainEqual({
      operator: 'clerk-desk-7',
      place: 'hotel-440100-0032',
      purpose: 'IDENTITY_VERIFICATION',
    });
  });

  it('names the holder of a code issued, and of a card refused for its status', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    // The answer selects nothing of the holder's, yet the code stands for them.
    await hub.as(APP).ok(`mutation($card: String!) { issueCardQr(cardNumber: $card) { payload } }`, {
      card: cardNumber,
    });
    const payload = await issued(hub, cardNumber);
    expect((await cardStep(hub, 'reportCardLoss', cardNumber, { kind: 'FORMAL' })).errors).toBeUndefined();
    expect(codes(await hub.as(DESK).query(VERIFY, { payload }))).toEqual(['CARD_NOT_USABLE']);
    const rows = await hub.rows<{ purpose: string; outcome: string }>(sql`
      select purpose, outcome from gateway.audit_records
      where ${holder.id}::uuid = any(holder_ids) and purpose in ('HOLDER_SELF_SERVICE', 'IDENTITY_VERIFICATION')
      order by seq`);
    expect(rows).toEqual([
      { purpose: 'HOLDER_SELF_SERVICE', outcome: 'SUCCESS' },
      { purpose: 'HOLDER_SELF_SERVICE', outcome: 'SUCCESS' },
      { purpose: 'IDENTITY_VERIFICATION', outcome: 'PARTIAL' },
    ]);
  });
});

describe('QR_SIGNING_KEYS', () => {
  it('signs with the latest key whose start has come, and refuses a list it cannot use', () => {
    const entries = `a:${TEST_QR_KEYS['test-old']},b:${TEST_QR_KEYS['test-new']}@2030-01-01T00:00:00Z`;
    const keys = readQrKeys({ QR_SIGNING_KEYS: entries });
    expect(keys.signer(Date.parse('2029-12-31T23:59:59Z')).kid).toBe('a');
    expect(keys.signer(Date.parse('2030-01-01T00:00:00Z')).kid).toBe('b');
    expect(() => parseQrKeys('a:nonsense')).toThrow(/QR_SIGNING_KEYS/);
    expect(() => parseQrKeys(`a:${TEST_QR_KEYS['test-old']},a:${TEST_QR_KEYS['test-new']}`)).toThrow(/twice/);
  });
});
