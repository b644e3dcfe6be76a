// GraphQL over the catalog: reads through the per-request loaders, writes through the commands with the caller
// the gateway vouched for (who may edit which catalog is the commands' check).
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import type { CallerClaims } from '../../core/protocol/gateway-proof.js';
import { PROVINCE_CODE, readCityCode } from '../kit/cities.js';
import { isUuid } from '../kit/text.js';
import { isoTimestamp, readDate } from '../kit/time.js';
import * as commands from './commands.js';
import { readDepartment, type ItemInput } from './inputs.js';
import { createLoaders, type CatalogLoaders } from './loaders.js';
import * as repo from './repository.js';
import type { CredentialRow, ItemRow, RefusedCredentialRow, VersionRow } from './tables.js';

export interface CatalogContext {
  loaders: CatalogLoaders;
  deps: commands.CatalogDeps;
  caller: CallerClaims;
}

type Ctx = CatalogContext;
type Input<T> = { input: T };
const DAY_MS = 86_400_000;
/** The longest period a compliance report covers (governance checks it too). */
export const MAX_REPORT_DAYS = 366;

/** The platform that edits a scope's drafts: the only one that sees them. */
const edits = (caller: CallerClaims, scope: string) =>
  (caller.kind === 'PROVINCE' && scope === PROVINCE_CODE) || (caller.kind === 'CITY' && caller.city === scope);

const itemsOf = async (version: VersionRow, ctx: Ctx) =>
  (await ctx.loaders.itemsByVersion.load(version.id)).map((item) => ({ ...item, scope: version.scope }));

const versionOf = async (ctx: Ctx, id: string) => (await ctx.loaders.versionById.load(id))!;

/**
 * Runs a write, then starts the loaders afresh (as hr's mutations do): what the operation read before is stale
 * after it, and a second `putCatalogItem` on one draft in the same operation would otherwise answer the items the
 * first one's answer had loaded.
 */
async function written<T>(ctx: Ctx, command: Promise<T>): Promise<T> {
  const result = await command;
  ctx.loaders = createLoaders(ctx.deps.db, ctx.loaders.now);
  return result;
}

export const resolvers: GraphQLResolverMap<Ctx> = {
  Query: {
    async catalog(_: unknown, args: { city?: string | null; asOf?: string | null }, ctx: Ctx) {
      const city = args.city ? readCityCode(args.city, 'city') : null;
      const asOf = args.asOf ? readDate(args.asOf, 'asOf') : ctx.loaders.today;
      const versions = await repo.versionsInForce(ctx.deps.db, city ? [PROVINCE_CODE, city] : [PROVINCE_CODE], asOf);
      const provincial = versions.find((v) => v.scope === PROVINCE_CODE) ?? null;
      const own = (city && versions.find((v) => v.scope === city)) || null;
      const provincialItems = provincial ? await itemsOf(provincial, ctx) : [];
      const codes = new Set(provincialItems.map((i) => i.code));
      // A city's item never stands in for a provincial one (the writes refuse it; this holds should the province
      // add a city's code later).
      const cityItems = own ? (await itemsOf(own, ctx)).filter((i) => !codes.has(i.code)) : [];
      return { city, asOf, provincialVersion: provincial, cityVersion: own, items: [...provincialItems, ...cityItems] };
    },
    catalogVersions: (_: unknown, { scope }: { scope: string }, ctx: Ctx) =>
      repo.publishedVersionsOf(ctx.deps.db, readCityCode(scope, 'scope', { province: true })),
    async catalogVersion(_: unknown, { id }: { id: string }, ctx: Ctx) {
      const version = isUuid(id) ? await ctx.loaders.versionById.load(id) : null;
      if (!version || (version.status === 'DRAFT' && !edits(ctx.caller, version.scope)))
        throw hubError(ErrorCode.NOT_FOUND, 'No catalog version with this id');
      return version;
    },
    credentials: (_: unknown, { department }: { department?: string | null }, ctx: Ctx) =>
      repo.listCredentials(ctx.deps.db, department ? readDepartment(department, 'department') : null),
  },
  Mutation: {
    createCatalogDraft: async (_: unknown, { input }: Input<{ idempotencyKey: string; scope: string }>, ctx: Ctx) =>
      versionOf(ctx, await written(ctx, commands.createDraft(ctx.deps, ctx.caller, input))),
    putCatalogItem: async (
      _: unknown,
      { input }: Input<{ idempotencyKey: string; versionId: string; item: ItemInput }>,
      ctx: Ctx,
    ) => versionOf(ctx, await written(ctx, commands.putItem(ctx.deps, ctx.caller, input))),
    removeCatalogItem: async (
      _: unknown,
      { input }: Input<{ idempotencyKey: string; versionId: string; code: string }>,
      ctx: Ctx,
    ) => versionOf(ctx, await written(ctx, commands.removeItem(ctx.deps, ctx.caller, input))),
    publishCatalogVersion: async (
      _: unknown,
      { input }: Input<{ idempotencyKey: string; versionId: string; effectiveFrom: string }>,
      ctx: Ctx,
    ) => versionOf(ctx, await written(ctx, commands.publishVersion(ctx.deps, ctx.caller, input, ctx.loaders.now))),
    registerCredential: async (_: unknown, { input }: Input<commands.RegisterCredentialInput>, ctx: Ctx) =>
      ctx.loaders.credentialById.load(
        await written(ctx, commands.registerCredential(ctx.deps, ctx.caller, input, ctx.loaders.now)),
      ),
  },
  CatalogVersion: {
    effectiveFrom: (v: VersionRow) => v.effectiveFrom,
    publishedAt: (v: VersionRow) => isoTimestamp(v.publishedAt),
    items: (v: VersionRow, _: unknown, ctx: Ctx) => itemsOf(v, ctx),
  },
  CatalogItem: {
    scope: (i: ItemRow & { scope: string }) => i.scope,
  },
  Credential: {
    registeredAt: (c: CredentialRow) => isoTimestamp(c.registeredAt),
  },
  ComplianceReport: {
    // Governance owns the report; this subgraph adds what the catalog knows to it.
    __resolveReference(ref: { days: number }) {
      if (!Number.isInteger(ref.days) || ref.days < 1 || ref.days > MAX_REPORT_DAYS)
        throw badInput(`days must be 1 to ${MAX_REPORT_DAYS}`, 'days');
      return ref;
    },
    catalogDepartments: (_: { days: number }, __: unknown, ctx: Ctx) =>
      repo.departmentsInForce(ctx.deps.db, ctx.loaders.today),
    duplicateCredentialAttempts: (report: { days: number }, _: unknown, ctx: Ctx) =>
      repo.refusalsSince(ctx.deps.db, new Date(ctx.loaders.now.getTime() - report.days * DAY_MS)),
  },
  RefusedCredential: {
    attemptedAt: (r: RefusedCredentialRow) => isoTimestamp(r.attemptedAt),
  },
};
