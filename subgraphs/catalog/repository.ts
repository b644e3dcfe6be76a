// All of the catalog subgraph's SQL.
import { and, asc, desc, eq, gte, inArray, lte, max, sql } from 'drizzle-orm';
import type { Db } from '../../core/database.js';
import {
  catalogItems,
  catalogVersions,
  credentials,
  refusedCredentials,
  type CredentialRow,
  type ItemRow,
  type RefusedCredentialRow,
  type VersionRow,
} from './tables.js';

export function findVersionsByIds(db: Db, ids: readonly string[]): Promise<VersionRow[]> {
  return db
    .select()
    .from(catalogVersions)
    .where(inArray(catalogVersions.id, [...ids]));
}

export function itemsOfVersions(db: Db, versionIds: readonly string[]): Promise<ItemRow[]> {
  return db
    .select()
    .from(catalogItems)
    .where(inArray(catalogItems.versionId, [...versionIds]))
    .orderBy(asc(catalogItems.code));
}

/** The published version of each scope (every scope without `scopes`) in force on `day`: the latest to take effect by then. */
export async function versionsInForce(db: Db, scopes: readonly string[] | null, day: string): Promise<VersionRow[]> {
  const rows = await db
    .select()
    .from(catalogVersions)
    .where(
      and(
        scopes ? inArray(catalogVersions.scope, [...scopes]) : undefined,
        eq(catalogVersions.status, 'PUBLISHED'),
        lte(catalogVersions.effectiveFrom, day),
      ),
    )
    .orderBy(asc(catalogVersions.scope), desc(catalogVersions.effectiveFrom), desc(catalogVersions.version));
  const first = new Map<string, VersionRow>();
  for (const row of rows) if (!first.has(row.scope)) first.set(row.scope, row);
  return [...first.values()];
}

export function publishedVersionsOf(db: Db, scope: string): Promise<VersionRow[]> {
  return db
    .select()
    .from(catalogVersions)
    .where(and(eq(catalogVersions.scope, scope), eq(catalogVersions.status, 'PUBLISHED')))
    .orderBy(asc(catalogVersions.version));
}

export async function lockVersion(tx: Db, id: string): Promise<VersionRow | undefined> {
  const [row] = await tx.select().from(catalogVersions).where(eq(catalogVersions.id, id)).for('update');
  return row;
}

/** The scope's latest version (draft or published), its number telling the next one's. */
export async function latestVersionOf(tx: Db, scope: string): Promise<VersionRow | undefined> {
  const [row] = await tx
    .select()
    .from(catalogVersions)
    .where(eq(catalogVersions.scope, scope))
    .orderBy(desc(catalogVersions.version))
    .limit(1);
  return row;
}

/** The latest day any published version of the scope takes effect; null before its first. */
export async function lastEffectiveFrom(tx: Db, scope: string): Promise<string | null> {
  const [row] = await tx
    .select({ day: max(catalogVersions.effectiveFrom) })
    .from(catalogVersions)
    .where(and(eq(catalogVersions.scope, scope), eq(catalogVersions.status, 'PUBLISHED')));
  return row?.day ?? null;
}

export async function insertDraft(tx: Db, scope: string, version: number): Promise<VersionRow | undefined> {
  const [row] = await tx.insert(catalogVersions).values({ scope, version }).onConflictDoNothing().returning();
  return row;
}

export async function copyItems(tx: Db, fromVersionId: string, toVersionId: string): Promise<void> {
  await tx.execute(sql`
    insert into ${catalogItems} (version_id, code, name, category, scenarios, venues, department)
    select ${toVersionId}::uuid, code, name, category, scenarios, venues, department
    from ${catalogItems} where version_id = ${fromVersionId}::uuid`);
}

export async function upsertItem(tx: Db, row: typeof catalogItems.$inferInsert): Promise<void> {
  const { versionId: _key, code: _code, ...changes } = row;
  await tx
    .insert(catalogItems)
    .values(row)
    .onConflictDoUpdate({ target: [catalogItems.versionId, catalogItems.code], set: changes });
}

export async function deleteItem(tx: Db, versionId: string, code: string): Promise<boolean> {
  const deleted = await tx
    .delete(catalogItems)
    .where(and(eq(catalogItems.versionId, versionId), eq(catalogItems.code, code)))
    .returning({ id: catalogItems.id });
  return deleted.length > 0;
}

export async function publish(tx: Db, id: string, effectiveFrom: string, at: Date): Promise<void> {
  await tx
    .update(catalogVersions)
    .set({ status: 'PUBLISHED', effectiveFrom, publishedAt: at })
    .where(eq(catalogVersions.id, id));
}

/** Codes of items in any provincial version, published or draft: a city may carry none of them as its own. */
export async function provincialCodes(tx: Db, province: string, codes: readonly string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const rows = await tx
    .selectDistinct({ code: catalogItems.code })
    .from(catalogItems)
    .innerJoin(catalogVersions, eq(catalogVersions.id, catalogItems.versionId))
    .where(and(eq(catalogVersions.scope, province), inArray(catalogItems.code, [...codes])));
  return rows.map((r) => r.code).sort();
}

// ---- credentials ----

export function findCredentialsByIds(db: Db, ids: readonly string[]): Promise<CredentialRow[]> {
  return db
    .select()
    .from(credentials)
    .where(inArray(credentials.id, [...ids]));
}

export function listCredentials(db: Db, department: string | null): Promise<CredentialRow[]> {
  return db
    .select()
    .from(credentials)
    .where(department ? eq(credentials.department, department) : undefined)
    .orderBy(asc(credentials.department), asc(credentials.code));
}

export async function insertCredential(
  tx: Db,
  row: typeof credentials.$inferInsert,
): Promise<CredentialRow | undefined> {
  const [inserted] = await tx.insert(credentials).values(row).onConflictDoNothing().returning();
  return inserted;
}

/** A refused attempt, once per department and idempotency key (a retry of a refused request is the same attempt). */
export async function recordRefusal(db: Db, row: typeof refusedCredentials.$inferInsert): Promise<void> {
  await db
    .insert(refusedCredentials)
    .values(row)
    .onConflictDoNothing({ target: [refusedCredentials.department, refusedCredentials.idempotencyKey] });
}

export function refusalsSince(db: Db, since: Date): Promise<RefusedCredentialRow[]> {
  return db
    .select()
    .from(refusedCredentials)
    .where(gte(refusedCredentials.attemptedAt, since))
    .orderBy(desc(refusedCredentials.attemptedAt), asc(refusedCredentials.id));
}

/** Each department owning items in a catalog in force on `day` (the province's and every city's), with their count. */
export async function departmentsInForce(db: Db, day: string): Promise<{ department: string; itemCount: number }[]> {
  const versions = await versionsInForce(db, null, day);
  if (versions.length === 0) return [];
  return db
    .select({
      department: catalogItems.department,
      itemCount: sql<number>`count(distinct ${catalogItems.code})::int`.mapWith(Number),
    })
    .from(catalogItems)
    .where(
      inArray(
        catalogItems.versionId,
        versions.map((v) => v.id),
      ),
    )
    .groupBy(catalogItems.department)
    .orderBy(asc(catalogItems.department));
}
