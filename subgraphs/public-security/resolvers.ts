// GraphQL over public security: reads through the per-request loaders, writes through the commands.
import { cardExpired, expiredOn } from '../kit/card-validity.js';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { ErrorCode, hubError } from '../../core/protocol/errors.js';
import { readCardNumber } from '../kit/card-number.js';
import { isoTimestamp } from '../kit/time.js';
import * as commands from './commands.js';
import { licenceStatus } from './licence-rules.js';
import { createLoaders, type PublicSecurityLoaders } from './loaders.js';
import type { LicenceKind, LicenceRow } from './tables.js';

export interface PublicSecurityContext {
  loaders: PublicSecurityLoaders;
  deps: commands.PublicSecurityDeps;
}

type Ctx = PublicSecurityContext;

/**
 * Every write answers with the licence it wrote, read afresh: the loaders hold what the operation read before the
 * write, so `a: suspendDrivingLicence b: setDrivingLicencePoints` on one licence answered b with a's row, cached.
 */
const mutation =
  <I>(command: (deps: commands.PublicSecurityDeps, input: I) => Promise<string>) =>
  async (_: unknown, { input }: { input: I }, ctx: Ctx) => {
    const id = await command(ctx.deps, input);
    ctx.loaders = createLoaders(ctx.deps.db, ctx.deps.hr);
    return ctx.loaders.licenceById.load(id);
  };

const statusChange = (operation: commands.StatusChange) =>
  mutation((deps, input: Parameters<typeof commands.changeStatus>[2]) => commands.changeStatus(deps, operation, input));

export const resolvers: GraphQLResolverMap<Ctx> = {
  Query: {
    async verifyLicence(_: unknown, args: { cardNumber: string; kind: LicenceKind }, ctx: Ctx) {
      const cardNumber = readCardNumber(args.cardNumber);
      const card = await ctx.loaders.card.load(cardNumber);
      if (!card) throw hubError(ErrorCode.CARD_NOT_FOUND, `No card with number ${cardNumber}`);
      // A lost or cancelled card in someone's hand says nothing about who they are.
      if (card.status !== 'ACTIVE')
        throw hubError(ErrorCode.CARD_NOT_USABLE, `Card ${cardNumber} is ${card.status}: it verifies nobody`, {
          status: card.status,
        });
      // Nor does one past its expiry, whatever its status says (as hr's own identity checks hold).
      if (expiredOn(card, ctx.loaders.today)) throw cardExpired(card);
      const licence = (await ctx.loaders.licences.load(card.holderId)).find((l) => l.kind === args.kind);
      const status = licence ? licenceStatus(licence, ctx.loaders.today) : null;
      return {
        // Not a field: the access report names the holder the answer is about by it.
        holderId: card.holderId,
        cardNumber,
        kind: args.kind,
        valid: status === 'VALID',
        status,
        vehicleClass: licence?.vehicleClass ?? null,
        validUntil: licence?.validUntil ?? null,
      };
    },
  },
  Mutation: {
    recordDrivingLicence: mutation(commands.recordDrivingLicence),
    renewDrivingLicence: mutation(commands.renewDrivingLicence),
    suspendDrivingLicence: statusChange('suspendDrivingLicence'),
    reinstateDrivingLicence: statusChange('reinstateDrivingLicence'),
    revokeDrivingLicence: statusChange('revokeDrivingLicence'),
    setDrivingLicencePoints: mutation(commands.setPoints),
    recordResidentIdCard: mutation(commands.recordResidentIdCard),
  },
  Holder: {
    // hr owns holders; this subgraph only adds a field to them.
    __resolveReference: (ref: { id: string }) => ref,
    electronicLicences: (holder: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.licences.load(holder.id),
  },
  ElectronicLicence: {
    status: (row: LicenceRow, _: unknown, ctx: Ctx) => licenceStatus(row, ctx.loaders.today),
    statusChangedAt: (row: LicenceRow) => isoTimestamp(row.statusChangedAt),
    recordedAt: (row: LicenceRow) => isoTimestamp(row.recordedAt),
    updatedAt: (row: LicenceRow) => isoTimestamp(row.updatedAt),
    holder: (row: LicenceRow) => ({ id: row.holderId }),
  },
};
