// The audit trail through the real hub: every operation recorded before its answer leaves, naming the holders and the
// fields served or refused; no data when the record cannot be written; group commit under load; a hash chain that
// names an altered row; a table the database keeps append-only.
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { verifyAuditChains } from '../../gateway/audit/verify.js';
import { openAuditWriter } from '../../gateway/audit/writer.js';
import { buildAuditRecord, type AuditAccess } from '../../gateway/audit/record.js';
import { auditHash } from '../../gateway/audit/audit-hash.js';
import { readAuditSettings } from '../../gateway/config.js';
import { migrateGatewayDatabase } from '../../store/migrations.js';
import type { AuditRecordRow } from '../../store/tables.js';
import { openDatabase } from '../../core/database.js';
import { createTestDatabase } from '../support/database.js';
import { hubTest } from '../support/fixtures.js';
import { codes, type Identity, type TestHub } from '../support/hub.js';
import { holderWithActiveCard, registerBank } from '../support/hr.js';
import { rowsOf } from '../support/sql.js';

const it = hubTest();
const holders: { id: string; idNumber: string; cardNumber: string }[] = [];

const TRANSIT: Identity = { client: 'dept-transport', purpose: 'TRANSIT', operator: null, caseRef: null };
const SELF: Identity = { client: 'province', purpose: 'HOLDER_SELF_SERVICE' };

const db = (hub: TestHub) => hub.gateway.database.db;

/** Every record of operations named `name` (test operations carry unique names). */
async function recordsNamed(hub: TestHub, name: string): Promise<AuditRecordRow[]> {
  return rowsOf<AuditRecordRow>(
    db(hub),
    sql`select chain_id as "chainId", seq, recorded_at as "recordedAt", request_id as "requestId",
    client_id as "clientId", client_kind as "clientKind", client_city as "clientCity", operator, case_ref as "caseRef", purpose,
    operation_type as "operationType", operation_name as "operationName", document_hash as "documentHash", variables, outcome,
    error_codes as "errorCodes", duration_ms as "durationMs", holder_ids as "holderIds", coordinates,
    denied_coordinates as "deniedCoordinates", access, prev_hash as "prevHash", hash
    from gateway.audit_records where operation_name = ${name} order by seq`,
  );
}

const unique = (base: string) => `${base}_${randomUUID().slice(0, 8)}`;
/** What the hub's records keep of a value they may not keep: its hash with the audit's key (here the local one). */
const keyedHash = (value: string) => auditHash(readAuditSettings().hmacKey, value);

it.beforeAll(async ({ hub }) => {
  await registerBank(hub, 'ICBC');
  await hub.ok(
    `mutation($input: RegisterMedicalInstitutionInput!) { registerMedicalInstitution(input: $input) { code } }`,
    {
      input: {
        idempotencyKey: randomUUID(),
        code: 'H44010090001',
        name: '广州市测试医院',
        city: '440100',
        level: 'TERTIARY_A',
      },
    },
  );
  for (let i = 0; i < 3; i++) {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    holders.push({ id: holder.id, idNumber: holder.idNumber, cardNumber });
    await hub.ok(`mutation($input: RecordMedicalVisitInput!) { recordMedicalVisit(input: $input) { id } }`, {
      input: {
        idempotencyKey: randomUUID(),
        holder: { cardNumber },
        institutionCode: 'H44010090001',
        kind: 'OUTPATIENT',
        department: '呼吸内科',
        visitedAt: '2024-03-07T09:30:00+08:00',
        diagnoses: ['J45.909'],
      },
    });
    await hub.ok(`mutation($input: LoadTransitFunctionInput!) { loadTransitFunction(input: $input) { loaded } }`, {
      input: { idempotencyKey: randomUUID(), cardNumber, city: '440100', operator: '羊城通' },
    });
    await hub.ok(`mutation($input: RecordRidesInput!) { recordRides(input: $input) { recorded } }`, {
      input: {
        idempotencyKey: randomUUID(),
        rides: [
          {
            cardNumber,
            mode: 'METRO',
            city: '440100',
            line: '3号线',
            station: '体育西路',
            occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
            fare: '4.00',
          },
        ],
      },
    });
  }
});

const verify = (hub: TestHub) => verifyAuditChains(db(hub), { record: false });

describe('what is recorded', () => {
  it('records one query touching 3 holders across 3 subgraphs, naming exactly those holders and coordinates', async ({
    hub,
  }) => {
    const name = unique('ThreeHolders');
    const result = await hub.as(SELF).post(
      `query ${name}($ids: [String!]!) { holders(idNumbers: $ids) {
      name cards { status } medicalVisits { nodes { diagnoses institution { name } } } rides { nodes { fare } } } }`,
      { ids: holders.map((h) => h.idNumber) },
    );
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.holders).toHaveLength(3);
    // The subgraphs' reports stay inside the hub.
    expect(result.body).not.toHaveProperty('extensions');

    const records = await recordsNamed(hub, name);
    expect(records).toHaveLength(1);
    const [record] = records as [AuditRecordRow];
    // hr served the holders and their cards, health the visits, transport the rides: one set of fields per holder.
    const served = [
      'Card.status',
      'Holder.cards',
      'Holder.id',
      'Holder.medicalVisits',
      'Holder.name',
      'Holder.rides',
      'MedicalInstitution.name',
      'MedicalVisit.diagnoses',
      'MedicalVisit.institution',
      'MedicalVisitConnection.nodes',
      'Query.holders',
      'Ride.fare',
      'RideConnection.nodes',
    ];
    expect(record).toMatchObject({
      clientId: 'province',
      clientKind: 'PROVINCE',
      clientCity: null,
      operator: 'clerk-0001',
      caseRef: 'CASE-2026-0001',
      purpose: 'HOLDER_SELF_SERVICE',
      operationType: 'query',
      operationName: name,
      outcome: 'SUCCESS',
      errorCodes: [],
      holderIds: holders.map((h) => h.id).sort(),
      coordinates: served,
      deniedCoordinates: [],
      access: { holders: Object.fromEntries(holders.map((h) => [h.id, served])), unlinked: [], denied: [] },
    });
    expect(record.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.documentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.durationMs).toBeGreaterThanOrEqual(0);
    // ID numbers are kept as their keyed hash, which governance can compute from a number it knows.
    expect(record.variables).toEqual({ ids: holders.map((h) => keyedHash(h.idNumber)) });
    for (const h of holders) expect(JSON.stringify(record)).not.toContain(h.idNumber);
  });

  it('records a department’s write against the holder it wrote for, with the mutation', async ({ hub }) => {
    const name = unique('Rides');
    const [h] = holders as [(typeof holders)[0]];
    const result = await hub
      .as(TRANSIT)
      .post(
        `mutation ${name}($input: RecordRidesInput!) { recordRides(input: $input) { recorded results { ride { fare } } } }`,
        {
          input: {
            idempotencyKey: randomUUID(),
            rides: [
              {
                cardNumber: h.cardNumber,
                mode: 'BUS',
                city: '440100',
                line: 'B1',
                station: '天河',
                occurredAt: new Date(Date.now() - 60_000).toISOString(),
                fare: '2.00',
              },
            ],
          },
        },
      );
    expect(result.body.errors).toBeUndefined();
    const [record] = await recordsNamed(hub, name);
    expect(record).toMatchObject({
      clientId: 'dept-transport',
      purpose: 'TRANSIT',
      operator: null,
      caseRef: null,
      operationType: 'mutation',
      outcome: 'SUCCESS',
      holderIds: [h.id],
      access: {
        holders: { [h.id]: ['Mutation.recordRides', 'Ride.fare'] },
        // The batch's own result belongs to no one holder.
        unlinked: ['RecordRidesResult.recorded', 'RecordRidesResult.results', 'RideRowResult.ride'],
      },
    });
    // The card number and the station are kept as their hashes; the mode, city and fare as they were.
    expect(JSON.stringify(record!.variables)).not.toContain(h.cardNumber);
    expect((record!.variables as any).input.rides[0]).toMatchObject({
      cardNumber: keyedHash(h.cardNumber),
      mode: 'BUS',
      city: '440100',
      line: keyedHash('B1'),
      station: keyedHash('天河'),
      fare: '2.00',
    });
  });

  it('names the holders a query returns even when it reads nothing of theirs', async ({ hub }) => {
    const name = unique('Registered');
    const result = await hub
      .as(SELF)
      .post(`query ${name}($ids: [String!]!) { holders(idNumbers: $ids) { __typename } }`, {
        ids: holders.map((h) => h.idNumber),
      });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.holders).toHaveLength(3);
    const [record] = await recordsNamed(hub, name);
    expect(record).toMatchObject({
      holderIds: holders.map((h) => h.id).sort(),
      coordinates: ['Query.holders'],
      access: { holders: Object.fromEntries(holders.map((h) => [h.id, ['Query.holders']])), unlinked: [] },
    });
  });

  it('names the holders a batch write wrote for when the answer is only a count', async ({ hub }) => {
    const name = unique('RidesCount');
    const [a, b] = holders as [(typeof holders)[0], (typeof holders)[0]];
    const ride = (cardNumber: string) => ({
      cardNumber,
      mode: 'BUS',
      city: '440100',
      line: 'B2',
      station: '天河',
      occurredAt: new Date(Date.now() - 120_000).toISOString(),
      fare: '2.00',
    });
    const input = { idempotencyKey: randomUUID(), rides: [ride(a.cardNumber), ride(b.cardNumber), ride('L00000000')] };
    const query = `mutation ${name}($input: RecordRidesInput!) { recordRides(input: $input) { recorded } }`;
    const result = await hub.as(TRANSIT).post(query, { input });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.recordRides.recorded).toBe(2);
    // A replay writes nothing new, but answers about the same holders' rides: recorded alike.
    expect((await hub.as(TRANSIT).post(query, { input })).body.data.recordRides.recorded).toBe(2);
    const records = await recordsNamed(hub, name);
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record).toMatchObject({
        operationType: 'mutation',
        outcome: 'SUCCESS',
        holderIds: [a.id, b.id].sort(),
        access: {
          holders: { [a.id]: ['Mutation.recordRides'], [b.id]: ['Mutation.recordRides'] },
          unlinked: ['RecordRidesResult.recorded'],
        },
      });
    }
  });

  it('names the holders a gate batch admitted when the answer is only a count', async ({ hub }) => {
    const CULTURE: Identity = {
      client: 'dept-culture-tourism',
      purpose: 'CULTURE_TOURISM',
      operator: null,
      caseRef: null,
    };
    const [a, b] = holders as [(typeof holders)[0], (typeof holders)[0]];
    await hub.ok(`mutation($input: RegisterVenueInput!) { registerVenue(input: $input) { code } }`, {
      input: { idempotencyKey: randomUUID(), code: 'AU-MUS-GZ', name: '审计博物馆', kind: 'MUSEUM', city: '440100' },
    });
    const name = unique('Admissions');
    const result = await hub
      .as(CULTURE)
      .post(`mutation ${name}($input: RecordAdmissionsInput!) { recordAdmissions(input: $input) { recorded } }`, {
        input: {
          idempotencyKey: randomUUID(),
          admissions: [
            { cardNumber: a.cardNumber, venueCode: 'AU-MUS-GZ' },
            { cardNumber: b.cardNumber, venueCode: 'AU-MUS-GZ' },
          ],
        },
      });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.recordAdmissions.recorded).toBe(2);
    const [record] = await recordsNamed(hub, name);
    expect(record).toMatchObject({
      holderIds: [a.id, b.id].sort(),
      access: { holders: { [a.id]: ['Mutation.recordAdmissions'], [b.id]: ['Mutation.recordAdmissions'] } },
    });
  });

  it('names the holder behind a ride authorization through the fetches federation makes for it', async ({ hub }) => {
    const name = unique('Turnstile');
    const [h] = holders as [(typeof holders)[0]];
    const result = await hub
      .as(TRANSIT)
      .post(
        `query ${name}($n: String!) { rideAuthorization(cardNumber: $n, city: "440100", mode: METRO) { allowed concession } }`,
        { n: h.cardNumber },
      );
    expect(result.body.errors).toBeUndefined();
    const [record] = await recordsNamed(hub, name);
    const access = record!.access as AuditAccess;
    // Transport's RideAuthorization carries no holder id (a documented gap): its fields are unlinked, while hr's card
    // and civil affairs' certificates, fetched for @requires, name the holder.
    expect(record!.holderIds).toEqual([h.id]);
    expect(access.holders[h.id]).toEqual(expect.arrayContaining(['Card.status', 'Holder.concessionCertificates']));
    expect(access.unlinked).toEqual(
      expect.arrayContaining(['Query.rideAuthorization', 'RideAuthorization.allowed', 'RideAuthorization.concession']),
    );
  });

  it('records a field the purpose may not read as denied, and never as served', async ({ hub }) => {
    const name = unique('Denied');
    const [h] = holders as [(typeof holders)[0]];
    const result = await hub
      .as(TRANSIT)
      .post(
        `query ${name}($n: String!) { holderByCard(cardNumber: $n) { name medicalVisits { nodes { kind } } rides { nodes { fare } } } }`,
        { n: h.cardNumber },
      );
    expect(codes(result.body)).toEqual(['FORBIDDEN']);
    expect(result.body.data.holderByCard.medicalVisits).toBeNull();
    const [record] = await recordsNamed(hub, name);
    expect(record).toMatchObject({
      outcome: 'PARTIAL',
      errorCodes: ['FORBIDDEN'],
      holderIds: [h.id],
      deniedCoordinates: ['Holder.medicalVisits'],
      access: { denied: [{ coordinate: 'Holder.medicalVisits', path: ['holderByCard', 'medicalVisits'] }] },
    });
    expect(record!.coordinates).toContain('Ride.fare');
    expect(record!.coordinates.filter((c) => /medicalVisit|MedicalVisit/.test(c))).toEqual([]);
  });

  it('records operations refused before execution: another domain’s write, too deep, invalid', async ({ hub }) => {
    const write = unique('OtherDomain');
    expect(
      (
        await hub
          .as(TRANSIT)
          .post(
            `mutation ${write} { registerBank(input: { idempotencyKey: "refused-write-01", code: "X", name: "X" }) { code } }`,
          )
      ).status,
    ).toBe(403);
    const deep = unique('Deep');
    const nested = `holderByCard(cardNumber: "L00000000") { ${'cards { holder { '.repeat(7)} name ${'} } '.repeat(7)} }`;
    expect((await hub.as(SELF).post(`query ${deep} { ${nested} }`)).status).toBe(400);
    const invalid = unique('Invalid');
    expect(
      (await hub.as(SELF).post(`query ${invalid} { holderByCard(cardNumber: "L00000000") { shoeSize } }`)).status,
    ).toBe(400);

    for (const [name, code, type] of [
      [write, 'FORBIDDEN', 'mutation'],
      [deep, 'QUERY_TOO_DEEP', 'query'],
      [invalid, 'GRAPHQL_VALIDATION_FAILED', 'query'],
    ] as const) {
      const records = await recordsNamed(hub, name);
      expect(records, name).toHaveLength(1);
      expect(records[0], name).toMatchObject({
        outcome: 'REFUSED',
        errorCodes: [code],
        operationType: type,
        holderIds: [],
        coordinates: [],
      });
    }
  });
});

describe('durable before delivery', () => {
  it('returns no holder data, only AUDIT_UNAVAILABLE (503), while the audit table cannot be written', async ({
    hub,
  }) => {
    const [h] = holders as [(typeof holders)[0]];
    const name = unique('StoreDown');
    const query = `query ${name}($n: String!) { holderByCard(cardNumber: $n) { name idNumber } }`;
    // As an operator (or a failure) would take the table away from the gateway.
    await db(hub).execute(sql`alter table gateway.audit_records rename to audit_records_away`);
    let down;
    try {
      down = await hub.as(SELF).post(query, { n: h.cardNumber });
    } finally {
      await db(hub).execute(sql`alter table gateway.audit_records_away rename to audit_records`);
    }
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'AUDIT_UNAVAILABLE' } }] });
    expect(JSON.stringify(down.body)).not.toContain(h.idNumber);
    expect(await recordsNamed(hub, name)).toEqual([]);

    // Back: the next answer is recorded on the same chain, with no gap where the failed batch was.
    const up = await hub.as(SELF).post(query, { n: h.cardNumber });
    expect(up.status).toBe(200);
    expect(up.body.data.holderByCard.idNumber).toBe(h.idNumber);
    expect(await recordsNamed(hub, name)).toHaveLength(1);
    expect(await verify(hub)).toMatchObject({ ok: true, firstBreak: null });
  });

  it(
    'commits 1,000 concurrent requests as 1,000 records in far fewer INSERTs, on a chain that verifies',
    { timeout: 180_000 },
    async ({ hub }) => {
      const name = unique('Load');
      const before = { ...hub.gateway.audit.stats };
      const results = await Promise.all(
        Array.from({ length: 1_000 }, (_, i) =>
          hub.as(SELF).post(`query ${name}($n: String!) { holderByCard(cardNumber: $n) { name } }`, {
            n: holders[i % 3]!.cardNumber,
          }),
        ),
      );
      expect(results.filter((r) => r.status !== 200 || r.body.errors)).toEqual([]);

      const records = await recordsNamed(hub, name);
      expect(records).toHaveLength(1_000);
      expect(new Set(records.map((r) => r.requestId)).size).toBe(1_000);
      // Rows one INSERT wrote share its transaction id: the database's own count of the statements.
      const [{ inserts }] = (await rowsOf<{ inserts: number }>(
        db(hub),
        sql`select count(distinct xmin::text)::int as inserts from gateway.audit_records where operation_name = ${name}`,
      )) as [{ inserts: number }];
      const batches = hub.gateway.audit.stats.batches - before.batches;
      console.log(
        `audit: 1,000 concurrent requests committed in ${inserts} INSERT statement(s) (${batches} batches written meanwhile)`,
      );
      expect(inserts).toBeLessThan(1_000);
      expect(batches).toBeLessThan(1_000);
      expect(await verify(hub)).toMatchObject({ ok: true, firstBreak: null });
    },
  );
});

describe('tamper evidence', () => {
  const chainId = (hub: TestHub) => hub.gateway.audit.chainId;
  /** As a superuser would: with the append-only trigger out of the way for one statement. */
  const behindTheHubsBack = async (hub: TestHub, statement: ReturnType<typeof sql>) => {
    await db(hub).execute(sql`alter table gateway.audit_records disable trigger audit_records_append_only`);
    try {
      await db(hub).execute(statement);
    } finally {
      await db(hub).execute(sql`alter table gateway.audit_records enable trigger audit_records_append_only`);
    }
  };

  it('names a row altered behind the hub’s back, and a row removed', async ({ hub }) => {
    const [row] = await rowsOf<{ seq: string; purpose: string }>(
      db(hub),
      sql`select seq::text, purpose from gateway.audit_records where chain_id = ${chainId(hub)} and seq = 5`,
    );
    expect(row).toBeDefined();
    await behindTheHubsBack(
      hub,
      sql`update gateway.audit_records set purpose = 'TRANSIT' where chain_id = ${chainId(hub)} and seq = 5`,
    );
    const altered = await verifyAuditChains(db(hub));
    expect(altered.ok).toBe(false);
    expect(altered.firstBreak).toEqual({ chainId: chainId(hub), seq: 5, what: 'hash mismatch' });
    const [status] = await rowsOf<{ ok: boolean; first_break: string }>(
      db(hub),
      sql`select ok, first_break from gateway.audit_verifications order by id desc limit 1`,
    );
    expect(status).toEqual({ ok: false, first_break: `chain ${chainId(hub)} seq 5: hash mismatch` });

    // Put back, the chain verifies again; removed, the gap is named.
    await behindTheHubsBack(
      hub,
      sql`update gateway.audit_records set purpose = ${row!.purpose} where chain_id = ${chainId(hub)} and seq = 5`,
    );
    expect((await verify(hub)).ok).toBe(true);
    const [copy] = await rowsOf<Record<string, unknown>>(
      db(hub),
      sql`select * from gateway.audit_records where chain_id = ${chainId(hub)} and seq = 7`,
    );
    await behindTheHubsBack(hub, sql`delete from gateway.audit_records where chain_id = ${chainId(hub)} and seq = 7`);
    expect((await verify(hub)).firstBreak).toEqual({ chainId: chainId(hub), seq: 7, what: 'missing seq' });
    await db(hub).execute(
      sql`insert into gateway.audit_records select * from jsonb_populate_record(null::gateway.audit_records, ${JSON.stringify(copy)}::jsonb)`,
    );
    expect((await verify(hub)).ok).toBe(true);
  });

  /** As a superuser would: both tables' append-only triggers out of the way for the statements. */
  const behindTheHubsBackOnChains = async (hub: TestHub, ...statements: ReturnType<typeof sql>[]) => {
    await db(hub).execute(sql`alter table gateway.audit_chains disable trigger audit_chains_append_only`);
    try {
      for (const statement of statements) await behindTheHubsBack(hub, statement);
    } finally {
      await db(hub).execute(sql`alter table gateway.audit_chains enable trigger audit_chains_append_only`);
    }
  };

  it('names a chain cut short, and a whole chain removed with its registration, after a verification', async ({
    hub,
  }) => {
    const writer = await openAuditWriter(db(hub), { instance: 'doomed' });
    const doomed = writer.chainId;
    await Promise.all([1, 2, 3].map((i) => writer.append(recordWith({ i }, unique('Doomed')))));
    await writer.close();
    expect(await verifyAuditChains(db(hub))).toMatchObject({ ok: true });
    const records = await rowsOf<Record<string, unknown>>(
      db(hub),
      sql`select * from gateway.audit_records where chain_id = ${doomed} order by seq`,
    );
    const [registration] = await rowsOf<Record<string, unknown>>(
      db(hub),
      sql`select * from gateway.audit_chains where chain_id = ${doomed}`,
    );
    expect(records).toHaveLength(3);
    const restore = async () => {
      await db(hub)
        .execute(sql`insert into gateway.audit_chains select * from jsonb_populate_record(null::gateway.audit_chains, ${JSON.stringify(registration)}::jsonb)
        on conflict do nothing`);
      for (const row of records) {
        await db(hub)
          .execute(sql`insert into gateway.audit_records select * from jsonb_populate_record(null::gateway.audit_records, ${JSON.stringify(row)}::jsonb)
          on conflict do nothing`);
      }
    };

    // The last record cut: the chain ends before the position verified.
    await behindTheHubsBack(hub, sql`delete from gateway.audit_records where chain_id = ${doomed} and seq = 3`);
    expect((await verify(hub)).firstBreak).toEqual({ chainId: doomed, seq: 3, what: 'truncated' });
    await restore();
    expect((await verify(hub)).ok).toBe(true);

    // Every record and the registration gone: the chain the last verification named is missing.
    await behindTheHubsBackOnChains(
      hub,
      sql`delete from gateway.audit_records where chain_id = ${doomed}`,
      sql`delete from gateway.audit_chains where chain_id = ${doomed}`,
    );
    const missing = await verifyAuditChains(db(hub));
    expect(missing.firstBreak).toEqual({ chainId: doomed, seq: 1, what: 'chain missing' });
    // Named again by the next run, though the run before found nothing of it.
    expect((await verifyAuditChains(db(hub))).firstBreak).toEqual({ chainId: doomed, seq: 1, what: 'chain missing' });
    const [status] = await rowsOf<{ ok: boolean; first_break: string }>(
      db(hub),
      sql`select ok, first_break from gateway.audit_verifications order by id desc limit 1`,
    );
    expect(status).toEqual({ ok: false, first_break: `chain ${doomed} seq 1: chain missing` });
    await restore();
    expect((await verifyAuditChains(db(hub))).ok).toBe(true);
  });

  it('names a row inserted into a chain, and records on a chain never registered', async ({ hub }) => {
    const [copy] = await rowsOf<Record<string, unknown>>(
      db(hub),
      sql`select * from gateway.audit_records where chain_id = ${chainId(hub)} and seq = 3`,
    );
    // The same seq again (a fork), a millisecond later: the key allows it, verification does not.
    const forkedAt = new Date(new Date(copy!.recorded_at as string).getTime() + 1).toISOString();
    await db(hub).execute(
      sql`insert into gateway.audit_records select * from jsonb_populate_record(null::gateway.audit_records, ${JSON.stringify({ ...copy, recorded_at: forkedAt, purpose: 'TRANSIT' })}::jsonb)`,
    );
    expect((await verify(hub)).firstBreak).toEqual({ chainId: chainId(hub), seq: 3, what: 'duplicate seq' });
    await behindTheHubsBack(
      hub,
      sql`delete from gateway.audit_records where chain_id = ${chainId(hub)} and seq = 3 and recorded_at = ${forkedAt}`,
    );
    expect((await verify(hub)).ok).toBe(true);

    // A forged chain whose links are sound, but which no gateway registered.
    const forged = randomUUID();
    await db(hub).execute(
      sql`insert into gateway.audit_records select * from jsonb_populate_record(null::gateway.audit_records, ${JSON.stringify({ ...copy, chain_id: forged, seq: 1, prev_hash: '0'.repeat(64) })}::jsonb)`,
    );
    const report = await verify(hub);
    expect(report.ok).toBe(false);
    expect(report.chains.find((c) => c.chainId === forged)?.break).toEqual({
      chainId: forged,
      seq: 1,
      what: 'unregistered chain',
    });
    await behindTheHubsBack(hub, sql`delete from gateway.audit_records where chain_id = ${forged}`);
    expect((await verify(hub)).ok).toBe(true);
  });

  it.for([
    ['UPDATE', sql`update gateway.audit_records set purpose = 'TRANSIT'`],
    ['DELETE', sql`delete from gateway.audit_records`],
    ['TRUNCATE', sql`truncate gateway.audit_records`],
    ['UPDATE', sql`update gateway.audit_chains set instance = 'elsewhere'`],
    ['DELETE', sql`delete from gateway.audit_chains`],
    ['DELETE', sql`delete from gateway.audit_verifications`],
  ] as const)('the database refuses %s (%#)', async ([op, statement], { hub }) => {
    await expect(db(hub).execute(statement)).rejects.toMatchObject({
      cause: expect.objectContaining({ message: expect.stringMatching(new RegExp(`append-only: ${op} refused`)) }),
    });
  });

  it('refuses changes to a monthly partition reached directly', async ({ hub }) => {
    const [{ partition }] = (await rowsOf<{ partition: string }>(
      db(hub),
      sql`select tableoid::regclass::text as partition from gateway.audit_records limit 1`,
    )) as [{ partition: string }];
    expect(partition).toMatch(/^gateway\.audit_records_\d{4}_\d{2}$/);
    for (const [op, statement] of [
      ['UPDATE', `update ${partition} set purpose = 'TRANSIT'`],
      ['DELETE', `delete from ${partition}`],
      ['TRUNCATE', `truncate ${partition}`],
    ]) {
      await expect(db(hub).execute(sql.raw(statement!)), statement).rejects.toMatchObject({
        cause: expect.objectContaining({ message: expect.stringContaining(`append-only: ${op} refused`) }),
      });
    }
  });
});

/** A record as the gateway would build it. */
const recordWith = (variables: Record<string, unknown>, operationName = 'Direct') =>
  buildAuditRecord({
    caller: {
      client: {
        id: 'city-440300',
        kind: 'CITY',
        name: '深圳',
        city: '440300',
        domain: null,
        purposes: ['TRANSIT'],
        status: 'ACTIVE',
        requestsPerMinute: 60,
      },
      purpose: 'TRANSIT',
      operator: null,
      caseRef: null,
      place: null,
      requestId: randomUUID(),
    },
    startedAt: Date.now() - 5,
    executed: true,
    operationType: 'query',
    operationName,
    documentHash: 'a'.repeat(64),
    variables,
    errors: undefined,
    hasData: true,
    access: { holders: new Map([[randomUUID(), new Set(['Holder.name', 'Query.holderByCard'])]]), unlinked: new Set() },
    denied: [],
  });

describe('variables as recorded', () => {
  it('keeps nothing of a value without the schema to vouch for it, and bounds the size', () => {
    // Built without the request's schema and document: every value is hashed (test/unit/gateway/audit/variables.test.ts
    // has what the schema keeps).
    const { variables } = recordWith({ input: { idNumber: '44010619900307123X', note: 'HIV', mode: 'METRO' } });
    expect(JSON.stringify(variables)).not.toMatch(/44010619900307123X|HIV|METRO|idNumber|note/);
    const huge = recordWith({
      rows: Array.from({ length: 5_000 }, (_, i) => ({ line: `line ${i}`, station: '体育西路' })),
    }).variables;
    expect(huge).toEqual({
      $truncated: { chars: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });
});

describe('npm run audit:verify', () => {
  // NUL and a lone surrogate (which PostgreSQL cannot store), a float, a number past 2^53, Chinese text, nesting: the
  // hash computed from what was written must come out of what is read back.
  const record = (i: number) =>
    recordWith(
      {
        text: `a\u0000b\ud800 ${i}`,
        float: 0.1 + 0.2,
        big: Number('12345678901234567890'),
        city: '深圳',
        nested: { list: [1, 'x', null, true] },
      },
      `Cli${i}`,
    );

  it('exits 0 when every chain verifies and 1 naming the first broken link', { timeout: 120_000 }, async () => {
    const store = await createTestDatabase({ separate: true });
    const withDatabase = async (work: (database: Awaited<ReturnType<typeof openDatabase>>) => Promise<void>) => {
      const database = await openDatabase(store.config);
      try {
        await work(database);
      } finally {
        await database.close();
      }
    };
    try {
      let chainId = '';
      await withDatabase(async (database) => {
        await migrateGatewayDatabase(database);
        const writer = await openAuditWriter(database.db, { instance: 'audit-test' });
        chainId = writer.chainId;
        await Promise.all([1, 2, 3].map((i) => writer.append(record(i))));
        await writer.close();
        await expect(writer.append(record(4))).rejects.toThrow(/closed/);
      });
      const { DATABASE_URL: _a, GATEWAY_DATABASE_URL: _b, PGLITE_DATA_DIR: _c, ...env } = process.env;
      const where =
        store.config.kind === 'postgres'
          ? { GATEWAY_DATABASE_URL: store.config.url }
          : { PGLITE_DATA_DIR: store.config.dataDir! };
      const verify = () =>
        spawnSync('npm', ['run', '-s', 'audit:verify'], { env: { ...env, ...where }, encoding: 'utf8' });

      const sound = verify();
      expect(sound.stdout).toContain(`chain ${chainId}  3 record(s) verified`);
      expect(sound.status).toBe(0);

      await withDatabase(async (database) => {
        await database.db.execute(sql`alter table gateway.audit_records disable trigger audit_records_append_only`);
        await database.db.execute(
          sql`update gateway.audit_records set variables = variables || '{"city": "广州"}' where seq = 2`,
        );
        await database.db.execute(sql`alter table gateway.audit_records enable trigger audit_records_append_only`);
      });
      const broken = verify();
      expect(broken.stdout).toContain(`first break: chain ${chainId} seq 2: hash mismatch`);
      expect(broken.status).toBe(1);
      await withDatabase(async (database) => {
        const runs = await rowsOf<{ ok: boolean; first_break: string | null }>(
          database.db,
          sql`select ok, first_break from gateway.audit_verifications order by id`,
        );
        expect(runs).toEqual([
          { ok: true, first_break: null },
          { ok: false, first_break: `chain ${chainId} seq 2: hash mismatch` },
        ]);
      });
    } finally {
      await store.drop();
    }
  });
});
