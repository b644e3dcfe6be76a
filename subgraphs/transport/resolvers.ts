// GraphQL over transport: reads through the per-request loaders, writes through the commands, and the ride
// decision from what federation brings (card status from hr, certificates from civil affairs).
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { GraphQLResolveInfo } from 'graphql';
import { reportWrites } from '../../core/protocol/access-report.js';
import { readCardNumber } from '../kit/card-number.js';
import { readCityCode } from '../kit/cities.js';
import { readPage, toConnection, type PageArgs } from '../kit/pagination.js';
import { chinaDate, isoTimestamp } from '../kit/time.js';
import * as commands from './commands.js';
import type { TransportLoaders } from './loaders.js';
import { decideRide, type ConcessionCertificate, type RideDecision } from './ride-policy.js';
import type { RideMode, RideRow, TransitFunctionRow } from './tables.js';

export interface TransportContext {
  loaders: TransportLoaders;
  deps: commands.TransportDeps;
}

type Ctx = TransportContext;

interface RideAuthorizationRef {
  cardNumber: string;
  city: string;
  mode: RideMode;
  /**
   * Required fields, filled in by the gateway from hr and civil affairs; null when hr knows no such card. The
   * certificates are null only when civil affairs could not answer them: no concession then.
   */
  card?: {
    status: string;
    expiresOn?: string | null;
    holder: { concessionCertificates: ConcessionCertificate[] | null };
  } | null;
}

const decisionOf = (ref: RideAuthorizationRef & { decision?: RideDecision }) => ref.decision!;
const byRideTime = (r: RideRow) => ({ at: r.occurredAt, id: r.id });

export const resolvers: GraphQLResolverMap<Ctx> = {
  Query: {
    rideAuthorization(_: unknown, args: { cardNumber: string; city: string; mode: RideMode }) {
      const cardNumber = readCardNumber(args.cardNumber);
      readCityCode(args.city, 'city');
      return { cardNumber, city: args.city, mode: args.mode, card: { cardNumber } };
    },
  },
  Mutation: {
    loadTransitFunction: async (
      _: unknown,
      { input }: { input: Parameters<typeof commands.loadTransitFunction>[1] },
      ctx: Ctx,
    ) => ctx.loaders.transitById.load(await commands.loadTransitFunction(ctx.deps, input)),
    unloadTransitFunction: async (
      _: unknown,
      { input }: { input: Parameters<typeof commands.unloadTransitFunction>[1] },
      ctx: Ctx,
    ) => ctx.loaders.transitById.load(await commands.unloadTransitFunction(ctx.deps, input)),
    async recordRides(
      _: unknown,
      { input }: { input: Parameters<typeof commands.recordRides>[1] },
      ctx: Ctx,
      info: GraphQLResolveInfo,
    ) {
      const outcomes = await commands.recordRides(ctx.deps, input, (holderIds) => reportWrites(ctx, info, holderIds));
      const results = await Promise.all(
        outcomes.map(async (o) =>
          'rideId' in o
            ? { index: o.index, ride: await ctx.loaders.rideById.load(o.rideId), error: null }
            : { index: o.index, ride: null, error: o.error },
        ),
      );
      return {
        recorded: results.filter((r) => r.ride).length,
        refused: results.filter((r) => r.error).length,
        results,
      };
    },
  },
  RideAuthorization: {
    // Reached with the @requires fields: decide once, answer every decision field from it.
    async __resolveReference(ref: RideAuthorizationRef, ctx: Ctx) {
      const transitLoaded = await ctx.loaders.transitLoaded.load(ref.cardNumber);
      const decision = decideRide({
        cardStatus: ref.card?.status ?? null,
        cardExpiresOn: ref.card?.expiresOn ?? null,
        transitLoaded,
        certificates: ref.card?.holder?.concessionCertificates ?? [],
        mode: ref.mode,
        today: chinaDate(new Date()),
      });
      return { ...ref, decision };
    },
    card: (ref: RideAuthorizationRef) => ({ cardNumber: ref.cardNumber }),
    allowed: (ref: RideAuthorizationRef) => decisionOf(ref).allowed,
    refusal: (ref: RideAuthorizationRef) => decisionOf(ref).refusal,
    concession: (ref: RideAuthorizationRef) => decisionOf(ref).concession,
    discountPercent: (ref: RideAuthorizationRef) => decisionOf(ref).discountPercent,
  },
  Holder: {
    __resolveReference: (ref: { id: string }) => ref,
    transitFunctions: (holder: { id: string }, _: unknown, ctx: Ctx) => ctx.loaders.transitByHolder.load(holder.id),
    async rides(holder: { id: string }, args: PageArgs & { mode?: RideMode | null }, ctx: Ctx) {
      const page = { ...readPage(args, 'rides'), mode: args.mode ?? null };
      return toConnection(await ctx.loaders.ridesPage(page).load(holder.id), page, byRideTime);
    },
  },
  Card: {
    __resolveReference: (ref: { cardNumber: string }) => ref,
    transitFunctions: (card: { cardNumber: string }, _: unknown, ctx: Ctx) =>
      ctx.loaders.transitByCard.load(card.cardNumber),
  },
  TransitFunction: {
    loaded: (row: TransitFunctionRow) => row.unloadedAt === null,
    loadedAt: (row: TransitFunctionRow) => isoTimestamp(row.loadedAt),
    unloadedAt: (row: TransitFunctionRow) => isoTimestamp(row.unloadedAt),
  },
  Ride: {
    occurredAt: (row: RideRow) => isoTimestamp(row.occurredAt),
  },
};
