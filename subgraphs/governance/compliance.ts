// Art 18's compliance report, governance's part: which departments owning applications went unused, and which
// departments failed to answer queries, both read from the audit trail. The catalog subgraph contributes the
// departments and their items (`catalogDepartments`, brought by @requires) and the refused duplicate credentials.
// Use is an audit record serving a field of the department's subgraph: the supergraph says whose a coordinate is
// (Holder.rides is transport's); a field several subgraphs resolve (Holder.id, PageInfo) tells no department's use.
import { Kind, parse, type ConstDirectiveNode } from 'graphql';
import { sql } from 'drizzle-orm';
import { rowsOf, type Db } from '../../core/database.js';
import { badInput } from '../../core/protocol/errors.js';
import { isoTimestamp } from '../kit/time.js';
import { instant } from './repository.js';
import { auditRecords as t } from './tables.js';

/** The longest period one report covers. */
export const MAX_REPORT_DAYS = 366;
const DAY_MS = 86_400_000;
/** The error codes of a department that did not answer (gateway/subgraph-calls, subgraphs/kit/subgraph.ts). */
const UNANSWERED = ['SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_TIMEOUT'];

const argument = (d: ConstDirectiveNode, name: string) => d.arguments?.find((a) => a.name.value === name)?.value;
const graphOf = (d: ConstDirectiveNode) => {
  const graph = argument(d, 'graph');
  return graph?.kind === Kind.ENUM ? graph.value : null;
};

/** Per subgraph (by its manifest name), the schema coordinates it alone resolves. */
export function coordinatesBySubgraph(supergraphSdl: string): Map<string, string[]> {
  const document = parse(supergraphSdl);
  const names = new Map<string, string>();
  const owned = new Map<string, string[]>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const name = value.directives?.find((d) => d.name.value === 'join__graph');
      const text = name && argument(name, 'name');
      if (text?.kind === Kind.STRING) names.set(value.name.value, text.value);
    }
  }
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    const typeGraphs = (definition.directives ?? []).filter((d) => d.name.value === 'join__type').map(graphOf);
    for (const field of definition.fields ?? []) {
      const joins = (field.directives ?? []).filter((d) => d.name.value === 'join__field');
      // An @external declaration is another subgraph's field, not this one's.
      const resolving = joins.filter((d) => {
        const external = argument(d, 'external');
        return !(external?.kind === Kind.BOOLEAN && external.value);
      });
      const graphs = [...new Set(joins.length > 0 ? resolving.map(graphOf) : typeGraphs)];
      const owner = graphs.length === 1 && graphs[0] ? names.get(graphs[0]) : undefined;
      if (!owner) continue;
      owned.set(owner, [...(owned.get(owner) ?? []), `${definition.name.value}.${field.name.value}`]);
    }
  }
  return owned;
}

export function readDays(days: number | null | undefined): number {
  const value = days ?? 30;
  if (!Number.isInteger(value) || value < 1 || value > MAX_REPORT_DAYS)
    throw badInput(`days must be 1 to ${MAX_REPORT_DAYS}`, 'days');
  return value;
}

export const sinceOf = (days: number, now: Date) => new Date(now.getTime() - days * DAY_MS);

const textArray = (values: readonly string[]) =>
  sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;

/** Whether any audit record since `since` served one of these coordinates. */
async function usedSince(db: Db, coordinates: readonly string[], since: Date): Promise<boolean> {
  if (coordinates.length === 0) return false;
  const rows = await rowsOf<{ one: number }>(
    db,
    sql`select 1 as one from ${t} where recorded_at >= ${instant(since)} and coordinates && ${textArray(coordinates)} limit 1`,
  );
  return rows.length > 0;
}

export interface CatalogDepartment {
  department: string;
  itemCount: number;
}

/** The catalog's departments with no record serving their subgraph's data since `since`. */
export async function idleDepartments(
  db: Db,
  owned: ReadonlyMap<string, string[]>,
  departments: readonly CatalogDepartment[],
  since: Date,
): Promise<CatalogDepartment[]> {
  const used = await Promise.all(departments.map((d) => usedSince(db, owned.get(d.department) ?? [], since)));
  return departments.filter((_, i) => !used[i]).map(({ department, itemCount }) => ({ department, itemCount }));
}

/**
 * Queries since `since` that got a department's SUBGRAPH_UNAVAILABLE or SUBGRAPH_TIMEOUT, per department: the
 * gateway records which in the record's `access.unanswered` (gateway/audit/record.ts); older records do not say.
 */
export async function unansweredQueries(db: Db, since: Date) {
  const rows = await rowsOf<{ department: string | null; queries: number; holder_queries: number; last_at: unknown }>(
    db,
    sql`
    select s.department, count(*)::int as queries,
      (count(*) filter (where cardinality(r.holder_ids) > 0))::int as holder_queries, max(r.recorded_at) as last_at
    from ${t} r cross join lateral (
      select e as department from jsonb_array_elements_text(
        case when jsonb_typeof(r.access -> 'unanswered') = 'array' then r.access -> 'unanswered' else '[]'::jsonb end) as e
      union all
      select null where jsonb_typeof(r.access -> 'unanswered') is distinct from 'array'
    ) s
    where r.recorded_at >= ${instant(since)} and r.operation_type = 'query' and r.error_codes && ${textArray(UNANSWERED)}
    group by s.department
    order by count(*) desc, s.department nulls last`,
  );
  return rows.map((r) => ({
    department: r.department,
    queries: Number(r.queries),
    holderQueries: Number(r.holder_queries),
    lastAt: isoTimestamp(r.last_at as string),
  }));
}
