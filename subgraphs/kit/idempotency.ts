// Every department write takes an idempotency key: a retry with the same key returns the first result and creates
// nothing new; the same key with a different payload is refused. The key is claimed inside the write's own
// transaction, so a failed write leaves no key behind and two concurrent retries cannot both write.
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { jsonb, text, timestamp, type PgSchema } from 'drizzle-orm/pg-core';
import type { Db } from '../../core/database.js';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';

/** The idempotency ledger, one per domain schema. */
export function idempotencyTable(schema: PgSchema) {
  return schema.table('idempotency_keys', {
    key: text('key').primaryKey(),
    operation: text('operation').notNull(),
    requestHash: text('request_hash').notNull(),
    result: jsonb('result').$type<unknown>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  });
}
export type IdempotencyTable = ReturnType<typeof idempotencyTable>;

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` are one payload. */
function canonical(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function checkIdempotencyKey(key: string): string {
  if (!/^[A-Za-z0-9._:-]{8,128}$/.test(key)) {
    throw badInput('idempotencyKey must be 8 to 128 letters, digits or . _ : - (a UUID works)', 'idempotencyKey');
  }
  return key;
}

/**
 * Runs `write` once per key within `tx`. Returns what `write` stored the first time: a replay, or a concurrent
 * duplicate that waited for the first to commit, gets the stored value back instead of writing again.
 */
export async function once<S>(
  tx: Db,
  table: IdempotencyTable,
  request: { key: string; operation: string; payload: unknown },
  write: () => Promise<S>,
): Promise<{ replayed: boolean; result: S }> {
  const key = checkIdempotencyKey(request.key);
  const requestHash = createHash('sha256')
    .update(canonical({ operation: request.operation, payload: request.payload }))
    .digest('hex');
  const claimed = await tx
    .insert(table)
    .values({ key, operation: request.operation, requestHash })
    .onConflictDoNothing()
    .returning({ key: table.key });
  if (claimed.length === 0) {
    const [first] = await tx.select().from(table).where(eq(table.key, key));
    if (!first || first.requestHash !== requestHash) {
      throw hubError(
        ErrorCode.IDEMPOTENCY_KEY_REUSED,
        `Idempotency key ${key} was already used for a different ${first?.operation ?? 'request'}`,
      );
    }
    return { replayed: true, result: first.result as S };
  }
  const result = await write();
  await tx
    .update(table)
    .set({ result: result as unknown })
    .where(eq(table.key, key));
  return { replayed: false, result };
}
