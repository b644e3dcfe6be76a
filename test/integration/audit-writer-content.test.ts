// What the audit writer stores is what it hashed: a batch travels as one JSON text (json_to_recordset), so every
// column is read back from JSON, text with quotes, backslashes, escapes and non-ASCII included, lists as PostgreSQL
// arrays and variables and access as jsonb. Checked on the database this run uses (PostgreSQL or PGlite).
import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { canonicalJson, hashedContent, linkHash, GENESIS_HASH } from '../../gateway/audit/chain.js';
import { buildAuditRecord, type AuditRecord } from '../../gateway/audit/record.js';
import { verifyAuditChains } from '../../gateway/audit/verify.js';
import { openAuditWriter, type AuditWriter } from '../../gateway/audit/writer.js';
import { migrateGatewayDatabase } from '../../store/migrations.js';
import { auditRecords } from '../../store/tables.js';
import { openDatabase, type Database } from '../../core/database.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let store: TestDatabase;
let database: Database;
let writer: AuditWriter;

beforeAll(async () => {
  store = await createTestDatabase();
  database = await openDatabase(store.config);
  await migrateGatewayDatabase(database);
  writer = await openAuditWriter(database.db, { maxDelayMs: 20 });
});
afterAll(async () => {
  await writer?.close();
  await database?.close();
  await store?.drop();
});

const TEXTS = [
  'quote "q"',
  'back\\slash \\u0041 \\"',
  '广东 😀 é',
  'line\u2028sep\u2029',
  'ctl \u0001\u001f\t\r\n',
  'NULL',
  '{a,b}',
  '',
  ' ',
];

function record(text: string, i: number): AuditRecord {
  const holderId = randomUUID();
  const built = buildAuditRecord({
    caller: {
      client: {
        id: `client ${text}`,
        kind: 'PROVINCE',
        name: 'x',
        city: i % 2 ? null : '440100',
        domain: null,
        purposes: [],
        status: 'ACTIVE',
        requestsPerMinute: 60,
      },
      purpose: 'HOLDER_SELF_SERVICE',
      operator: i % 3 ? `op ${text}` : null,
      caseRef: `case ${text}`,
      place: null,
      requestId: randomUUID(),
    },
    startedAt: Date.now() - 5,
    executed: true,
    operationType: 'query',
    operationName: text,
    documentHash: 'b'.repeat(64),
    variables: {
      [text]: [1e21, 0.1, -0, 1e-7, 2 ** 53 + 1, true, false, null, 'METRO'],
      nested: { [`k ${text}`]: { deep: 12.5 } },
    },
    errors: [{ extensions: { code: text } }, { extensions: { code: 'NULL' } }],
    hasData: true,
    access: { holders: new Map([[holderId, new Set([`Holder.${text}`, 'Holder.name'])]]), unlinked: new Set([text]) },
    denied: [{ coordinate: `Holder.${text}`, category: 'HEALTH', path: ['holders', '@', text] }],
  });
  // Milliseconds that a time zone or a float would lose.
  built.recordedAt = new Date(Date.UTC(2026, 10, 23, 17, 2, 1, 1 + i * 111));
  return built;
}

it('stores every column of every record of a batch as it was hashed, and the chain verifies', async () => {
  const records = TEXTS.map(record);
  await Promise.all(records.map((r) => writer.append(r)));
  expect(writer.stats).toMatchObject({ records: records.length, failedBatches: 0 });

  const rows = await database.db
    .select()
    .from(auditRecords)
    .where(eq(auditRecords.chainId, writer.chainId))
    .orderBy(asc(auditRecords.seq));
  expect(rows).toHaveLength(records.length);
  let prevHash = GENESIS_HASH;
  rows.forEach((row, i) => {
    const link = { ...records[i]!, chainId: writer.chainId, seq: i + 1 };
    const stored = { ...row, seq: Number(row.seq) };
    expect(canonicalJson(hashedContent(stored))).toBe(canonicalJson(hashedContent(link)));
    expect(stored).toMatchObject({
      operationName: TEXTS[i],
      errorCodes: [...new Set([TEXTS[i], 'NULL'])],
      recordedAt: records[i]!.recordedAt,
      prevHash,
    });
    expect(row.hash).toBe(linkHash(prevHash, link));
    prevHash = row.hash;
  });
  expect(await verifyAuditChains(database.db, { record: false })).toMatchObject({ ok: true, firstBreak: null });
});
