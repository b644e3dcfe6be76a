// Public security through the real gateway: electronic licences linked to the holder (Art 9), read by identity
// verification as validity and classes only, by the holder in full, by nobody else; verifyLicence answers an office
// from the card presented; only public security writes them; every read is in the audit trail under its holder.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { hubTest } from '../support/fixtures.js';
import { codes, type GraphQLResponse, type Identity, type TestHub } from '../support/hub.js';
import { cardStep, holderWithActiveCard, registerBank, registerHolder } from '../support/hr.js';
import { chinaDate } from '../../subgraphs/kit/time.js';
import { rowsOf } from '../support/sql.js';

const it = hubTest();

const POLICE: Identity = { client: 'dept-public-security', purpose: 'IDENTITY_VERIFICATION' };
const OFFICE: Identity = { client: 'city-440100', purpose: 'IDENTITY_VERIFICATION' };
const SELF: Identity = { client: 'province', purpose: 'HOLDER_SELF_SERVICE' };
/** Purposes with no business knowing anyone's licences. */
const OUTSIDERS: Identity[] = [
  { client: 'dept-transport', purpose: 'TRANSIT', operator: null, caseRef: null },
  { client: 'dept-civil-affairs', purpose: 'PREFERENTIAL_TREATMENT' },
  { client: 'dept-health', purpose: 'MEDICAL_SERVICE' },
  { client: 'governance', purpose: 'GOVERNANCE_AUDIT' },
];

const LICENCE = 'kind licenceNumber vehicleClass issuer validFrom validUntil status points statusReason';
const RECORD = `mutation($input: RecordDrivingLicenceInput!) { recordDrivingLicence(input: $input) { kind vehicleClass validFrom validUntil status holder { id } } }`;
const RENEW = `mutation($input: RenewDrivingLicenceInput!) { renewDrivingLicence(input: $input) { vehicleClass validFrom validUntil status } }`;
const ID_CARD = `mutation($input: RecordResidentIdCardInput!) { recordResidentIdCard(input: $input) { kind validFrom validUntil status } }`;
const POINTS = `mutation($input: SetDrivingLicencePointsInput!) { setDrivingLicencePoints(input: $input) { status } }`;
const statusMutation = (name: string) =>
  `mutation($input: LicenceStatusInput!) { ${name}(input: $input) { status statusChangedAt } }`;
const LICENCES = `query($n: String!) { holderByCard(cardNumber: $n) { name electronicLicences { ${LICENCE} } } }`;
const VERIFY = `query($n: String!, $k: LicenceKind!) { verifyLicence(cardNumber: $n, kind: $k) { cardNumber kind valid status vehicleClass validUntil } }`;

let number = 100_000_000_000;
const licenceNumber = () => String(number++);

function drivingInput(holder: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    idempotencyKey: randomUUID(),
    holder,
    licenceNumber: licenceNumber(),
    vehicleClass: 'C1',
    issuer: '440100',
    validFrom: '2022-03-01',
    validUntil: '2032-03-01',
    ...extra,
  };
}

/** A holder with an active card, a C1 driving licence (3 points) and an ID card for 20 years. */
async function licensedHolder(hub: TestHub) {
  const { holder, cardNumber } = await holderWithActiveCard(hub);
  const input = drivingInput({ cardNumber }, { points: 3 });
  await hub.as(POLICE).ok(RECORD, { input });
  await hub.as(POLICE).ok(ID_CARD, {
    input: {
      idempotencyKey: randomUUID(),
      holder: { id: holder.id },
      validFrom: '2019-05-10',
      validUntil: '2039-05-10',
    },
  });
  return { holder, cardNumber, licenceNumber: input.licenceNumber };
}

/** The coordinates the answer's FORBIDDEN errors name, sorted; fails on any other error. */
function refused(result: GraphQLResponse): string[] {
  expect(codes(result).filter((c) => c !== 'FORBIDDEN')).toEqual([]);
  return (result.errors ?? []).map((e) => String(e.extensions?.coordinate)).sort();
}

it.beforeAll(async ({ hub }) => {
  await registerBank(hub, 'ICBC');
});

describe('reading licences', () => {
  it('gives identity verification the validity and classes only', async ({ hub }) => {
    const { cardNumber } = await licensedHolder(hub);
    const result = await hub.as(OFFICE).query(LICENCES, { n: cardNumber });
    expect(result.data.holderByCard.electronicLicences).toEqual([
      {
        kind: 'DRIVING_LICENCE',
        licenceNumber: null,
        vehicleClass: 'C1',
        issuer: '440100',
        validFrom: '2022-03-01',
        validUntil: '2032-03-01',
        status: 'VALID',
        points: null,
        statusReason: null,
      },
      {
        kind: 'RESIDENT_ID_CARD',
        licenceNumber: null,
        vehicleClass: null,
        issuer: null,
        validFrom: '2019-05-10',
        validUntil: '2039-05-10',
        status: 'VALID',
        points: null,
        statusReason: null,
      },
    ]);
    const errors = result.errors!.map((e) => e.extensions);
    // One error per refused field, however many licences carry it.
    expect(refused(result)).toEqual([
      'ElectronicLicence.licenceNumber',
      'ElectronicLicence.points',
      'ElectronicLicence.statusReason',
    ]);
    for (const e of errors) expect(e).toMatchObject({ category: 'IDENTITY', purpose: 'IDENTITY_VERIFICATION' });
  });

  it('gives the holder everything', async ({ hub }) => {
    const { cardNumber, licenceNumber } = await licensedHolder(hub);
    const result = await hub.as(SELF).ok(LICENCES, { n: cardNumber });
    expect(result.holderByCard.electronicLicences[0]).toMatchObject({ licenceNumber, points: 3, vehicleClass: 'C1' });
  });

  it.for(OUTSIDERS)('refuses $client for $purpose', async (identity, { hub }) => {
    const { cardNumber } = await licensedHolder(hub);
    const result = await hub.as(identity).query(LICENCES, { n: cardNumber });
    expect(result.data.holderByCard).toEqual({ name: expect.any(String), electronicLicences: null });
    expect(refused(result)).toEqual(['Holder.electronicLicences']);
    const verify = await hub.as(identity).query(VERIFY, { n: cardNumber, k: 'DRIVING_LICENCE' });
    expect(verify.data).toEqual({ verifyLicence: null });
    expect(refused(verify)).toEqual(['Query.verifyLicence']);
  });
});

describe('verifyLicence (Art 9 ¶3)', () => {
  it('answers from the card presented, the licence valid, expired, suspended or absent', async ({ hub }) => {
    const { cardNumber, licenceNumber } = await licensedHolder(hub);
    const verify = async (kind = 'DRIVING_LICENCE') =>
      (await hub.as(OFFICE).ok(VERIFY, { n: cardNumber.toLowerCase(), k: kind })).verifyLicence;
    expect(await verify()).toEqual({
      cardNumber,
      kind: 'DRIVING_LICENCE',
      valid: true,
      status: 'VALID',
      vehicleClass: 'C1',
      validUntil: '2032-03-01',
    });
    await hub.as(POLICE).ok(statusMutation('suspendDrivingLicence'), {
      input: { idempotencyKey: randomUUID(), licenceNumber, reason: '饮酒后驾驶' },
    });
    expect(await verify()).toMatchObject({ valid: false, status: 'SUSPENDED' });
    // A holder without a driving licence: none to accept. An ID card past its term: expired.
    const { holder, cardNumber: other } = await holderWithActiveCard(hub);
    await hub.as(POLICE).ok(ID_CARD, {
      input: {
        idempotencyKey: randomUUID(),
        holder: { id: holder.id },
        validFrom: '2010-01-04',
        validUntil: '2020-01-04',
      },
    });
    const none = await hub.as(OFFICE).ok(VERIFY, { n: other, k: 'DRIVING_LICENCE' });
    expect(none.verifyLicence).toMatchObject({ valid: false, status: null, vehicleClass: null, validUntil: null });
    const expired = await hub.as(SELF).ok(VERIFY, { n: other, k: 'RESIDENT_ID_CARD' });
    expect(expired.verifyLicence).toMatchObject({ valid: false, status: 'EXPIRED', validUntil: '2020-01-04' });
  });

  it('refuses a card unknown, malformed or not active', async ({ hub }) => {
    const { cardNumber } = await licensedHolder(hub);
    expect(codes(await hub.as(OFFICE).query(VERIFY, { n: 'Z00000000', k: 'DRIVING_LICENCE' }))).toEqual([
      'CARD_NOT_FOUND',
    ]);
    const malformed = await hub.as(OFFICE).query(VERIFY, { n: '12', k: 'DRIVING_LICENCE' });
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'cardNumber' });
    expect((await cardStep(hub, 'reportCardLoss', cardNumber, { kind: 'TEMPORARY' })).errors).toBeUndefined();
    const lost = await hub.as(OFFICE).query(VERIFY, { n: cardNumber, k: 'DRIVING_LICENCE' });
    expect(lost.errors?.[0]?.extensions).toMatchObject({ code: 'CARD_NOT_USABLE', status: 'LOST' });
  });

  it('refuses an active card past its expiry, and accepts it on its last day', async ({ hub }) => {
    const { cardNumber } = await licensedHolder(hub);
    const expireOn = (day: string) =>
      hub.rows(sql`update hr.cards set expires_on = ${day} where card_number = ${cardNumber}`);
    const verify = () => hub.as(OFFICE).query(VERIFY, { n: cardNumber, k: 'DRIVING_LICENCE' });
    const today = chinaDate(new Date());
    await expireOn(today);
    expect((await verify()).data.verifyLicence).toMatchObject({ valid: true, status: 'VALID' });
    const yesterday = chinaDate(new Date(Date.now() - 24 * 60 * 60 * 1000));
    await expireOn(yesterday);
    const expired = await verify();
    expect(expired.errors?.[0]?.extensions).toMatchObject({ code: 'CARD_NOT_USABLE', status: 'EXPIRED' });
    expect(expired.errors?.[0]?.message).toContain(yesterday);
    expect(expired.data?.verifyLicence ?? null).toBeNull();
  });
});

describe('writing licences', () => {
  it('is public security’s alone', async ({ hub }) => {
    const holder = await registerHolder(hub);
    for (const client of ['dept-civil-affairs', 'dept-hr', 'city-440100']) {
      const result = await hub
        .as({ client, purpose: 'IDENTITY_VERIFICATION' })
        .query(RECORD, { input: drivingInput({ id: holder.id }) });
      expect(result.errors?.[0]?.extensions).toMatchObject({
        code: 'FORBIDDEN',
        coordinate: 'Mutation.recordDrivingLicence',
      });
      expect(result.data ?? null).toBeNull();
    }
    expect(
      (
        await hub.as(SELF).ok(`query($id: String!) { holder(idNumber: $id) { electronicLicences { kind } } }`, {
          id: holder.idNumber,
        })
      ).holder.electronicLicences,
    ).toEqual([]);
  });

  it('renews, suspends, reinstates, revokes and sets points, refusing what the status forbids', async ({ hub }) => {
    const { licenceNumber } = await licensedHolder(hub);
    const step = (name: string, reason = '依法处理') =>
      hub.as(POLICE).query(statusMutation(name), { input: { idempotencyKey: randomUUID(), licenceNumber, reason } });
    const renewed = await hub.as(POLICE).ok(RENEW, {
      input: { idempotencyKey: randomUUID(), licenceNumber, validFrom: '2028-03-01', vehicleClass: 'b2' },
    });
    expect(renewed.renewDrivingLicence).toEqual({
      vehicleClass: 'B2',
      validFrom: '2028-03-01',
      validUntil: null,
      status: 'VALID',
    });
    expect((await step('suspendDrivingLicence')).data.suspendDrivingLicence.status).toBe('SUSPENDED');
    const renewSuspended = await hub.as(POLICE).query(RENEW, {
      input: { idempotencyKey: randomUUID(), licenceNumber, validFrom: '2029-03-01' },
    });
    expect(renewSuspended.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'licenceNumber' });
    expect((await step('reinstateDrivingLicence')).data.reinstateDrivingLicence.status).toBe('VALID');
    expect(codes(await step('reinstateDrivingLicence'))).toEqual(['BAD_USER_INPUT']);
    await hub.as(POLICE).ok(POINTS, { input: { idempotencyKey: randomUUID(), licenceNumber, points: 12 } });
    expect((await step('revokeDrivingLicence', '醉酒驾驶')).data.revokeDrivingLicence.status).toBe('REVOKED');
    for (const name of ['suspendDrivingLicence', 'revokeDrivingLicence'])
      expect(codes(await step(name))).toEqual(['BAD_USER_INPUT']);
    expect(
      codes(
        await hub.as(POLICE).query(statusMutation('suspendDrivingLicence'), {
          input: { idempotencyKey: randomUUID(), licenceNumber: '999999999999', reason: 'x' },
        }),
      ),
    ).toEqual(['NOT_FOUND']);
  });

  it('refuses a renewal with empty classes or end instead of reading them as omitted', async ({ hub }) => {
    const { cardNumber, licenceNumber } = await licensedHolder(hub);
    for (const [extra, field] of [
      [{ vehicleClass: '' }, 'vehicleClass'],
      [{ vehicleClass: '  ' }, 'vehicleClass'],
      [{ validUntil: '' }, 'validUntil'],
    ] as const) {
      const result = await hub.as(POLICE).query(RENEW, {
        input: { idempotencyKey: randomUUID(), licenceNumber, validFrom: '2028-03-01', ...extra },
      });
      expect(result.errors?.[0]?.extensions, JSON.stringify(extra)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const [licence] = (await hub.as(OFFICE).query(LICENCES, { n: cardNumber })).data.holderByCard.electronicLicences;
    expect(licence).toMatchObject({ vehicleClass: 'C1', validFrom: '2022-03-01', validUntil: '2032-03-01' });
  });

  it('answers each of several writes to one licence in one operation with what it wrote', async ({ hub }) => {
    const { licenceNumber } = await licensedHolder(hub);
    const fields = 'vehicleClass validFrom validUntil status';
    const result = await hub.as(POLICE).ok(
      `mutation($a: RenewDrivingLicenceInput!, $b: LicenceStatusInput!, $c: SetDrivingLicencePointsInput!) {
        a: renewDrivingLicence(input: $a) { ${fields} }
        b: suspendDrivingLicence(input: $b) { ${fields} }
        c: setDrivingLicencePoints(input: $c) { ${fields} }
      }`,
      {
        a: { idempotencyKey: randomUUID(), licenceNumber, validFrom: '2028-03-01', vehicleClass: 'B2' },
        b: { idempotencyKey: randomUUID(), licenceNumber, reason: '饮酒后驾驶' },
        c: { idempotencyKey: randomUUID(), licenceNumber, points: 9 },
      },
    );
    const renewed = { vehicleClass: 'B2', validFrom: '2028-03-01', validUntil: null };
    expect(result).toEqual({
      a: { ...renewed, status: 'VALID' },
      b: { ...renewed, status: 'SUSPENDED' },
      c: { ...renewed, status: 'SUSPENDED' },
    });
    const rows = await hub.rows<{ points: number }>(
      sql`select points from public_security.licences where licence_number = ${licenceNumber}`,
    );
    expect(rows).toEqual([{ points: 9 }]);
  });

  it('refuses bad input with a coded error naming the field', async ({ hub }) => {
    const holder = await registerHolder(hub);
    for (const [extra, field] of [
      [{ licenceNumber: '44010012345' }, 'licenceNumber'],
      [{ licenceNumber: '11010519491231002X' }, 'licenceNumber'],
      [{ vehicleClass: 'C7' }, 'vehicleClass'],
      [{ vehicleClass: 'C1C1' }, 'vehicleClass'],
      [{ vehicleClass: '' }, 'vehicleClass'],
      [{ validFrom: '2022-02-30' }, 'validFrom'],
      [{ validUntil: '2032/03/01' }, 'validUntil'],
      [{ validUntil: '2031-03-01' }, 'validUntil'],
      // Empty is not omitted: it must not record a licence for life.
      [{ validUntil: '' }, 'validUntil'],
      [{ points: 13 }, 'points'],
      [{ points: -1 }, 'points'],
      [{ issuer: '110000' }, 'issuer'],
      [{ idempotencyKey: 'short' }, 'idempotencyKey'],
      [{ holder: { id: holder.id, cardNumber: 'Z00000000' } }, 'holder'],
    ] as const) {
      const result = await hub.as(POLICE).query(RECORD, { input: drivingInput({ id: holder.id }, extra) });
      expect(result.errors?.[0]?.extensions, JSON.stringify(extra)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const idCard = await hub.as(POLICE).query(ID_CARD, {
      input: {
        idempotencyKey: randomUUID(),
        holder: { id: holder.id },
        validFrom: '2020-01-01',
        validUntil: '2026-01-01',
      },
    });
    expect(idCard.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'validUntil' });
    const emptyIdCard = await hub.as(POLICE).query(ID_CARD, {
      input: { idempotencyKey: randomUUID(), holder: { id: holder.id }, validFrom: '2020-01-01', validUntil: '' },
    });
    expect(emptyIdCard.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'validUntil' });
    const points = await hub.as(POLICE).query(POINTS, {
      input: { idempotencyKey: randomUUID(), licenceNumber: '123', points: 1 },
    });
    expect(points.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'licenceNumber' });
    expect(codes(await hub.as(POLICE).query(RECORD, { input: drivingInput({ id: randomUUID() }) }))).toEqual([
      'HOLDER_NOT_FOUND',
    ]);
    // Nothing of the refused writes was kept.
    expect(
      (
        await hub.as(SELF).ok(`query($id: String!) { holder(idNumber: $id) { electronicLicences { kind } } }`, {
          id: holder.idNumber,
        })
      ).holder.electronicLicences,
    ).toEqual([]);
  });

  it('replays a write by its key, refuses the key for another payload, and keeps one licence per holder', async ({
    hub,
  }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const input = drivingInput({ id: holder.id });
    const first = await hub.as(POLICE).ok(RECORD, { input });
    // The same request naming the holder by card is the same request.
    expect(await hub.as(POLICE).ok(RECORD, { input: { ...input, holder: { cardNumber } } })).toEqual(first);
    expect(codes(await hub.as(POLICE).query(RECORD, { input: { ...input, vehicleClass: 'C2' } }))).toEqual([
      'IDEMPOTENCY_KEY_REUSED',
    ]);
    const second = await hub.as(POLICE).query(RECORD, { input: { ...input, idempotencyKey: randomUUID() } });
    expect(second.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'holder' });
    const taken = await hub.as(POLICE).query(RECORD, {
      input: drivingInput({ id: (await registerHolder(hub)).id }, { licenceNumber: input.licenceNumber }),
    });
    expect(taken.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'licenceNumber' });
    const pointsInput = { idempotencyKey: randomUUID(), licenceNumber: input.licenceNumber, points: 6 };
    await hub.as(POLICE).ok(POINTS, { input: pointsInput });
    await hub
      .as(POLICE)
      .ok(POINTS, { input: { idempotencyKey: randomUUID(), licenceNumber: input.licenceNumber, points: 2 } });
    await hub.as(POLICE).ok(POINTS, { input: pointsInput }); // replayed: writes nothing, points stay 2
    const rows = await hub.rows<{ points: number }>(
      sql`select points from public_security.licences where holder_id = ${holder.id}`,
    );
    expect(rows).toEqual([{ points: 2 }]);
  });
});

describe('the audit trail', () => {
  const recordsNamed = (hub: TestHub, name: string) =>
    rowsOf<{ holderIds: string[]; access: { holders: Record<string, string[]> }; purpose: string }>(
      hub.gateway.database.db,
      sql`select holder_ids as "holderIds", access, purpose from gateway.audit_records where operation_name = ${name}`,
    );

  it('records every read of a licence against its holder', async ({ hub }) => {
    const { holder, cardNumber } = await licensedHolder(hub);
    const name = `Licences_${randomUUID().slice(0, 8)}`;
    await hub
      .as(OFFICE)
      .query(`query ${name}($n: String!) { holderByCard(cardNumber: $n) { electronicLicences { kind validUntil } } }`, {
        n: cardNumber,
      });
    const verify = `Verify_${randomUUID().slice(0, 8)}`;
    await hub
      .as(OFFICE)
      .ok(`query ${verify}($n: String!) { verifyLicence(cardNumber: $n, kind: DRIVING_LICENCE) { valid } }`, {
        n: cardNumber,
      });
    const [read] = await recordsNamed(hub, name);
    expect(read!.holderIds).toEqual([holder.id]);
    expect(read!.access.holders[holder.id]).toEqual(
      expect.arrayContaining(['Holder.electronicLicences', 'ElectronicLicence.kind', 'ElectronicLicence.validUntil']),
    );
    const [checked] = await recordsNamed(hub, verify);
    expect(checked).toMatchObject({ holderIds: [holder.id], purpose: 'IDENTITY_VERIFICATION' });
    expect(checked!.access.holders[holder.id]).toEqual(expect.arrayContaining(['Query.verifyLicence']));
  });
});
