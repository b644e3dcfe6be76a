// GraphQL over culture and tourism: reads go through the per-request loaders, writes through the commands.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { GraphQLResolveInfo } from 'graphql';
import { reportWrites } from '../../core/protocol/access-report.js';
import { readCityCode } from '../kit/cities.js';
import { ErrorCode, hubError } from '../../core/protocol/errors.js';
import { readPage, toConnection, type PageArgs } from '../kit/pagination.js';
import { isoTimestamp } from '../kit/time.js';
import * as commands from './commands.js';
import { readVenueCode } from './inputs.js';
import type { CultureTourismLoaders } from './loaders.js';
import { listVenues } from './repository.js';
import type { AdmissionRow, LibraryLoanRow, VenueKind } from './tables.js';

export interface CultureTourismContext {
  loaders: CultureTourismLoaders;
  deps: commands.CultureTourismDeps;
}

type Ctx = CultureTourismContext;
const byAdmissionTime = (a: AdmissionRow) => ({ at: a.admittedAt, id: a.id });
const byBorrowTime = (l: LibraryLoanRow) => ({ at: l.borrowedAt, id: l.id });

/** A venue every admission and loan has (a foreign key says so); missing would be a bug, not a caller's error. */
async function venueOf(ctx: Ctx, venueId: string) {
  const venue = await ctx.loaders.venueById.load(venueId);
  if (!venue) throw new Error(`venue ${venueId} missing`);
  return venue;
}

export const resolvers: GraphQLResolverMap<Ctx> = {
  Query: {
    venues(_: unknown, args: { city?: string | null; kind?: VenueKind | null }, ctx: Ctx) {
      return listVenues(ctx.deps.db, {
        city: args.city == null ? null : readCityCode(args.city, 'city'),
        kind: args.kind,
      });
    },
    async venue(_: unknown, { code }: { code: string }, ctx: Ctx) {
      // The format first: a malformed code (a NUL byte, 100 KB) is the caller's mistake, and never reaches SQL.
      const wanted = readVenueCode(code, 'code');
      const venue = await ctx.loaders.venueByCode.load(wanted);
      if (!venue) throw hubError(ErrorCode.NOT_FOUND, `No venue with code ${wanted}`);
      return venue;
    },
  },
  Mutation: {
    registerVenue: async (_: unknown, { input }: { input: commands.RegisterVenueInput }, ctx: Ctx) =>
      ctx.loaders.venueById.load(await commands.registerVenue(ctx.deps, input)),
    recordAdmissions: (
      _: unknown,
      { input }: { input: Parameters<typeof commands.recordAdmissions>[1] },
      ctx: Ctx,
      info: GraphQLResolveInfo,
    ) => commands.recordAdmissions(ctx.deps, input, (holderIds) => reportWrites(ctx, info, holderIds)),
    recordLibraryLoan: async (_: unknown, { input }: { input: commands.RecordLibraryLoanInput }, ctx: Ctx) =>
      ctx.loaders.loanById.load(await commands.recordLibraryLoan(ctx.deps, input)),
    returnLibraryLoan: async (
      _: unknown,
      { input }: { input: Parameters<typeof commands.returnLibraryLoan>[1] },
      ctx: Ctx,
    ) => ctx.loaders.loanById.load(await commands.returnLibraryLoan(ctx.deps, input)),
  },
  Holder: {
    // hr owns holders; this subgraph only adds fields to them. An id that cannot be hr's (only reachable by calling
    // the subgraph directly) has no rows, and never reaches the uuid column.
    __resolveReference: (ref: { id: string }) => ref,
    async venueAdmissions(holder: { id: string }, args: PageArgs, ctx: Ctx) {
      const page = readPage(args, 'venueAdmissions');
      return toConnection(await ctx.loaders.admissionsPage(page).load(holder.id), page, byAdmissionTime);
    },
    async libraryLoans(holder: { id: string }, args: PageArgs, ctx: Ctx) {
      const page = readPage(args, 'libraryLoans');
      return toConnection(await ctx.loaders.loansPage(page).load(holder.id), page, byBorrowTime);
    },
  },
  AdmissionRowResult: {
    admission: (row: commands.AdmissionRowOutcome, _: unknown, ctx: Ctx) =>
      row.admissionId ? ctx.loaders.admissionById.load(row.admissionId) : null,
  },
  VenueAdmission: {
    holder: (a: AdmissionRow) => ({ id: a.holderId }),
    venue: (a: AdmissionRow, _: unknown, ctx: Ctx) => venueOf(ctx, a.venueId),
    admittedAt: (a: AdmissionRow) => isoTimestamp(a.admittedAt),
  },
  LibraryLoan: {
    holder: (l: LibraryLoanRow) => ({ id: l.holderId }),
    venue: (l: LibraryLoanRow, _: unknown, ctx: Ctx) => venueOf(ctx, l.venueId),
    borrowedAt: (l: LibraryLoanRow) => isoTimestamp(l.borrowedAt),
    dueAt: (l: LibraryLoanRow) => isoTimestamp(l.dueAt),
    returnedAt: (l: LibraryLoanRow) => isoTimestamp(l.returnedAt),
    overdue: (l: LibraryLoanRow) => new Date(l.returnedAt ?? Date.now()).getTime() > new Date(l.dueAt).getTime(),
  },
};
