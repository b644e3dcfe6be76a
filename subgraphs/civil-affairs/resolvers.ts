// GraphQL over civil affairs: reads through the per-request loaders, writes through the commands.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { ErrorCode, hubError } from '../../core/protocol/errors.js';
import { readPage, toConnection, type PageArgs } from '../kit/pagination.js';
import { isoTimestamp } from '../kit/time.js';
import { certificateStatus } from './certificate-status.js';
import * as commands from './commands.js';
import type { CivilAffairsLoaders } from './loaders.js';
import type { CertificateRow, ReliefRow } from './tables.js';

export interface CivilAffairsContext {
  loaders: CivilAffairsLoaders;
  deps: commands.CivilAffairsDeps;
}

type Ctx = CivilAffairsContext;
const byIssueTime = (c: CertificateRow) => ({ at: c.issuedAt, id: c.id });
const byGrantTime = (r: ReliefRow) => ({ at: r.grantedAt, id: r.id });

export const resolvers: GraphQLResolverMap<Ctx> = {
  Query: {
    async preferentialCertificate(_: unknown, { certificateNumber }: { certificateNumber: string }, ctx: Ctx) {
      const row = await ctx.loaders.certificateByNumber.load(commands.checkCertificateNumber(certificateNumber));
      if (!row) throw hubError(ErrorCode.NOT_FOUND, `No certificate with number ${certificateNumber}`);
      return row;
    },
  },
  Mutation: {
    issuePreferentialCertificate: async (_: unknown, { input }: { input: commands.IssueCertificateInput }, ctx: Ctx) =>
      ctx.loaders.certificateById.load(await commands.issueCertificate(ctx.deps, input)),
    revokePreferentialCertificate: async (
      _: unknown,
      { input }: { input: Parameters<typeof commands.revokeCertificate>[1] },
      ctx: Ctx,
    ) => ctx.loaders.certificateById.load(await commands.revokeCertificate(ctx.deps, input)),
    grantReliefEntitlement: async (_: unknown, { input }: { input: commands.GrantReliefInput }, ctx: Ctx) =>
      ctx.loaders.reliefById.load(await commands.grantRelief(ctx.deps, input)),
  },
  Holder: {
    // hr owns holders; this subgraph only adds fields to them.
    __resolveReference: (ref: { id: string }) => ref,
    async preferentialCertificates(holder: { id: string }, args: PageArgs, ctx: Ctx) {
      const page = readPage(args, 'preferentialCertificates');
      return toConnection(await ctx.loaders.certificatesPage(page).load(holder.id), page, byIssueTime);
    },
    concessionCertificates: (holder: { id: string }, _: unknown, ctx: Ctx) =>
      ctx.loaders.validCertificates.load(holder.id),
    async reliefEntitlements(holder: { id: string }, args: PageArgs, ctx: Ctx) {
      const page = readPage(args, 'reliefEntitlements');
      return toConnection(await ctx.loaders.reliefPage(page).load(holder.id), page, byGrantTime);
    },
  },
  PreferentialCertificate: {
    status: (row: CertificateRow, _: unknown, ctx: Ctx) => certificateStatus(row, ctx.loaders.today),
    revokedAt: (row: CertificateRow) => isoTimestamp(row.revokedAt),
    issuedAt: (row: CertificateRow) => isoTimestamp(row.issuedAt),
    holder: (row: CertificateRow) => ({ id: row.holderId }),
  },
  ReliefEntitlement: {
    grantedAt: (row: ReliefRow) => isoTimestamp(row.grantedAt),
  },
};
