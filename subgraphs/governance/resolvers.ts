// GraphQL over the audit trail: reads through the repository (the register through the loaders), the two status
// changes through the commands. Which caller may ask what is the gateway's field policy (AUDIT, for
// GOVERNANCE_AUDIT, and holderAccessReport for HOLDER_SELF_SERVICE too) and write check (GOVERNANCE writes governance).
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { ClientRecord } from '../../store/clients/commands.js';
import { categoryOf, type SchemaPolicy } from '../../schema/policy/schema-policy.js';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import type { CallerClaims } from '../../core/protocol/gateway-proof.js';
import type { HrClient } from '../kit/hr-client.js';
import { readPage, toConnection } from '../kit/pagination.js';
import { isUuid, quote, readText } from '../kit/text.js';
import { isoTimestamp, readDayOrInstant } from '../kit/time.js';
import { findAnomalies, MAX_WINDOW_DAYS, type Anomaly } from './anomalies.js';
import { changeClientStatus, type GovernanceDeps } from './commands.js';
import { idleDepartments, readDays, sinceOf, unansweredQueries, type CatalogDepartment } from './compliance.js';
import type { GovernanceLoaders } from './loaders.js';
import * as repo from './repository.js';
import type { AuditRecordRow, AuditVerificationRow, RecordedAccess } from './tables.js';

export interface GovernanceContext {
  loaders: GovernanceLoaders;
  deps: GovernanceDeps & {
    hr: HrClient;
    /** The supergraph's field policy: which DataCategory each coordinate's data is. */
    policy: SchemaPolicy;
    /** Per subgraph, the coordinates it alone resolves (compliance.ts). */
    owned: ReadonlyMap<string, string[]>;
  };
  caller: CallerClaims;
}

type Ctx = GovernanceContext;

/** Entries of a holder's report listed one by one, newest first. */
export const RECENT_ENTRIES = 50;
/** A client's most recent denials listed in its activity. */
export const RECENT_DENIALS = 20;

/** A client as a record names it; the register adds its name. */
interface AuditedClient {
  id: string;
  kind: string;
  city: string | null;
}

const clientOf = (r: { clientId: string; clientKind: string; clientCity: string | null }): AuditedClient => ({
  id: r.clientId,
  kind: r.clientKind,
  city: r.clientCity,
});
const byRecordTime = (r: AuditRecordRow) => ({ at: r.recordedAt, id: r.requestId });
const COORDINATE = /^[_A-Za-z][_0-9A-Za-z]{0,99}\.[_A-Za-z][_0-9A-Za-z]{0,99}$/;
const DAY_MS = 86_400_000;

/** A verification's `chains` column: `[{ chainId, records, lastSeq, lastHash, ok }]` (store/tables.ts). */
function verifiedChainsOf(
  verification: AuditVerificationRow | null,
): { chainId: string; records: string; lastSeq: string | null; ok: boolean }[] {
  const chains = verification?.chains;
  if (!Array.isArray(chains)) return [];
  return chains.flatMap((c: unknown) => {
    const chain = (c ?? {}) as { chainId?: unknown; records?: unknown; lastSeq?: unknown; ok?: unknown };
    if (typeof chain.chainId !== 'string') return [];
    return [
      {
        chainId: chain.chainId,
        records: String(chain.records ?? 0),
        lastSeq: chain.lastSeq === null || chain.lastSeq === undefined ? null : String(chain.lastSeq),
        ok: chain.ok === true,
      },
    ];
  });
}

/** The categories of these coordinates' data, in DataCategory order. */
function categoriesOf(policy: SchemaPolicy, coordinates: Iterable<string>): string[] {
  return [...new Set([...coordinates].map((c) => categoryOf(policy, c)))].sort();
}

/** A holder's id from an identity document number, through hr; HOLDER_NOT_FOUND when nobody has it. */
async function holderIdOf(ctx: Ctx, idNumber: string, field: string): Promise<string> {
  const id = await ctx.deps.hr.holderIdByIdNumber(idNumber, field);
  if (!id) throw hubError(ErrorCode.HOLDER_NOT_FOUND, 'No holder is registered with this ID number');
  return id;
}

/** A window [from, to) from the caller: days or instants, from before to. */
function readWindow(args: { from: string; to: string }): { from: Date; to: Date } {
  const from = readDayOrInstant(args.from, 'from');
  const to = readDayOrInstant(args.to, 'to');
  if (from >= to) throw badInput('from must be before to', 'from');
  return { from, to };
}

interface AccessLogArgs {
  filter?: {
    holderId?: string | null;
    idNumber?: string | null;
    client?: string | null;
    purpose?: string | null;
    coordinate?: string | null;
    from?: string | null;
    to?: string | null;
  } | null;
  first?: number | null;
  after?: string | null;
}

export const resolvers: GraphQLResolverMap<Ctx> = {
  Query: {
    async accessLog(_: unknown, { filter, first, after }: AccessLogArgs, ctx: Ctx) {
      const f = filter ?? {};
      const page = readPage({ first, after, from: f.from, to: f.to }, 'accessLog');
      if (f.holderId && f.idNumber)
        throw badInput('Give at most one of filter.holderId and filter.idNumber', 'filter.holderId');
      if (f.holderId && !isUuid(f.holderId))
        throw badInput(`filter.holderId ${quote(f.holderId)} is not a holder id`, 'filter.holderId');
      if (f.coordinate && !COORDINATE.test(f.coordinate))
        throw badInput(
          'filter.coordinate must be a schema coordinate, e.g. MedicalVisit.diagnoses',
          'filter.coordinate',
        );
      const holderId = f.idNumber ? await holderIdOf(ctx, f.idNumber, 'filter.idNumber') : (f.holderId ?? null);
      const rows = await repo.pageRecords(
        ctx.deps.db,
        {
          holderId,
          clientId: f.client ? readText(f.client, 'filter.client', 64) : null,
          purpose: f.purpose ?? null,
          coordinate: f.coordinate ?? null,
        },
        page,
      );
      return toConnection(rows, page, byRecordTime);
    },

    async holderAccessReport(_: unknown, { idNumber }: { idNumber: string }, ctx: Ctx) {
      const holderId = await holderIdOf(ctx, idNumber, 'idNumber');
      const { db, policy } = ctx.deps;
      const [groups, coordinates, recent] = await Promise.all([
        repo.holderAccessGroups(db, holderId),
        repo.holderAccessCoordinates(db, holderId),
        repo.recentRecordsOf(db, holderId, RECENT_ENTRIES),
      ]);
      const coordinatesOf = new Map<string, string[]>();
      for (const c of coordinates) {
        const key = `${c.client_id}\n${c.purpose}`;
        coordinatesOf.set(key, [...(coordinatesOf.get(key) ?? []), c.coordinate]);
      }
      return {
        holderId,
        total: groups.reduce((sum, g) => sum + g.count, 0),
        accesses: groups.map((g) => ({
          client: clientOf(g),
          purpose: g.purpose,
          categories: categoriesOf(policy, coordinatesOf.get(`${g.clientId}\n${g.purpose}`) ?? []),
          count: g.count,
          firstAt: isoTimestamp(g.firstAt),
          lastAt: isoTimestamp(g.lastAt),
        })),
        recent: recent.map((r) => ({
          requestId: r.requestId,
          at: isoTimestamp(r.recordedAt),
          client: clientOf(r),
          purpose: r.purpose,
          categories: categoriesOf(policy, (r.access as RecordedAccess | null)?.holders?.[holderId] ?? []),
          outcome: r.outcome,
        })),
      };
    },

    async clientActivity(_: unknown, args: { clientId: string; from: string; to: string }, ctx: Ctx) {
      const { from, to } = readWindow(args);
      const registered = await ctx.loaders.clientById.load(args.clientId.trim());
      if (!registered) throw hubError(ErrorCode.NOT_FOUND, `No client ${quote(args.clientId)} in the register`);
      const { db } = ctx.deps;
      const id = registered.id;
      const [totals, distinctHolders, purposes, outcomes, deniedFields, recent] = await Promise.all([
        repo.activityTotals(db, id, from, to),
        repo.distinctHoldersOf(db, id, from, to),
        repo.countsBy(db, 'purpose', id, from, to),
        repo.countsBy(db, 'outcome', id, from, to),
        repo.deniedCoordinateCounts(db, id, from, to),
        repo.recentDenialsOf(db, id, from, to, RECENT_DENIALS),
      ]);
      return {
        client: { id, kind: registered.kind, city: registered.city },
        from: from.toISOString(),
        to: to.toISOString(),
        requests: totals.requests,
        distinctHolders,
        purposes: purposes.map((p) => ({ purpose: p.value, count: p.count })),
        outcomes: outcomes.map((o) => ({ outcome: o.value, count: o.count })),
        denials: {
          withDeniedFields: totals.withDeniedFields,
          deniedFields,
          refusedOperations: totals.refusedOperations,
          forbiddenErrors: totals.forbiddenErrors,
          recent,
        },
      };
    },

    async anomalies(_: unknown, args: { from: string; to: string }, ctx: Ctx) {
      const { from, to } = readWindow(args);
      if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY_MS)
        throw badInput(`The window may span at most ${MAX_WINDOW_DAYS} days`, 'to');
      return findAnomalies(ctx.deps.db, ctx.deps.hr, from, to);
    },

    complianceReport: (_: unknown, { days }: { days?: number | null }) => ({ days: readDays(days) }),

    async auditChainStatus(_: unknown, __: unknown, ctx: Ctx) {
      const [verification, heads] = await Promise.all([
        repo.latestVerification(ctx.deps.db),
        repo.chainHeads(ctx.deps.db),
      ]);
      const verified = verifiedChainsOf(verification);
      return {
        latestVerification: verification && {
          verifiedAt: isoTimestamp(verification.verifiedAt),
          ok: verification.ok,
          firstBreak: verification.firstBreak,
          chains: verified,
        },
        chains: heads.map((h) => {
          const walked = verified.find((v) => v.chainId === h.chainId);
          return {
            chainId: h.chainId,
            instance: h.instance,
            startedAt: isoTimestamp(h.startedAt),
            lastSeq: h.lastSeq === null ? null : String(h.lastSeq),
            lastAt: isoTimestamp(h.lastAt),
            verifiedSeq: walked?.lastSeq ?? null,
            verifiedOk: walked?.ok ?? null,
          };
        }),
      };
    },
  },

  Mutation: {
    suspendClient: (_: unknown, args: { clientId: string; reason: string }, ctx: Ctx) =>
      changeClientStatus(ctx.deps, ctx.caller, args, 'SUSPENDED'),
    reinstateClient: (_: unknown, args: { clientId: string; reason: string }, ctx: Ctx) =>
      changeClientStatus(ctx.deps, ctx.caller, args, 'ACTIVE'),
  },

  ComplianceReport: {
    // The gateway brings catalogDepartments from the catalog subgraph for idleDepartments (@requires).
    __resolveReference: (ref: { days: number; catalogDepartments?: CatalogDepartment[] }) => ({
      ...ref,
      days: readDays(ref.days),
    }),
    since: (r: { days: number }) => sinceOf(r.days, new Date()).toISOString(),
    idleDepartments: (r: { days: number; catalogDepartments: CatalogDepartment[] }, _: unknown, ctx: Ctx) =>
      idleDepartments(ctx.deps.db, ctx.deps.owned, r.catalogDepartments ?? [], sinceOf(r.days, new Date())),
    unansweredQueries: (r: { days: number }, _: unknown, ctx: Ctx) =>
      unansweredQueries(ctx.deps.db, sinceOf(r.days, new Date())),
  },

  AuditedClient: {
    name: async (c: AuditedClient, _: unknown, ctx: Ctx) => (await ctx.loaders.clientById.load(c.id))?.name ?? null,
  },

  AccessRecord: {
    at: (r: AuditRecordRow) => isoTimestamp(r.recordedAt),
    client: (r: AuditRecordRow) => clientOf(r),
    variables: (r: AuditRecordRow) =>
      r.variables === null || r.variables === undefined ? null : JSON.stringify(r.variables),
    seq: (r: AuditRecordRow) => String(r.seq),
  },

  Anomaly: {
    client: async (a: Anomaly, _: unknown, ctx: Ctx) => {
      const registered = await ctx.loaders.clientById.load(a.clientId);
      const recorded = a.evidence[0];
      return {
        id: a.clientId,
        kind: registered?.kind ?? recorded?.clientKind ?? 'UNKNOWN',
        city: registered?.city ?? recorded?.clientCity ?? null,
      };
    },
    from: (a: Anomaly) => new Date(a.hour * 3_600_000).toISOString(),
    to: (a: Anomaly) => new Date((a.hour + 1) * 3_600_000).toISOString(),
  },

  ClientStatusChange: {
    client: (c: ClientRecord) => ({ id: c.id, kind: c.kind, city: c.city }),
    reason: (c: ClientRecord) => c.statusReason,
    changedAt: (c: ClientRecord) => isoTimestamp(c.statusChangedAt),
  },
};
