// GraphQL over the HR domain: reads go through the per-request loaders, writes through the commands.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { GraphQLResolveInfo } from 'graphql';
import { reportOutOfRegion, reportWrites } from '../../core/protocol/access-report.js';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import type { CallerClaims } from '../../core/protocol/gateway-proof.js';
import { isoTimestamp } from '../kit/time.js';
import * as cardCommands from './card-commands.js';
import * as commands from './commands.js';
import { eFileHolderFields, eFileMutations, eFileTypes } from './e-file-resolvers.js';
import { violationHolderFields, violationMutations, violationQueries, violationTypes } from './violation-resolvers.js';
import * as identity from './identity.js';
import { checkIdNumber } from './inputs.js';
import { readCardNumber } from '../kit/card-number.js';
import { isUuid } from '../kit/text.js';
import { createLoaders, type HrLoaders } from './loaders.js';
import { listBanks } from './repository.js';
import type { BankAccountRow, CardEventRow, CardRow, HolderRow } from './tables.js';

export interface HrContext {
  loaders: HrLoaders;
  deps: commands.HrDeps;
  /** Who the gateway says is asking. */
  caller: CallerClaims;
  /** QR keys and spent nonces (identity.ts). */
  identity: identity.IdentityDeps;
}

/**
 * A city platform looks up by ID number only the holders registered in its city. A holder from elsewhere it
 * serves through the card they present (holderByCard, card): being served in another city is normal (Art 4),
 * browsing another city's register is not. A holder registered elsewhere is answered exactly as a number nobody
 * holds (null in a list, HOLDER_NOT_FOUND alone): a refusal would tell "registered in another city" from "not
 * registered", 100 numbers a field. Such lookups are counted in the access report (no identifiers), for
 * governance's REGION_PROBING anomaly.
 */
function inRegion(ctx: HrContext, holder: HolderRow | null | undefined): HolderRow | null {
  if (!holder) return null;
  return ctx.caller.kind !== 'CITY' || holder.registeredCity === ctx.caller.city ? holder : null;
}

/** The one answer for a number not found, in the caller's region for a city platform. */
const holderNotFound = (ctx: HrContext) =>
  hubError(
    ErrorCode.HOLDER_NOT_FOUND,
    ctx.caller.kind === 'CITY'
      ? 'No holder is registered in your city with this ID number'
      : 'No holder is registered with this ID number',
  );

export const MAX_HOLDERS_PER_QUERY = 100;

async function cardOrFail(ctx: HrContext, raw: string): Promise<CardRow> {
  const cardNumber = readCardNumber(raw);
  const card = await ctx.loaders.cardByNumber.load(cardNumber);
  if (!card) throw hubError(ErrorCode.CARD_NOT_FOUND, `No card with number ${cardNumber}`);
  return card;
}

const timestamps = {
  createdAt: (row: { createdAt: Date }) => isoTimestamp(row.createdAt),
  updatedAt: (row: { updatedAt: Date }) => isoTimestamp(row.updatedAt),
};

/**
 * The holders a write was for, from what its command returns: a row's `holderId` (a card, a bank account), or that of
 * each row it holds (replaceCard's old and new card). A holder written (registerHolder) is its own result, which the
 * access report names anyway.
 */
function holdersWritten(result: unknown): string[] {
  if (result === null || typeof result !== 'object') return [];
  const own = (result as { holderId?: unknown }).holderId;
  if (typeof own === 'string') return [own];
  return Object.values(result).flatMap((part) => {
    const holderId = part !== null && typeof part === 'object' ? (part as { holderId?: unknown }).holderId : undefined;
    return typeof holderId === 'string' ? [holderId] : [];
  });
}

/**
 * Every mutation takes one `input` and hands it to its command; the holders it wrote for go to the audit record.
 * What the operation read before the write is stale after it: the loaders start afresh, so the mutation's answer (and
 * the next mutation's) reads what was written. Loaders also hold what they were primed with, not only what was asked
 * (a holder's cards bring every card's events and the cards by id, loaders.ts): `a: reportCardLoss { holder { cards
 * { cardNumber } } } b: cancelCardLossReport { events }`, one request to this subgraph, answered b's events without
 * the cancellation b had just written.
 */
const mutation =
  <I, R>(command: (deps: commands.HrDeps, input: I) => Promise<R>) =>
  async (_: unknown, { input }: { input: I }, ctx: HrContext, info: GraphQLResolveInfo) => {
    const result = await command(ctx.deps, input);
    ctx.loaders = createLoaders(ctx.deps.db);
    reportWrites(ctx, info, holdersWritten(result));
    return result;
  };

export const resolvers: GraphQLResolverMap<HrContext> = {
  ...eFileTypes,
  ...violationTypes,
  Query: {
    ...violationQueries,
    async holder(_: unknown, { idNumber }: { idNumber: string }, ctx: HrContext) {
      const found = await ctx.loaders.holderByIdNumber.load(checkIdNumber(idNumber));
      const holder = inRegion(ctx, found);
      if (found && !holder) reportOutOfRegion(ctx, 1);
      if (!holder) throw holderNotFound(ctx);
      return holder;
    },
    async holderByCard(_: unknown, { cardNumber }: { cardNumber: string }, ctx: HrContext) {
      const card = await cardOrFail(ctx, cardNumber);
      return ctx.loaders.holderById.load(card.holderId);
    },
    async holders(_: unknown, { idNumbers }: { idNumbers: string[] }, ctx: HrContext) {
      if (idNumbers.length > MAX_HOLDERS_PER_QUERY) {
        throw badInput(`At most ${MAX_HOLDERS_PER_QUERY} ID numbers per query, got ${idNumbers.length}`, 'idNumbers');
      }
      const numbers = idNumbers.map((raw, i) => checkIdNumber(raw, `idNumbers[${i}]`));
      const found = await ctx.loaders.holderByIdNumber.loadMany(numbers);
      let outOfRegion = 0;
      const answered = found.map((holder) => {
        if (!holder || holder instanceof Error) return holder;
        const own = inRegion(ctx, holder);
        if (!own) outOfRegion++;
        return own;
      });
      reportOutOfRegion(ctx, outOfRegion);
      return answered;
    },
    card: (_: unknown, { cardNumber }: { cardNumber: string }, ctx: HrContext) => cardOrFail(ctx, cardNumber),
    banks: (_: unknown, __: unknown, ctx: HrContext) => listBanks(ctx.deps.db),
    verifyCardQr: (_: unknown, args: { payload: string }, ctx: HrContext, info: GraphQLResolveInfo) =>
      identity.verifyCardQr(ctx.identity, ctx.loaders, ctx.caller, args, (id) => reportWrites(ctx, info, [id])),
    verifyCard: (
      _: unknown,
      args: Parameters<typeof identity.verifyCard>[2],
      ctx: HrContext,
      info: GraphQLResolveInfo,
    ) => identity.verifyCard(ctx.loaders, ctx.caller, args, (id) => reportWrites(ctx, info, [id])),
  },
  Mutation: {
    registerHolder: mutation(commands.registerHolder),
    applyForCard: mutation(cardCommands.applyForCard),
    issueCard: mutation(cardCommands.issueCard),
    reportCardLoss: mutation(cardCommands.reportCardLoss),
    cancelCardLossReport: mutation(cardCommands.cancelCardLossReport),
    replaceCard: mutation(cardCommands.replaceCard),
    cancelCard: mutation(cardCommands.cancelCard),
    issueElectronicCard: mutation(cardCommands.issueElectronicCard),
    switchBank: mutation(commands.switchBank),
    registerBank: mutation(commands.registerBank),
    ...eFileMutations,
    ...violationMutations,
    issueCardQr: (_: unknown, { cardNumber }: { cardNumber: string }, ctx: HrContext, info: GraphQLResolveInfo) =>
      identity.issueCardQr(ctx.identity, ctx.loaders, ctx.caller, cardNumber, (id) => reportWrites(ctx, info, [id])),
  },
  Holder: {
    __resolveReference: (ref: { id: string }, ctx: HrContext) =>
      isUuid(ref.id) ? ctx.loaders.holderById.load(ref.id) : null,
    cards: (holder: HolderRow, _: unknown, ctx: HrContext) => ctx.loaders.cardsByHolderId.load(holder.id),
    bankAccount: async (holder: HolderRow, _: unknown, ctx: HrContext) =>
      (await ctx.loaders.openBankAccountsByHolderId.load(holder.id))[0] ?? null,
    ...timestamps,
    ...eFileHolderFields,
    ...violationHolderFields,
  },
  Card: {
    __resolveReference: (ref: { cardNumber: string }, ctx: HrContext) => ctx.loaders.cardByNumber.load(ref.cardNumber),
    holder: (card: CardRow, _: unknown, ctx: HrContext) => ctx.loaders.holderById.load(card.holderId),
    physicalCard: (card: CardRow, _: unknown, ctx: HrContext) =>
      card.physicalCardId ? ctx.loaders.cardById.load(card.physicalCardId) : null,
    replacedBy: (card: CardRow, _: unknown, ctx: HrContext) =>
      card.replacedByCardId ? ctx.loaders.cardById.load(card.replacedByCardId) : null,
    bankAccount: (card: CardRow, _: unknown, ctx: HrContext) =>
      card.bankAccountId ? ctx.loaders.bankAccountById.load(card.bankAccountId) : null,
    events: (card: CardRow, _: unknown, ctx: HrContext) => ctx.loaders.eventsByCardId.load(card.id),
    lossReportedAt: (card: CardRow) => isoTimestamp(card.lossReportedAt),
    lossLapsesAt: (card: CardRow) => isoTimestamp(card.lossLapsesAt),
  },
  IdentityVerification: {
    cardNumber: (v: identity.IdentityVerification) => v.card.cardNumber,
    cardKind: (v: identity.IdentityVerification) => v.card.kind,
    cardStatus: (v: identity.IdentityVerification) => v.card.status,
    issuingAuthority: (v: identity.IdentityVerification) => v.card.issuingAuthority,
    expiresOn: (v: identity.IdentityVerification) => v.card.expiresOn,
    name: (v: identity.IdentityVerification) => v.holder.name,
    idType: (v: identity.IdentityVerification) => v.holder.idType,
    idNumber: (v: identity.IdentityVerification) => v.holder.idNumber,
  },
  CardEvent: {
    occurredAt: (e: CardEventRow) => isoTimestamp(e.occurredAt),
  },
  BankAccount: {
    bank: (account: BankAccountRow, _: unknown, ctx: HrContext) => ctx.loaders.bankByCode.load(account.bankCode),
    openedAt: (account: BankAccountRow) => isoTimestamp(account.openedAt),
    closedAt: (account: BankAccountRow) => isoTimestamp(account.closedAt),
  },
};
