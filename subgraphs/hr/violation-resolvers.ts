// GraphQL over violations and fines (Art 19): the holder's page, the public credit feed, and the HR department's
// writes. resolvers.ts spreads these in.
import type { GraphQLResolveInfo } from 'graphql';
import { reportWrites } from '../../core/protocol/access-report.js';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import { readPage, toConnection, type PageArgs } from '../kit/pagination.js';
import { isoTimestamp } from '../kit/time.js';
import type { HrContext } from './resolvers.js';
import { createLoaders } from './loaders.js';
import type { ViolationRow } from './violation-tables.js';
import * as commands from './violations.js';

/** Violations are the HRSS departments' decisions: neither the card platforms nor other departments write them. */
function departmentOnly(ctx: HrContext, info: GraphQLResolveInfo): void {
  const { kind, domain, client } = ctx.caller;
  if (kind === 'DEPARTMENT' && domain === 'hr') return;
  throw hubError(ErrorCode.FORBIDDEN, `Client ${client} may not write violations`, {
    coordinate: `Mutation.${info.fieldName}`,
    domain: 'hr',
  });
}

const write =
  <I>(command: (deps: HrContext['deps'], input: I) => Promise<ViolationRow>) =>
  async (_: unknown, { input }: { input: I }, ctx: HrContext, info: GraphQLResolveInfo) => {
    departmentOnly(ctx, info);
    const result = await command(ctx.deps, input);
    ctx.loaders = createLoaders(ctx.deps.db);
    if (result.holderId) reportWrites(ctx, info, [result.holderId]);
    return result;
  };

export const violationMutations = {
  recordViolation: write(commands.recordViolation),
  changeViolationStatus: write(commands.changeViolationStatus),
};

export const violationQueries = {
  async publicCreditFeed(_: unknown, args: { after?: string | null; first?: number | null }, ctx: HrContext) {
    const first = args.first ?? 100;
    if (!Number.isInteger(first) || first < 1 || first > commands.MAX_FEED_PAGE)
      throw badInput(`first must be from 1 to ${commands.MAX_FEED_PAGE}`, 'first');
    const after = commands.readFeedCursor(args.after);
    // One more than asked tells whether more follow.
    const rows = await commands.creditFeed(ctx.deps.db, after, first + 1);
    const items = rows.slice(0, first);
    return { items, endCursor: items.at(-1)?.position ?? args.after ?? null, hasMore: rows.length > first };
  },
};

export const violationHolderFields = {
  async violations(holder: { id: string }, args: PageArgs, ctx: HrContext) {
    const page = readPage(args, 'violations');
    const rows = await ctx.loaders.violationsPage(page).load(holder.id);
    return toConnection(rows, page, (row) => ({ at: row.recordedAt, id: row.id }));
  },
};

export const violationTypes = {
  Violation: {
    subjectKind: (row: ViolationRow) => (row.holderId ? 'PERSON' : 'ORGANISATION'),
    recordedAt: (row: ViolationRow) => isoTimestamp(row.recordedAt),
    updatedAt: (row: ViolationRow) => isoTimestamp(row.updatedAt),
  },
};
