// DataLoader shapes every subgraph needs: one row per key, or all rows per key. Per request, so nothing is
// cached across callers (one caller's rows must never answer another's query).
import DataLoader from 'dataloader';

/** Loads one row per key with one batched query; null where a key has no row. Results follow key order. */
export function rowLoader<K, R>(
  fetch: (keys: readonly K[]) => Promise<R[]>,
  keyOf: (row: R) => K,
): DataLoader<K, R | null> {
  return new DataLoader<K, R | null>(async (keys) => {
    const byKey = new Map((await fetch(keys)).map((row) => [keyOf(row), row] as const));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/** Loads every row per key with one batched query, keeping the order the query returned them in. */
export function groupLoader<K, R>(
  fetch: (keys: readonly K[]) => Promise<R[]>,
  keyOf: (row: R) => K,
): DataLoader<K, R[]> {
  return new DataLoader<K, R[]>(async (keys) => {
    const groups = new Map<K, R[]>(keys.map((key) => [key, []]));
    for (const row of await fetch(keys)) groups.get(keyOf(row))?.push(row);
    return keys.map((key) => groups.get(key)!);
  });
}

/**
 * Per-request loaders for a paged holder-level list: one DataLoader per distinct set of paging arguments, so a
 * query for 100 holders' rides (same arguments for each) is one batch.
 */
export function pagedLoader<P, R>(
  loaderOf: (page: P) => DataLoader<string, R[]>,
): (page: P) => DataLoader<string, R[]> {
  const byPage = new Map<string, DataLoader<string, R[]>>();
  return (page: P): DataLoader<string, R[]> => {
    const key = JSON.stringify(page);
    let loader = byPage.get(key);
    if (!loader) {
      loader = loaderOf(page);
      byPage.set(key, loader);
    }
    return loader;
  };
}
