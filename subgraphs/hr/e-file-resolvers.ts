// GraphQL over social insurance and the e-file library: the holder's pages, the rows' own fields, and the HR
// department's writes. resolvers.ts spreads these in.
import type { GraphQLResolveInfo } from 'graphql';
import { reportWrites } from '../../core/protocol/access-report.js';
import { ErrorCode, hubError } from '../../core/protocol/errors.js';
import { readPage, toConnection, type PageArgs } from '../kit/pagination.js';
import { isoTimestamp } from '../kit/time.js';
import type { HrDeps } from './commands.js';
import { monthOf } from './e-file-inputs.js';
import type { ContributionRow, EnrolmentRow, LabourContractRow } from './e-file-tables.js';
import * as eFiles from './e-files.js';
import { createLoaders, type HrLoaders } from './loaders.js';
import type { HrContext } from './resolvers.js';
import * as socialInsurance from './social-insurance.js';

type Ctx = HrContext;
type Row = { id: string; recordedAt: Date };

/**
 * The HR department's own records: the gateway lets the card platforms (province, cities) write hr's card and holder
 * services, but enrolments, contributions and e-files are the department's (Art 7(1), 15). Refused before anything is
 * written.
 */
function departmentOnly(ctx: Ctx, info: GraphQLResolveInfo): void {
  const { kind, domain, client } = ctx.caller;
  if (kind === 'DEPARTMENT' && domain === 'hr') return;
  throw hubError(ErrorCode.FORBIDDEN, `Client ${client} may not write social insurance or e-file records`, {
    coordinate: `Mutation.${info.fieldName}`,
    domain: 'hr',
  });
}

/** As resolvers.ts's `mutation`: the command, fresh loaders that read what it wrote, and its holder for the audit. */
const write =
  <I, R extends { holderId: string }>(
    command: (deps: HrDeps, input: I) => Promise<R>,
    prime?: (l: HrLoaders, r: R) => unknown,
  ) =>
  async (_: unknown, { input }: { input: I }, ctx: Ctx, info: GraphQLResolveInfo) => {
    departmentOnly(ctx, info);
    const result = await command(ctx.deps, input);
    ctx.loaders = createLoaders(ctx.deps.db);
    prime?.(ctx.loaders, result);
    reportWrites(ctx, info, [result.holderId]);
    return result;
  };

/** A holder's page of one list, newest first by `at`. */
const pageOf =
  <T extends { id: string }>(
    list: string,
    loader: (l: HrLoaders) => (page: ReturnType<typeof readPage>) => { load(id: string): Promise<T[]> },
    at: (row: T) => Date,
  ) =>
  async (holder: { id: string }, args: PageArgs, ctx: Ctx) => {
    const page = readPage(args, list);
    return toConnection(await loader(ctx.loaders)(page).load(holder.id), page, (row) => ({ at: at(row), id: row.id }));
  };

const byRecording = (row: Row) => row.recordedAt;
const recordedAt = (row: Row) => isoTimestamp(row.recordedAt);

/** Spread into resolvers.ts's Mutation. */
export const eFileMutations = {
  enrolSocialInsurance: write(socialInsurance.enrolSocialInsurance),
  changeSocialInsuranceEnrolmentStatus: write(socialInsurance.changeEnrolmentStatus),
  recordSocialInsuranceContribution: write(
    async (deps: HrDeps, input: socialInsurance.RecordContributionInput) => {
      const { contribution, enrolment } = await socialInsurance.recordContribution(deps, input);
      return { ...contribution, enrolmentRow: enrolment };
    },
    (loaders, row) => loaders.enrolmentById.prime(row.enrolmentRow.id, row.enrolmentRow),
  ),
  recordEmploymentPeriod: write(eFiles.recordEmploymentPeriod),
  recordTraining: write(eFiles.recordTraining),
  recordQualification: write(eFiles.recordQualification),
  recordLabourContract: write(eFiles.recordLabourContract),
};

/** Spread into resolvers.ts's Holder. */
export const eFileHolderFields = {
  socialInsuranceEnrolments: pageOf('socialInsuranceEnrolments', (l) => l.enrolmentsPage, byRecording),
  socialInsuranceContributions: pageOf(
    'socialInsuranceContributions',
    (l) => l.contributionsPage,
    (c: ContributionRow) => c.month,
  ),
  employmentPeriods: pageOf('employmentPeriods', (l) => l.employmentPeriodsPage, byRecording),
  trainingRecords: pageOf('trainingRecords', (l) => l.trainingRecordsPage, byRecording),
  qualifications: pageOf('qualifications', (l) => l.qualificationsPage, byRecording),
  labourContracts: pageOf(
    'labourContracts',
    (l) => l.labourContractsPage,
    (c: LabourContractRow) => c.signedAt,
  ),
};

/** The rows' own types, spread into resolvers.ts's map. */
export const eFileTypes = {
  SocialInsuranceEnrolment: { recordedAt },
  SocialInsuranceContribution: {
    month: (row: ContributionRow) => monthOf(row.month),
    scheme: async (row: ContributionRow, _: unknown, ctx: Ctx) =>
      ((await ctx.loaders.enrolmentById.load(row.enrolmentId)) as EnrolmentRow).scheme,
    enrolment: (row: ContributionRow, _: unknown, ctx: Ctx) => ctx.loaders.enrolmentById.load(row.enrolmentId),
    totalFen: (row: ContributionRow) => row.employerFen + row.personalFen,
    recordedAt,
  },
  EmploymentPeriod: { recordedAt },
  TrainingRecord: { recordedAt },
  Qualification: { recordedAt },
  LabourContract: { recordedAt, signedAt: (row: LabourContractRow) => isoTimestamp(row.signedAt) },
};
