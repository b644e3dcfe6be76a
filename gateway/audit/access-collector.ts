// What the subgraphs said they served for one request (core/protocol/access-report.ts), merged across every fetch
// of its query plan. Kept in the request's context (`audit.served`, gateway/caller.ts): the subgraph calls add to it,
// the audit plugin reads it.
import { ACCESS_EXTENSION } from '../../core/protocol/access-report.js';

export interface CollectedAccess {
  /**
   * Per holder id (lowercase uuid), the coordinates served on that holder's objects, as the subgraphs reported them:
   * a coordinate two subgraphs both served appears twice (the record sorts each list and keeps one of each).
   */
  holders: Map<string, Iterable<string>>;
  /** Coordinates served on objects of no holder. */
  unlinked: Set<string>;
  /** Lookups of holders registered outside the caller's region, answered as unknown (a count, no identifiers). */
  outOfRegion?: number;
}

/** The collector's own account: plain lists, appended to (for a big answer, a Set per holder made most of its garbage). */
export interface ServedAccess extends CollectedAccess {
  holders: Map<string, string[]>;
}

// Holder ids go into a uuid[] column: anything else would fail the audit insert of every request in the batch.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const COORDINATE = /^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$/;

// Coordinates come from the schema, a few hundred at most, and each report repeats them for every holder: the ones
// found well formed are remembered (bounded, since a subgraph's report is not trusted to stay within the schema), and
// the remembered string is what the account keeps, so the thousands a big answer's reports hold die with the reports.
const wellFormed = new Map<string, string>();
const MAX_REMEMBERED = 4_096;
/** The coordinate as remembered, itself if well formed but not remembered, else undefined. */
const coordinateOf = (c: unknown): string | undefined => {
  if (typeof c !== 'string') return undefined;
  const known = wellFormed.get(c);
  if (known !== undefined) return known;
  if (!COORDINATE.test(c)) return undefined;
  if (wellFormed.size < MAX_REMEMBERED) wellFormed.set(c, c);
  return c;
};

/**
 * Adds one subgraph response's report to the request's account (`audit.served` of its context, made at the first
 * report) and removes it from the response's extensions, so no client sees it. A report that is not what a subgraph
 * sends is dropped, field by field.
 */
export function collectAccess(audit: { served?: ServedAccess }, extensions: Record<string, unknown> | undefined): void {
  if (!extensions || !(ACCESS_EXTENSION in extensions)) return;
  const report = extensions[ACCESS_EXTENSION] as {
    holders?: unknown;
    unlinked?: unknown;
    outOfRegion?: unknown;
  } | null;
  delete extensions[ACCESS_EXTENSION];
  if (!report || typeof report !== 'object') return;
  const access: ServedAccess = (audit.served ??= { holders: new Map(), unlinked: new Set() });
  const holders = report.holders;
  if (holders && typeof holders === 'object') {
    for (const rawId of Object.keys(holders)) {
      // Every subgraph reports the same holders: an id already taken needs no second look.
      let served = access.holders.get(rawId);
      if (!served) {
        const holderId = rawId.toLowerCase();
        served = access.holders.get(holderId);
        if (!served) {
          if (!UUID.test(holderId)) continue;
          access.holders.set(holderId, (served = []));
        }
      }
      const coordinates = (holders as Record<string, unknown>)[rawId];
      if (Array.isArray(coordinates)) {
        for (const c of coordinates) {
          const coordinate = coordinateOf(c);
          if (coordinate !== undefined) served.push(coordinate);
        }
      }
    }
  }
  const probes = report.outOfRegion;
  if (typeof probes === 'number' && Number.isSafeInteger(probes) && probes > 0)
    access.outOfRegion = (access.outOfRegion ?? 0) + probes;
  if (Array.isArray(report.unlinked)) {
    for (const c of report.unlinked) {
      const coordinate = coordinateOf(c);
      if (coordinate !== undefined) access.unlinked.add(coordinate);
    }
  }
}
