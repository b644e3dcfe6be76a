// What a subgraph served, for the gateway's audit record (who saw which of a holder's fields): for every field
// resolved on an object that belongs to a holder, the holder's id and the field's schema coordinate
// (`MedicalVisit.diagnoses`). The gateway merges the reports of every subgraph an operation reached
// (gateway/audit/access-collector.ts) and takes the extension out of the answer. Writes are reported the same way: a
// mutation's returned rows are holder-linked, and each root field (`Mutation.reportCardLoss`, `Query.holderByCard`)
// is recorded against the holders served under it.
//
// Which holder an object belongs to, cheapest first:
// - a `Holder` is its own `id` (hr's row, or the `{ id }` reference every other department resolves);
// - a row with `holderId` (cards, card events, bank accounts, visits, health records, certificates, relief
//   entitlements, transit functions, rides, admissions, loans) is that holder's;
// - anything else inherits the holder of the field that returned it (a visit's settlement and institution, a
//   holder's connections and their page info), found through the parent's response path.
// A composite field's result is attributed too: a Holder it returns is touched (its `id`), as is the holder of each
// row it returns (`holderId`), list items each, against the root field it was reached through (`Query.holders`), so
// `holders(idNumbers: …) { __typename }`, which resolves no field under the holders, still names them. A write whose
// answer need name no holder (`recordRides { recorded }`) says which holders it wrote through `reportWrites`.
//
// Known gap: transport's RideAuthorization and its `{ cardNumber }` Card reference carry no holder id (their keys
// hold none, and @requires brings the holder's certificates without it). Their coordinates are reported as
// unlinked; the holder is still named, by hr (Card.status, Card.holder) and civil affairs
// (Holder.concessionCertificates), which the gateway asks for the same operation. A subgraph's own lookups in another
// (subgraphs/kit/hr-client.ts) are not reported: the calling subgraph reports the holder it served.
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { getNamedType, isCompositeType, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';

/** The response extension a subgraph's report travels in. */
export const ACCESS_EXTENSION = 'yktAccess';

export interface AccessReport {
  /** Per holder id, every coordinate served on that holder's objects. */
  holders: Record<string, string[]>;
  /** Coordinates served on objects linked to no holder (banks, venues, institutions, ride authorizations). */
  unlinked?: string[];
  /**
   * Lookups by ID number of holders registered outside the caller's region, answered as if unknown (hr's region
   * rule): only their number, no identifiers, so governance can see a city platform probing other cities' registers.
   */
  outOfRegion?: number;
}

/** What is known of a field once, for every request: the per-field work is map lookups and a Set insert. */
interface FieldFacts {
  coordinate: string;
  /** Objects it returns may inherit the parent's holder. */
  composite: boolean;
  /** Its parent is a Holder: the holder is the parent's id. */
  onHolder: boolean;
  /** What it returns is a Holder (or a list of them): each is its own `id`; else a row's is its `holderId`. */
  returnsHolder: boolean;
  /** Query or Mutation. */
  root: boolean;
  /** Federation plumbing (`_entities`, `_service` and its `_Service`): nothing to attribute to it. */
  plumbing: boolean;
}

const PLUMBING = new Set(['_entities', '_service']);

const factsByType = new WeakMap<GraphQLObjectType, Record<string, FieldFacts>>();

function factsOf(info: GraphQLResolveInfo): FieldFacts | undefined {
  let facts = factsByType.get(info.parentType);
  if (!facts) {
    const type = info.parentType;
    const root = type === info.schema.getQueryType() || type === info.schema.getMutationType();
    facts = {};
    for (const [name, field] of Object.entries(type.getFields())) {
      const returns = getNamedType(field.type);
      facts[name] = {
        coordinate: `${type.name}.${name}`,
        composite: isCompositeType(returns),
        onHolder: type.name === 'Holder',
        returnsHolder: returns.name === 'Holder',
        root,
        plumbing: (root && PLUMBING.has(name)) || type.name.startsWith('_'),
      };
    }
    factsByType.set(type, facts);
  }
  return facts[info.fieldName];
}

type Path = GraphQLResolveInfo['path'];

/** One request's account of what it served. */
class Served {
  private readonly holders = new Map<string, Set<string>>();
  private readonly unlinked = new Set<string>();
  /** Root response key → its coordinate, e.g. `holderByCard` → `Query.holderByCard`. */
  private readonly roots = new Map<string | number, string>();
  /** The holder of the object a composite field returned, by that field's response path. */
  private readonly holderByPath = new WeakMap<Path, string>();
  private outOfRegion = 0;

  /**
   * Accounts for one field as it starts resolving; for a composite field, returns what accounts for its result once
   * resolved (undefined for leaves: no per-field work beyond the lookups).
   */
  field(source: unknown, info: GraphQLResolveInfo): ((error: Error | null, result?: unknown) => void) | undefined {
    const facts = factsOf(info);
    if (!facts || facts.plumbing) return undefined;
    if (facts.root) {
      this.roots.set(info.path.key, facts.coordinate);
      return this.resultOf(facts, info.path);
    }
    const holderId = this.holderOf(source as Record<string, unknown> | null, facts, info.path);
    if (holderId === undefined) {
      this.unlinked.add(facts.coordinate);
      return facts.composite ? this.resultOf(facts, info.path) : undefined;
    }
    const served = this.servedOf(holderId);
    served.add(facts.coordinate);
    // The root field this object was reached through, unless it is federation's `_entities`.
    const rootCoordinate = this.rootOf(info.path);
    if (rootCoordinate) served.add(rootCoordinate);
    if (!facts.composite) return undefined;
    this.holderByPath.set(info.path, holderId);
    return this.resultOf(facts, info.path);
  }

  /**
   * The holders a mutation wrote, named by its command: each is recorded against the field (`Mutation.recordRides`),
   * whether or not the answer shows anything of theirs.
   */
  wrote(info: GraphQLResolveInfo, holderIds: Iterable<string>): void {
    const coordinate = `${info.parentType.name}.${info.fieldName}`;
    if (info.path.prev === undefined) this.roots.set(info.path.key, coordinate);
    for (const holderId of holderIds) if (typeof holderId === 'string') this.servedOf(holderId).add(coordinate);
  }

  /** Lookups answered as if the holder were unknown, since they are registered outside the caller's region. */
  probed(count: number): void {
    if (Number.isSafeInteger(count) && count > 0) this.outOfRegion += count;
  }

  /** Attributes a composite field's result: the holder each returned object (or list item) belongs to. */
  private resultOf(facts: FieldFacts, path: Path) {
    return (error: Error | null, result?: unknown) => {
      if (error || result === null || result === undefined) return;
      // The root field reached through, else (under `_entities`) the field itself.
      const coordinate = this.rootOf(path) ?? facts.coordinate;
      const key = facts.returnsHolder ? 'id' : 'holderId';
      const attribute = (item: unknown): void => {
        if (Array.isArray(item)) {
          for (const each of item) attribute(each);
        } else if (item !== null && typeof item === 'object') {
          const holderId = (item as Record<string, unknown>)[key];
          if (typeof holderId === 'string') this.servedOf(holderId).add(coordinate);
        }
      };
      attribute(result);
    };
  }

  private servedOf(holderId: string): Set<string> {
    let served = this.holders.get(holderId);
    if (!served) this.holders.set(holderId, (served = new Set()));
    return served;
  }

  private rootOf(path: Path): string | undefined {
    let root = path;
    while (root.prev) root = root.prev;
    return this.roots.get(root.key);
  }

  private holderOf(source: Record<string, unknown> | null, facts: FieldFacts, path: Path): string | undefined {
    if (source) {
      const own = facts.onHolder ? source.id : source.holderId;
      if (typeof own === 'string') return own;
    }
    // The field that returned this object (past list indexes), if it was a holder's.
    let parent = path.prev;
    while (parent && typeof parent.key === 'number') parent = parent.prev;
    return parent ? this.holderByPath.get(parent) : undefined;
  }

  report(): AccessReport | undefined {
    if (this.holders.size === 0 && this.unlinked.size === 0 && this.roots.size === 0 && this.outOfRegion === 0)
      return undefined;
    const holders: Record<string, string[]> = {};
    const attributed = new Set<string>();
    for (const [holderId, coordinates] of this.holders) {
      holders[holderId] = [...coordinates];
      for (const c of coordinates) attributed.add(c);
    }
    // A root field that served no holder (`Query.banks`, a refused write) is still something the operation asked.
    for (const coordinate of this.roots.values()) if (!attributed.has(coordinate)) this.unlinked.add(coordinate);
    const report: AccessReport = this.unlinked.size > 0 ? { holders, unlinked: [...this.unlinked] } : { holders };
    if (this.outOfRegion > 0) report.outOfRegion = this.outOfRegion;
    return report;
  }
}

/** Each request's account, by its context value: what `reportWrites` reaches from a resolver's context. */
const servedByContext = new WeakMap<object, Served>();

/**
 * For a write command's resolver: the holders the write was for (rows it wrote, a card it replaced), recorded as
 * `Mutation.<field>` against each even when the answer asks nothing of theirs (`recordRides { recorded }`).
 * `context` is the resolver's context value; outside a served request (a direct call) nothing is recorded.
 */
export function reportWrites(context: object, info: GraphQLResolveInfo, holderIds: Iterable<string>): void {
  servedByContext.get(context)?.wrote(info, holderIds);
}

/**
 * For a lookup's resolver: `count` holders it answered as unknown because they are registered outside the caller's
 * region. Counted, never named: the audit record carries the number for governance's REGION_PROBING anomaly.
 */
export function reportOutOfRegion(context: object, count: number): void {
  servedByContext.get(context)?.probed(count);
}

/** The Apollo Server plugin serveSubgraph adds: every response says what it served in `extensions.yktAccess`. */
export function accessReportPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart({ contextValue }): Promise<GraphQLRequestListener<any>> {
      const served = new Served();
      if (contextValue !== null && typeof contextValue === 'object') servedByContext.set(contextValue, served);
      return {
        async executionDidStart() {
          return {
            willResolveField({ source, info }) {
              return served.field(source, info);
            },
          };
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const report = served.report();
          if (!report) return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, [ACCESS_EXTENSION]: report };
        },
      };
    },
  };
}
