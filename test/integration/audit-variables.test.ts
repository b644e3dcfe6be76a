// What the audit keeps of a request, through the real hub: variables hashed unless the schema vouches for them
// (gateway/audit/variables.ts), so a diagnosis or a name under any variable name never reaches the record, while
// governance can still find the record by hashing the value it knows (`npm run audit:hash`); a client's operation name
// capped; and one operation per request, HTTP batches refused with a coded 400.
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { describe, expect, vi } from 'vitest';
import { rowsOf } from '../../core/database.js';
import { hubTest } from '../support/fixtures.js';
import { holderWithActiveCard, registerBank } from '../support/hr.js';
import { identityHeaders, READER, type TestHub } from '../support/hub.js';

const it = hubTest();

interface Row {
  variables: Record<string, any>;
  operation_name: string | null;
  outcome: string;
  error_codes: string[];
}

const recordOf = async (hub: TestHub, where: ReturnType<typeof sql>) =>
  (
    await rowsOf<Row>(
      hub.gateway.database.db,
      sql`select variables, operation_name, outcome, error_codes from gateway.audit_records where ${where}`,
    )
  )[0];

describe('variables in audit records', () => {
  it('keeps no "HIV" of a mutation, only its keyed hash, which governance can compute', async ({ hub }) => {
    await registerBank(hub, 'ICBC');
    const { holder } = await holderWithActiveCard(hub);
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
    const name = `Note_${randomUUID().slice(0, 8)}`;
    // A variable named as the client likes, holding a diagnosis in a shape an enum value or a code could have.
    await hub.ok(
      `mutation ${name}($note: String!, $holder: HolderRef!, $type: HealthRecordType!, $at: String!) {
        recordHealthRecord(input: { idempotencyKey: "${randomUUID()}", holder: $holder, type: $type,
          institutionCode: "H44010090001", recordedAt: $at, summary: $note }) { id } }`,
      { note: 'HIV', holder: { id: holder.id }, type: 'EMR', at: '2026-01-05T10:00:00+08:00' },
    );
    const record = await recordOf(hub, sql`operation_name = ${name}`);
    expect(record).toBeDefined();
    expect(JSON.stringify(record!.variables)).not.toContain('HIV');
    // Kept: the enum value and the time, which the schema says are safe where they stand.
    expect(record!.variables).toMatchObject({ type: 'EMR', at: '2026-01-05T10:00:00+08:00' });
    const hashed = spawnSync('npm', ['run', '-s', 'audit:hash', '--', 'HIV'], { encoding: 'utf8' });
    expect(hashed.status).toBe(0);
    expect(record!.variables.note).toBe(hashed.stdout.trim());
    expect(record!.variables.holder).toEqual({ id: expect.stringMatching(/^hmac:[0-9a-f]{32}$/) });
  });

  it('keeps no name that looks like an enum value', async ({ hub }) => {
    const name = `Register_${randomUUID().slice(0, 8)}`;
    await hub.query(`mutation ${name}($input: RegisterHolderInput!) { registerHolder(input: $input) { id } }`, {
      input: {
        idempotencyKey: randomUUID(),
        idType: 'HK_MACAU_TRAVEL_PERMIT',
        idNumber: 'H12345678',
        name: 'ZHANG_WEI',
        gender: 'MALE',
        birthDate: '1990-03-07',
        registeredCity: '440100',
      },
    });
    const record = await recordOf(hub, sql`operation_name = ${name}`);
    expect(JSON.stringify(record!.variables)).not.toMatch(/ZHANG_WEI|H12345678|1990-03-07/);
    expect(record!.variables.input).toMatchObject({
      idType: 'HK_MACAU_TRAVEL_PERMIT',
      gender: 'MALE',
      registeredCity: '440100',
    });
  });

  it('caps a client’s 100 KB operation name in the record', async ({ hub }) => {
    const long = `Q${'x'.repeat(100_000)}`;
    const answer = await hub.post(`query ${long} { banks { code } }`);
    expect(answer.status).toBe(200);
    const [row] = await rowsOf<{ operation_name: string }>(
      hub.gateway.database.db,
      sql`select operation_name from gateway.audit_records where operation_name like ${'Qxxxx%'}`,
    );
    expect(row!.operation_name).toBe(`Q${'x'.repeat(199)}…(100001 chars)`);
  });
});

describe('client-supplied values in log lines', () => {
  it('writes none longer than its cap, however long the operation name, document or variable', async ({ hub }) => {
    const lines: string[] = [];
    const spies = (['error', 'warn', 'log', 'info'] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(' '));
      }),
    );
    const huge = 'Z'.repeat(100_000);
    try {
      await hub.send({ query: '{ banks { code } }', operationName: huge });
      await hub.send({ query: `query A { banks { code } } query B { banks { name } }`, operationName: huge });
      await hub.send({ query: `query ${huge} { banks { code } }` });
      await hub.send({ query: `{ banks(${huge}: 1) { code } }` });
      await hub.send({ query: `query($v: String!) { venue(code: $v) { code } }`, variables: { v: huge } });
      // The same while the audit store refuses every record: the audit's own log lines name the operation.
      await hub.gateway.database.db.execute(sql`alter table gateway.audit_records rename to audit_records_away`);
      try {
        await hub.send({ query: `query ${huge} { banks { code } }` });
      } finally {
        await hub.gateway.database.db.execute(sql`alter table gateway.audit_records_away rename to audit_records`);
      }
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(lines.some((l) => l.includes('AUDIT_UNAVAILABLE'))).toBe(true);
    for (const line of lines) expect(line.length, line.slice(0, 300)).toBeLessThan(2_000);
  });
});

describe('one operation per request', () => {
  it('refuses a batch (a JSON array body) with a coded 400, and runs none of it', async ({ hub }) => {
    const before = hub.gateway.audit.stats.records;
    const res = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: await identityHeaders(READER),
      body: JSON.stringify([{ query: '{ banks { code } }' }, { query: '{ banks { name } }' }]),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'BAD_REQUEST' } }] });
    expect(hub.gateway.audit.stats.records).toBe(before);
  });
});
