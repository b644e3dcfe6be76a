// Social insurance on the card (Art 7(1)) through the real gateway: enrolments per scheme and monthly contributions in
// fen, written by the HR department alone, read by social insurance (contributions too), HR services (enrolments
// only) and the holder, refused to every other purpose, and every read in the audit trail against its holder.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { hubTest } from '../support/fixtures.js';
import { codes } from '../support/hub.js';
import { registerHolder } from '../support/hr.js';
import {
  CONTRIBUTE,
  EMPLOYER_CODE,
  HR_SERVICE,
  READ,
  SELF,
  SOCIAL_INSURANCE,
  TRANSIT,
  contributionInput,
  enrol,
  firstError,
} from '../support/social-insurance.js';
import { rowsOf } from '../support/sql.js';

const it = hubTest();

let insured: { id: string; idNumber: string; pension: string; medical: string };

it.beforeAll(async ({ hub }) => {
  const holder = await registerHolder(hub);
  const pension = await enrol(hub, holder.idNumber);
  const medical = await enrol(hub, holder.idNumber, { scheme: 'MEDICAL', startDate: '2024-03-01' });
  for (const month of ['2024-03', '2024-04', '2024-05'])
    for (const enrolment of [pension.id, medical.id])
      await hub.as(SOCIAL_INSURANCE).ok(CONTRIBUTE, { input: contributionInput(enrolment, month) });
  insured = { id: holder.id, idNumber: holder.idNumber, pension: pension.id, medical: medical.id };
});

describe('enrolments and contributions', () => {
  it('enrol and record, the answer in fen, the contribution naming its enrolment', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const enrolment = await enrol(hub, holder.idNumber, { employerCode: EMPLOYER_CODE.toLowerCase() });
    expect(enrolment).toMatchObject({
      scheme: 'PENSION',
      status: 'ACTIVE',
      employerCode: EMPLOYER_CODE,
      endDate: null,
    });
    const recorded = await hub
      .as(SOCIAL_INSURANCE)
      .ok(CONTRIBUTE, { input: contributionInput(enrolment.id, '2024-02', { employerFen: 0, personalFen: 1 }) });
    expect(recorded.recordSocialInsuranceContribution).toMatchObject({
      month: '2024-02',
      scheme: 'PENSION',
      employerFen: 0,
      personalFen: 1,
      totalFen: 1,
      enrolment: { id: enrolment.id, scheme: 'PENSION' },
    });
  });

  it('reads back for the holder, newest first, a page at a time', async ({ hub }) => {
    const first = (await hub.as(SELF).ok(READ, { id: insured.idNumber, first: 4 })).holder;
    expect(first.socialInsuranceEnrolments.nodes.map((e: any) => e.scheme)).toEqual(['MEDICAL', 'PENSION']);
    const page1 = first.socialInsuranceContributions;
    expect(
      page1.nodes
        .map((c: any) => `${c.month} ${c.scheme}`)
        .slice(0, 2)
        .map((s: string) => s.slice(0, 7)),
    ).toEqual(['2024-05', '2024-05']);
    expect(page1.nodes[0]).toMatchObject({ employerFen: 128_000, personalFen: 64_000, totalFen: 192_000 });
    expect(page1.nodes[0].enrolment.city).toBe('440100');
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await hub.as(SELF).ok(READ, { id: insured.idNumber, first: 4, after: page1.pageInfo.endCursor }))
      .holder.socialInsuranceContributions;
    expect(page2.pageInfo.hasNextPage).toBe(false);
    const months = [...page1.nodes, ...page2.nodes].map((c: any) => c.month);
    expect(months).toEqual(['2024-05', '2024-05', '2024-04', '2024-04', '2024-03', '2024-03']);
    // A cursor of another list is refused, naming the argument.
    const foreign = await hub
      .as(SELF)
      .query(
        `query($id: String!, $after: String) { holder(idNumber: $id) { socialInsuranceEnrolments(after: $after) { nodes { id } } } }`,
        {
          id: insured.idNumber,
          after: page1.pageInfo.endCursor,
        },
      );
    expect(firstError(foreign)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('bounds contributions by month with from/to', async ({ hub }) => {
    const data = await hub
      .as(SELF)
      .ok(
        `query($id: String!) { holder(idNumber: $id) { socialInsuranceContributions(from: "2024-04-01", to: "2024-05-01") { nodes { month } } } }`,
        { id: insured.idNumber },
      );
    expect(data.holder.socialInsuranceContributions.nodes.map((c: any) => c.month)).toEqual(['2024-04', '2024-04']);
  });
});

describe('who reads what', () => {
  it('gives social insurance the enrolments and the contributions', async ({ hub }) => {
    const data = (await hub.as(SOCIAL_INSURANCE).ok(READ, { id: insured.idNumber })).holder;
    expect(data.socialInsuranceEnrolments.nodes).toHaveLength(2);
    expect(data.socialInsuranceContributions.nodes).toHaveLength(6);
  });

  it('gives HR services the enrolments but not the contributions', async ({ hub }) => {
    const result = await hub.as(HR_SERVICE).query(READ, { id: insured.idNumber });
    expect(result.data.holder.socialInsuranceEnrolments.nodes).toHaveLength(2);
    expect(result.data.holder.socialInsuranceContributions).toBeNull();
    expect(result.errors).toEqual([
      expect.objectContaining({
        path: ['holder', 'socialInsuranceContributions'],
        extensions: expect.objectContaining({
          code: 'FORBIDDEN',
          coordinate: 'Holder.socialInsuranceContributions',
          category: 'SOCIAL_INSURANCE',
          purpose: 'HR_SERVICE',
        }),
      }),
    ]);
  });

  it('refuses a transport operator both, null with FORBIDDEN', async ({ hub }) => {
    const result = await hub.as(TRANSIT).query(
      `query($id: String!) { holders(idNumbers: [$id]) { name socialInsuranceEnrolments { nodes { scheme } }
        socialInsuranceContributions { nodes { totalFen } } } }`,
      { id: insured.idNumber },
    );
    expect(result.data.holders[0]).toEqual({
      name: expect.any(String),
      socialInsuranceEnrolments: null,
      socialInsuranceContributions: null,
    });
    expect(
      result.errors!.map((e) => [e.extensions?.code, e.extensions?.coordinate, e.extensions?.category]).sort(),
    ).toEqual([
      ['FORBIDDEN', 'Holder.socialInsuranceContributions', 'SOCIAL_INSURANCE'],
      ['FORBIDDEN', 'Holder.socialInsuranceEnrolments', 'SOCIAL_INSURANCE'],
    ]);
  });

  it('keeps the amounts from HR services even in a contribution it writes', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const enrolment = await enrol(hub, holder.idNumber);
    const result = await hub.as(HR_SERVICE).query(CONTRIBUTE, { input: contributionInput(enrolment.id, '2024-06') });
    expect(result.data.recordSocialInsuranceContribution).toMatchObject({
      month: '2024-06',
      employerFen: null,
      totalFen: null,
    });
    expect(codes(result)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
  });

  it('records every read in the audit trail against the holder', async ({ hub }) => {
    const name = `Insurance_${randomUUID().slice(0, 8)}`;
    await hub.as(SELF).ok(
      `query ${name}($id: String!) { holder(idNumber: $id) {
      socialInsuranceEnrolments { nodes { scheme } } socialInsuranceContributions(first: 1) { nodes { employerFen enrolment { scheme } } } } }`,
      {
        id: insured.idNumber,
      },
    );
    const denied = `${name}_denied`;
    await hub.as(HR_SERVICE).query(
      `query ${denied}($id: String!) { holder(idNumber: $id) {
      socialInsuranceEnrolments { nodes { scheme } } socialInsuranceContributions { nodes { employerFen } } } }`,
      {
        id: insured.idNumber,
      },
    );
    const records = await rowsOf<{
      operation_name: string;
      holder_ids: string[];
      coordinates: string[];
      denied_coordinates: string[];
    }>(
      hub.gateway.database.db,
      sql`select operation_name, holder_ids, coordinates, denied_coordinates from gateway.audit_records
        where operation_name in (${name}, ${denied}) order by seq`,
    );
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ holder_ids: [insured.id], denied_coordinates: [] });
    expect(records[0]!.coordinates).toEqual(
      expect.arrayContaining([
        'Holder.socialInsuranceContributions',
        'Holder.socialInsuranceEnrolments',
        'SocialInsuranceContribution.employerFen',
        'SocialInsuranceContribution.enrolment',
        'SocialInsuranceEnrolment.scheme',
      ]),
    );
    expect(records[1]).toMatchObject({
      holder_ids: [insured.id],
      denied_coordinates: ['Holder.socialInsuranceContributions'],
    });
    expect(records[1]!.coordinates).toContain('Holder.socialInsuranceEnrolments');
    // Governance's report to the holder files these reads under the new category.
    const report = await hub
      .as({ client: 'governance', purpose: 'GOVERNANCE_AUDIT' })
      .ok(`query($n: String!) { holderAccessReport(idNumber: $n) { accesses { client { id } purpose categories } } }`, {
        n: insured.idNumber,
      });
    const entry = (purpose: string) =>
      report.holderAccessReport.accesses.find((a: any) => a.client.id === 'dept-hr' && a.purpose === purpose);
    expect(entry('SOCIAL_INSURANCE').categories).toContain('SOCIAL_INSURANCE');
    expect(entry('HR_SERVICE').categories).toContain('SOCIAL_INSURANCE');
  });
});
