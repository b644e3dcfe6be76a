// One operation's audit record: who asked, why, what, how it ended, and which holders' fields were served or
// refused. Built from facts the audit plugin gathers (gateway/plugins/audit.ts); chained and stored by writer.ts.
import { createHash, randomBytes } from 'node:crypto';
import { capped } from '../../core/text.js';
import type { Caller } from '../caller.js';
import type { DeniedField } from '../policy/field-access.js';
import type { CollectedAccess } from './access-collector.js';
import { auditHasher } from './audit-hash.js';
import { auditVariables, storable, type VariableScope } from './variables.js';

export const AUDIT_OUTCOMES = ['SUCCESS', 'PARTIAL', 'ERROR', 'REFUSED', 'UNKNOWN'] as const;
/**
 * SUCCESS: data and no error; PARTIAL: data and errors (a field refused by policy, a subgraph down); ERROR: executed,
 * no data; REFUSED: stopped before execution (a write outside the caller's domain, too deep, invalid); UNKNOWN: a
 * mutation that started and whose gateway stopped before its outcome was recorded (its intent, spool.ts, replayed).
 */
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** The `access` column: the detail behind holder_ids, coordinates and denied_coordinates. */
export interface AuditAccess {
  /** Per holder id, the coordinates served on that holder's objects, sorted. */
  holders: Record<string, string[]>;
  /** Coordinates served on objects of no holder (banks, venues, ride authorizations), sorted. */
  unlinked: string[];
  /** Each field the purpose may not read, where the operation asked for it ("@" for list levels). */
  denied: { coordinate: string; path: string[] }[];
  /** Lookups of holders outside the caller's region answered as unknown (hr's region rule); absent when none. */
  outOfRegion?: number;
  /**
   * The subgraphs (by name) whose SUBGRAPH_UNAVAILABLE or SUBGRAPH_TIMEOUT the answer carried, sorted: which
   * department failed to answer (governance's compliance report); absent when none did.
   */
  unanswered?: string[];
}

/** A record's content, as stored (store/tables.ts auditRecords) less its place in the chain. */
export interface AuditRecord {
  /** When the response was ready to leave (milliseconds). */
  recordedAt: Date;
  requestId: string;
  clientId: string;
  clientKind: string;
  clientCity: string | null;
  operator: string | null;
  caseRef: string | null;
  /** X-Place: the desk, counter or terminal where the operator acted; null when not given. */
  place: string | null;
  purpose: string;
  /** query, mutation, subscription; `unknown` when no operation was resolved (a document that does not parse). */
  operationType: string;
  operationName: string | null;
  documentHash: string;
  variables: Record<string, unknown>;
  outcome: AuditOutcome;
  errorCodes: string[];
  durationMs: number;
  holderIds: string[];
  coordinates: string[];
  deniedCoordinates: string[];
  access: AuditAccess;
}

/** What the audit plugin knows of a request once its response is ready. */
export interface RequestFacts {
  caller: Caller;
  /** Date.now() when the request started. */
  startedAt: number;
  /** Whether execution began (false: refused before, by validation or a plugin). */
  executed: boolean;
  operationType: string | null;
  operationName: string | null;
  /** sha256 of the document text as received, or the persisted-query hash the client sent. */
  documentHash: string;
  variables: Record<string, unknown> | null | undefined;
  /**
   * What decides which variables are kept (variables.ts): the schema, the document, the audit's hash. Without it,
   * every value is hashed with a key nobody keeps (no caller should leave it out when there are variables).
   */
  variableScope?: VariableScope;
  /** The response's errors, formatted. */
  errors: readonly { extensions?: Record<string, unknown> }[] | undefined;
  /** Whether the response carries data (not null). */
  hasData: boolean;
  access: CollectedAccess | undefined;
  denied: readonly DeniedField[];
}

/** An operation name is the client's to choose: a record keeps at most this much of it (core/text.ts). */
const MAX_NAME_LENGTH = 200;
/**
 * Masked variables larger than this (as JSON) are kept as their size and hash: a batch of records is one statement,
 * and a 2 MB request body must not make every batch it joins that much larger. A 1,000-row batch write runs past it.
 */
export const MAX_VARIABLES_CHARS = 64 * 1024;
const MAX_DURATION_MS = 2_147_483_647;
/** A department that did not answer: the codes its errors carry, and the `serviceName` they name it by. */
const UNANSWERED_CODES = new Set(['SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_TIMEOUT']);
const SERVICE_NAME = /^[a-z][a-z-]{0,39}$/;

function outcomeOf(facts: RequestFacts): AuditOutcome {
  if (!facts.executed) return 'REFUSED';
  if (!facts.errors?.length) return facts.hasData ? 'SUCCESS' : 'ERROR';
  return facts.hasData ? 'PARTIAL' : 'ERROR';
}

const sorted = (values: Iterable<string>) => [...values].sort();

/** Distinct lists of coordinates a record compares each holder's with: beyond these, lists are sorted each. */
const MAX_LISTS_COMPARED = 16;

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Sorted, each value once. */
function sortedOnce(values: Iterable<string>): string[] {
  const list = sorted(values);
  let kept = 0;
  for (let i = 0; i < list.length; i++) if (i === 0 || list[i] !== list[kept - 1]) list[kept++] = list[i]!;
  list.length = kept;
  return list;
}

const unkeyed = { schema: undefined, document: undefined, operation: undefined };

function boundedVariables(facts: RequestFacts): Record<string, unknown> {
  const scope = facts.variableScope ?? { ...unkeyed, hash: auditHasher(randomBytes(32).toString('hex')) };
  const masked = auditVariables(facts.variables, scope);
  const json = JSON.stringify(masked);
  if (json.length <= MAX_VARIABLES_CHARS) return masked;
  return { $truncated: { chars: json.length, sha256: createHash('sha256').update(json).digest('hex') } };
}

export function buildAuditRecord(facts: RequestFacts, now: Date = new Date()): AuditRecord {
  const { caller } = facts;
  const holders: Record<string, string[]> = {};
  const all = new Set<string>(facts.access?.unlinked);
  // The holders of one answer are mostly served the same few combinations of fields, collected in the same order
  // (their coordinates are the collector's remembered strings, so comparing them is cheap): a holder whose list is
  // one already seen, item for item, shares that list's sorted form instead of sorting its own.
  const seen: { collected: readonly string[]; sorted: string[] }[] = [];
  for (const [holderId, coordinates] of facts.access?.holders ?? []) {
    const collected = Array.isArray(coordinates) ? (coordinates as readonly string[]) : [...coordinates];
    let entry = seen.find((e) => sameItems(collected, e.collected));
    if (!entry) {
      entry = { collected, sorted: sortedOnce(collected) };
      for (const c of entry.sorted) all.add(c);
      if (seen.length < MAX_LISTS_COMPARED) seen.push(entry);
    }
    holders[holderId] = entry.sorted;
  }
  const errorCodes = new Set<string>();
  const unanswered = new Set<string>();
  for (const error of facts.errors ?? []) {
    const code = error.extensions?.code;
    errorCodes.add(typeof code === 'string' ? storable(capped(code, 100, false)) : 'INTERNAL_SERVER_ERROR');
    const service = error.extensions?.serviceName;
    if (UNANSWERED_CODES.has(code as string) && typeof service === 'string' && SERVICE_NAME.test(service))
      unanswered.add(service);
  }
  return {
    recordedAt: new Date(now.getTime()),
    requestId: caller.requestId,
    clientId: caller.client.id,
    clientKind: caller.client.kind,
    clientCity: caller.client.city,
    operator: caller.operator,
    caseRef: caller.caseRef,
    place: caller.place,
    purpose: caller.purpose,
    operationType: facts.operationType ?? 'unknown',
    // The client names its operation freely: bounded, and storable.
    operationName: facts.operationName === null ? null : storable(capped(facts.operationName, MAX_NAME_LENGTH, false)),
    documentHash: facts.documentHash,
    variables: boundedVariables(facts),
    outcome: outcomeOf(facts),
    errorCodes: [...errorCodes],
    durationMs: Math.min(Math.max(0, Math.round(now.getTime() - facts.startedAt)), MAX_DURATION_MS),
    holderIds: sorted(Object.keys(holders)),
    coordinates: sorted(all),
    deniedCoordinates: sorted(new Set(facts.denied.map((d) => d.coordinate))),
    access: {
      holders,
      unlinked: sorted(facts.access?.unlinked ?? []),
      denied: facts.denied.map((d) => ({ coordinate: d.coordinate, path: [...d.path] })),
      ...(facts.access?.outOfRegion ? { outOfRegion: facts.access.outOfRegion } : {}),
      ...(unanswered.size > 0 ? { unanswered: sorted(unanswered) } : {}),
    },
  };
}
