// Social insurance writes through the real gateway: the HR department's alone, once per idempotency key, each bad
// input refused naming its field, an enrolment's status changed within its rules.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { hubTest } from '../support/fixtures.js';
import { codes, type TestHub } from '../support/hub.js';
import { registerHolder } from '../support/hr.js';
import {
  CONTRIBUTE,
  ENROL,
  SOCIAL_INSURANCE,
  contributionInput,
  enrol,
  enrolInput,
  firstError,
} from '../support/social-insurance.js';

const it = hubTest();

/** A holder enrolled in pension since 2024-01-15, its 2024-03 contribution recorded. */
let insured: { idNumber: string; pension: string };

it.beforeAll(async ({ hub }) => {
  const holder = await registerHolder(hub);
  const pension = await enrol(hub, holder.idNumber);
  await hub.as(SOCIAL_INSURANCE).ok(CONTRIBUTE, { input: contributionInput(pension.id, '2024-03') });
  insured = { idNumber: holder.idNumber, pension: pension.id };
});

const CHANGE = `mutation($input: ChangeEnrolmentStatusInput!) { changeSocialInsuranceEnrolmentStatus(input: $input) {
  id status endDate } }`;
const changer = (hub: TestHub) => (enrolmentId: string, status: string, endDate?: string) =>
  hub.query(CHANGE, { input: { idempotencyKey: randomUUID(), enrolmentId, status, endDate } });

describe('writes', () => {
  it('suspends, resumes and terminates an enrolment, after which it takes no later month', async ({ hub }) => {
    const change = changer(hub);
    const holder = await registerHolder(hub);
    const { id } = await enrol(hub, holder.idNumber, { scheme: 'UNEMPLOYMENT', startDate: '2024-01-01' });
    await hub.as(SOCIAL_INSURANCE).ok(CONTRIBUTE, { input: contributionInput(id, '2024-03') });
    expect((await change(id, 'SUSPENDED')).data.changeSocialInsuranceEnrolmentStatus).toEqual({
      id,
      status: 'SUSPENDED',
      endDate: null,
    });
    expect(firstError(await change(id, 'SUSPENDED'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'status' });
    expect((await change(id, 'ACTIVE')).data.changeSocialInsuranceEnrolmentStatus.status).toBe('ACTIVE');
    for (const [status, endDate, field] of [
      ['TERMINATED', undefined, 'endDate'],
      ['ACTIVE', '2024-06-30', 'endDate'],
      ['TERMINATED', '2023-12-31', 'endDate'], // before the start
      ['TERMINATED', '2024-02-29', 'endDate'], // before the last month paid
      ['TERMINATED', '2024-04-31', 'endDate'],
    ] as const) {
      expect(firstError(await change(id, status, endDate)), `${status} ${endDate}`).toMatchObject({
        code: 'BAD_USER_INPUT',
        field,
      });
    }
    expect((await change(id, 'TERMINATED', '2024-04-30')).data.changeSocialInsuranceEnrolmentStatus).toEqual({
      id,
      status: 'TERMINATED',
      endDate: '2024-04-30',
    });
    expect(firstError(await change(id, 'ACTIVE'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'status' });
    const late = await hub.as(SOCIAL_INSURANCE).query(CONTRIBUTE, { input: contributionInput(id, '2024-05') });
    expect(firstError(late)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'month' });
    expect(codes(await change(randomUUID(), 'SUSPENDED'))).toEqual(['NOT_FOUND']);
  });

  it('replays by key without a second row, and refuses the key for another input', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const input = enrolInput(holder.idNumber, { scheme: 'WORK_INJURY' });
    const first = await hub.ok(ENROL, { input });
    expect(await hub.ok(ENROL, { input })).toEqual(first);
    expect(codes(await hub.query(ENROL, { input: { ...input, scheme: 'MATERNITY' } }))).toEqual([
      'IDEMPOTENCY_KEY_REUSED',
    ]);
    const contribution = contributionInput(first.enrolSocialInsurance.id, '2024-01');
    const recorded = await hub.as(SOCIAL_INSURANCE).ok(CONTRIBUTE, { input: contribution });
    expect(await hub.as(SOCIAL_INSURANCE).ok(CONTRIBUTE, { input: contribution })).toEqual(recorded);
    const rows = await hub.rows<{ n: number }>(
      sql`select (select count(*)::int from hr.social_insurance_enrolments where holder_id = ${holder.id})
        + (select count(*)::int from hr.social_insurance_contributions where holder_id = ${holder.id}) as n`,
    );
    expect(rows[0]!.n).toBe(2);
  });

  it('is the HR department’s alone: the card platforms and other departments are refused, nothing written', async ({
    hub,
  }) => {
    const holder = await registerHolder(hub);
    for (const identity of [
      { client: 'province', purpose: 'HR_SERVICE' },
      { client: 'city-440100', purpose: 'SOCIAL_INSURANCE' },
      { client: 'dept-health', purpose: 'MEDICAL_SERVICE' },
    ]) {
      const result = await hub.as(identity).query(ENROL, { input: enrolInput(holder.idNumber) });
      expect(codes(result), identity.client).toEqual(['FORBIDDEN']);
      expect(firstError(result)).toMatchObject({ coordinate: 'Mutation.enrolSocialInsurance' });
    }
    const refused = await hub.as({ client: 'province', purpose: 'SOCIAL_INSURANCE' }).query(CONTRIBUTE, {
      input: contributionInput(insured.pension, '2024-01'),
    });
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    const rows = await hub.rows<{ n: number }>(
      sql`select count(*)::int as n from hr.social_insurance_enrolments where holder_id = ${holder.id}`,
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('refuses bad enrolments, naming the field', async ({ hub }) => {
    for (const [extra, field] of [
      [{ startDate: '2024-02-30' }, 'startDate'],
      [{ startDate: '15/01/2024' }, 'startDate'],
      [{ endDate: '2023-12-31', status: 'TERMINATED' }, 'endDate'],
      [{ status: 'TERMINATED' }, 'endDate'],
      [{ endDate: '2025-01-01' }, 'endDate'],
      [{ city: '110000' }, 'city'],
      [{ employerCode: '91440101MA59ABCD1E' }, 'employerCode'],
      [{ employerName: null }, 'employerName'],
      [{ idNumber: 'no-such-document' }, 'idNumber'],
      [{ idempotencyKey: 'short' }, 'idempotencyKey'],
    ] as const) {
      const result = await hub.query(ENROL, { input: enrolInput(insured.idNumber, extra) });
      expect(firstError(result), JSON.stringify(extra)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    // An unknown scheme is refused by the schema itself (InsuranceScheme) at the gateway, before hr: BAD_USER_INPUT
    // naming the field all the same (read from GraphQL's own message, core/protocol/errors.ts).
    const unknown = await hub.query(ENROL, { input: enrolInput(insured.idNumber, { scheme: 'HOUSING_FUND' }) });
    expect(firstError(unknown)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scheme' });
    expect(unknown.errors![0]!.message).toMatch(/input\.scheme/);
  });

  it('refuses bad contributions, naming the field', async ({ hub }) => {
    const nextYear = `${new Date().getUTCFullYear() + 1}-01`;
    for (const [extra, field] of [
      [{ employerFen: -1 }, 'employerFen'],
      [{ personalFen: -100 }, 'personalFen'],
      [{ month: '2024-13' }, 'month'],
      [{ month: '2024-5' }, 'month'],
      [{ month: nextYear }, 'month'],
      [{ month: '2023-12' }, 'month'], // before the enrolment began
      [{ month: '2024-03' }, 'month'], // already recorded
      [{ enrolmentId: 'not-an-id' }, 'enrolmentId'],
    ] as const) {
      const result = await hub
        .as(SOCIAL_INSURANCE)
        .query(CONTRIBUTE, { input: contributionInput(insured.pension, '2024-07', extra) });
      expect(firstError(result), JSON.stringify(extra)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    // Fractions of a fen and amounts past 32 bits never reach hr: GraphQL's Int refuses them, naming the path.
    for (const employerFen of [12.5, 2 ** 31]) {
      const result = await hub
        .as(SOCIAL_INSURANCE)
        .query(CONTRIBUTE, { input: contributionInput(insured.pension, '2024-07', { employerFen }) });
      expect(firstError(result)).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(result.errors![0]!.message).toMatch(/input\.employerFen/);
    }
    const missing = await hub
      .as(SOCIAL_INSURANCE)
      .query(CONTRIBUTE, { input: contributionInput(randomUUID(), '2024-07') });
    expect(codes(missing)).toEqual(['NOT_FOUND']);
  });
});

describe('the rules of an enrolment', () => {
  it('takes no contribution while suspended, and takes it again once resumed', async ({ hub }) => {
    const change = changer(hub);
    const holder = await registerHolder(hub);
    const { id } = await enrol(hub, holder.idNumber, { scheme: 'MEDICAL' });
    expect(codes(await change(id, 'SUSPENDED'))).toEqual([]);
    const input = contributionInput(id, '2024-04');
    const paused = await hub.as(SOCIAL_INSURANCE).query(CONTRIBUTE, { input });
    expect(firstError(paused)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'enrolmentId' });
    const rows = await hub.rows<{ n: number }>(
      sql`select count(*)::int as n from hr.social_insurance_contributions where enrolment_id = ${id}`,
    );
    expect(rows[0]!.n).toBe(0);
    // The refusal left no key behind: the same request, once resumed, is recorded.
    expect(codes(await change(id, 'ACTIVE'))).toEqual([]);
    const resumed = await hub.as(SOCIAL_INSURANCE).ok(CONTRIBUTE, { input });
    expect(resumed.recordSocialInsuranceContribution).toMatchObject({ month: '2024-04', enrolment: { id } });
  });

  it('keeps one live (ACTIVE or SUSPENDED) enrolment per scheme and holder', async ({ hub }) => {
    const change = changer(hub);
    const holder = await registerHolder(hub);
    const first = await enrol(hub, holder.idNumber);
    const again = () => hub.query(ENROL, { input: enrolInput(holder.idNumber, { startDate: '2024-06-01' }) });
    expect(firstError(await again())).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scheme', enrolmentId: first.id });
    expect(codes(await change(first.id, 'SUSPENDED'))).toEqual([]);
    expect(firstError(await again())).toMatchObject({ code: 'BAD_USER_INPUT', field: 'scheme', enrolmentId: first.id });
    // Another scheme, and a past (TERMINATED) period of the same one, stand beside it.
    await enrol(hub, holder.idNumber, { scheme: 'MEDICAL' });
    await enrol(hub, holder.idNumber, { status: 'TERMINATED', startDate: '2020-01-01', endDate: '2022-12-31' });
    // Once it is terminated, the holder enrols in the scheme anew.
    expect(codes(await change(first.id, 'TERMINATED', '2024-05-31'))).toEqual([]);
    expect((await again()).data?.enrolSocialInsurance).toMatchObject({ scheme: 'PENSION', status: 'ACTIVE' });
    const live = await hub.rows<{ n: number }>(
      sql`select count(*)::int as n from hr.social_insurance_enrolments
        where holder_id = ${holder.id} and scheme = 'PENSION' and status <> 'TERMINATED'`,
    );
    expect(live[0]!.n).toBe(1);
  });

  it('makes one enrolment of concurrent requests for one scheme, the others refused naming the field', async ({
    hub,
  }) => {
    const holder = await registerHolder(hub);
    const answers = await Promise.all(
      [1, 2, 3].map(() => hub.query(ENROL, { input: enrolInput(holder.idNumber, { scheme: 'MATERNITY' }) })),
    );
    expect(answers.filter((a) => !a.errors)).toHaveLength(1);
    const refused = answers.flatMap((a) => a.errors ?? []).map((e) => `${e.extensions?.code}:${e.extensions?.field}`);
    expect(refused).toEqual(['BAD_USER_INPUT:scheme', 'BAD_USER_INPUT:scheme']);
    const rows = await hub.rows<{ n: number }>(
      sql`select count(*)::int as n from hr.social_insurance_enrolments where holder_id = ${holder.id}`,
    );
    expect(rows[0]!.n).toBe(1);
  });
});
