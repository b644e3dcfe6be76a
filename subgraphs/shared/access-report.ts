// What a subgraph served, for the gateway's audit record (issue 5): for every field resolved on an object that
// belongs to a holder, the holder's id and the field's schema coordinate (`MedicalVisit.diagnoses`). The gateway
// merges the reports of every subgraph an operation reached (gateway/audit/access-collector.ts) and takes the
// extension out of the answer. Writes are reported the same way: a mutation's returned rows are holder-linked, and
// each root field (`Mutation.reportCardLoss`, `Query.holderByCard`) is recorded against the holders served under it.
//
// Which holder an object belongs to, cheapest first:
// - a `Holder` is its own `id` (hr's row, or the `{ id }` reference every other department resolves);
// - a row with `holderId` (cards, card events, bank accounts, visits, health records, certificates, relief
//   entitlements, transit functions, rides, admissions, loans) is that holder's;
// - anything else inherits the holder of the field that returned it (a visit's settlement and institution, a
//   holder's connections and their page info), found through the parent's response path.
// Known gap: transport's RideAuthorization and its `{ cardNumber }` Card reference carry no holder id (their keys
// hold none, and @requires brings the holder's certificates without it). Their coordinates are reported as
// unlinked; the holder is still named, by hr (Card.status, Card.holder) and civil affairs
// (Holder.concessionCertificates), which the gateway asks for the same operation. A subgraph's own lookups in another
// (hr-client.ts) are not reported: the calling subgraph reports the holder it served.
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { getNamedType, isCompositeType, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';

/** The response extension a subgraph's report travels in. */
export const ACCESS_EXTENSION = 'yktAccess';

export interface AccessReport {
  /** Per holder id, every coordinate served on that holder's objects. */
  holders: Record<string, string[]>;
  /** Coordinates served on objects linked to no holder (banks, venues, institutions, ride authorizations). */
  unlinked?: string[];
}

/** What is known of a field once, for every request: the per-field work is map lookups and a Set insert. */
interface FieldFacts {
  coordinate: string;
  /** Objects it returns may inherit the parent's holder. */
  composite: boolean;
  /** Its parent is a Holder: the holder is the parent's id. */
  onHolder: boolean;
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
      facts[name] = {
        coordinate: `${type.name}.${name}`,
        composite: isCompositeType(getNamedType(field.type)),
        onHolder: type.name === 'Holder',
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

  field(source: unknown, info: GraphQLResolveInfo): void {
    const facts = factsOf(info);
    if (!facts || facts.plumbing) return;
    if (facts.root) {
      this.roots.set(info.path.key, facts.coordinate);
      return;
    }
    const holderId = this.holderOf(source as Record<string, unknown> | null, facts, info.path);
    if (holderId === undefined) {
      this.unlinked.add(facts.coordinate);
      return;
    }
    let served = this.holders.get(holderId);
    if (!served) this.holders.set(holderId, (served = new Set()));
    served.add(facts.coordinate);
    // The root field this object was reached through, unless it is federation's `_entities`.
    let root = info.path;
    while (root.prev) root = root.prev;
    const rootCoordinate = this.roots.get(root.key);
    if (rootCoordinate) served.add(rootCoordinate);
    if (facts.composite) this.holderByPath.set(info.path, holderId);
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
    if (this.holders.size === 0 && this.unlinked.size === 0 && this.roots.size === 0) return undefined;
    const holders: Record<string, string[]> = {};
    const attributed = new Set<string>();
    for (const [holderId, coordinates] of this.holders) {
      holders[holderId] = [...coordinates];
      for (const c of coordinates) attributed.add(c);
    }
    // A root field that served no holder (`Query.banks`, a refused write) is still something the operation asked.
    for (const coordinate of this.roots.values()) if (!attributed.has(coordinate)) this.unlinked.add(coordinate);
    return this.unlinked.size > 0 ? { holders, unlinked: [...this.unlinked] } : { holders };
  }
}

/** The Apollo Server plugin serveSubgraph adds: every response says what it served in `extensions.yktAccess`. */
export function accessReportPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart(): Promise<GraphQLRequestListener<any>> {
      const served = new Served();
      return {
        async executionDidStart() {
          return {
            willResolveField({ source, info }) {
              served.field(source, info);
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
