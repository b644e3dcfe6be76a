// GraphQL over the health domain: reads go through the per-request loaders, writes through the commands, and a
// write's result is read back by id (the first write's, on an idempotent replay).
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { readCityCode } from '../kit/cities.js';
import { ErrorCode, hubError } from '../../core/protocol/errors.js';
import { readPage, toConnection, type Connection, type Page, type PageArgs } from '../kit/pagination.js';
import { isUuid, quote } from '../kit/text.js';
import { isoTimestamp } from '../kit/time.js';
import * as commands from './commands.js';
import type { HealthLoaders } from './loaders.js';
import { listInstitutions } from './repository.js';
import type { HealthRecordRow, SettlementRow, VisitRow } from './tables.js';

export interface HealthContext {
  loaders: HealthLoaders;
  deps: commands.HealthDeps;
}

type Ctx = HealthContext;
const byVisitTime = (v: VisitRow) => ({ at: v.visitedAt, id: v.id });
const byRecordTime = (r: HealthRecordRow) => ({ at: r.recordedAt, id: r.id });

/** A holder-level page (an id that cannot be hr's has no rows: shared/holder-lists.ts). */
async function holderPage<R>(
  list: string,
  args: PageArgs,
  load: (page: Page) => Promise<R[]>,
  position: (row: R) => { at: Date; id: string },
): Promise<Connection<R>> {
  const page = readPage(args, list);
  return toConnection(await load(page), page, position);
}

async function loadOrFail<R>(row: Promise<R | null>, what: string): Promise<R> {
  const found = await row;
  // Only reachable if the row vanished between the write and the read; nothing here deletes.
  if (!found) throw new Error(`${what} written but not found`);
  return found;
}

export const resolvers: GraphQLResolverMap<Ctx> = {
  Query: {
    medicalInstitutions(_: unknown, { city }: { city?: string | null }, ctx: Ctx) {
      return listInstitutions(ctx.deps.db, city == null ? null : readCityCode(city, 'city'));
    },
    async medicalVisit(_: unknown, { id }: { id: string }, ctx: Ctx) {
      const visit = isUuid(id) ? await ctx.loaders.visitById.load(id) : null;
      if (!visit) throw hubError(ErrorCode.NOT_FOUND, `No medical visit with id ${quote(id)}`);
      return visit;
    },
  },
  Mutation: {
    registerMedicalInstitution: async (_: unknown, { input }: { input: commands.RegisterInstitutionInput }, ctx: Ctx) =>
      loadOrFail(ctx.loaders.institutionById.load(await commands.registerInstitution(ctx.deps, input)), 'institution'),
    recordMedicalVisit: async (_: unknown, { input }: { input: commands.RecordVisitInput }, ctx: Ctx) =>
      loadOrFail(ctx.loaders.visitById.load(await commands.recordVisit(ctx.deps, input)), 'visit'),
    recordHealthRecord: async (_: unknown, { input }: { input: commands.RecordHealthRecordInput }, ctx: Ctx) =>
      loadOrFail(ctx.loaders.recordById.load(await commands.recordHealthRecord(ctx.deps, input)), 'health record'),
  },
  Holder: {
    // hr owns holders; this subgraph only adds fields to them.
    __resolveReference: (ref: { id: string }) => ref,
    medicalVisits: (holder: { id: string }, args: PageArgs, ctx: Ctx) =>
      holderPage('medicalVisits', args, (page) => ctx.loaders.visitsPage(page).load(holder.id), byVisitTime),
    healthRecords: (holder: { id: string }, args: PageArgs, ctx: Ctx) =>
      holderPage('healthRecords', args, (page) => ctx.loaders.recordsPage(page).load(holder.id), byRecordTime),
  },
  MedicalVisit: {
    holder: (visit: VisitRow) => ({ id: visit.holderId }),
    institution: (visit: VisitRow, _: unknown, ctx: Ctx) => ctx.loaders.institutionById.load(visit.institutionId),
    visitedAt: (visit: VisitRow) => isoTimestamp(visit.visitedAt),
    admittedAt: (visit: VisitRow) => isoTimestamp(visit.admittedAt),
    dischargedAt: (visit: VisitRow) => isoTimestamp(visit.dischargedAt),
    diagnoses: async (visit: VisitRow, _: unknown, ctx: Ctx) =>
      (await ctx.loaders.diagnosesByVisitId.load(visit.id)).map((d) => d.code),
    settlement: (visit: VisitRow, _: unknown, ctx: Ctx) => ctx.loaders.settlementByVisitId.load(visit.id),
  },
  MedicalSettlement: {
    settledAt: (settlement: SettlementRow) => isoTimestamp(settlement.settledAt),
  },
  HealthRecord: {
    holder: (record: HealthRecordRow) => ({ id: record.holderId }),
    institution: (record: HealthRecordRow, _: unknown, ctx: Ctx) =>
      ctx.loaders.institutionById.load(record.institutionId),
    recordedAt: (record: HealthRecordRow) => isoTimestamp(record.recordedAt),
  },
};
