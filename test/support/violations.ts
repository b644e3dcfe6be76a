// Violations and fines (Art 19) as the tests write and read them through the gateway: the HR department's writes,
// and the public credit feed read page by page from a cursor.
import { randomUUID } from 'node:crypto';
import type { Identity, TestHub } from './hub.js';

export const HR_SERVICE: Identity = { client: 'dept-hr', purpose: 'HR_SERVICE' };
/** A unified social credit code with a valid check character. */
export const CREDIT_CODE = '91440101MA59ABCD1D';

export const RECORD = `mutation($input: RecordViolationInput!) { recordViolation(input: $input) {
  id subjectKind organisationName organisationCode kind authority decidedOn fineFen correctBy status } }`;
export const CHANGE = `mutation($input: ChangeViolationStatusInput!) { changeViolationStatus(input: $input) { id status } }`;
export const FEED = `query($after: String, $first: Int) { publicCreditFeed(after: $after, first: $first) {
  items { position violationId kind subjectKind name maskedIdNumber creditCode authority decision decidedOn fineFen
    correctBy status } endCursor hasMore } }`;

/** A violation's input against `subject` (`{ holder }` or `{ organisation }`): a 2,000-yuan fine, say. */
export const input = (subject: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  idempotencyKey: randomUUID(),
  ...subject,
  kind: 'RENT_LEND_SELL',
  facts: '将社会保障卡出借他人使用',
  authority: '440100',
  decision: '责令改正，处罚款',
  decidedOn: '2026-03-01',
  fineFen: 200_000,
  correctBy: '2026-04-01',
  ...extra,
});
/** Every record of the feed from `after` on, a page of `first` at a time. */
export async function readFeed(hub: TestHub, after: string | null, first = 3) {
  const items: any[] = [];
  for (;;) {
    const page = (await hub.as(HR_SERVICE).ok(FEED, { after, first })).publicCreditFeed;
    items.push(...page.items);
    after = page.endCursor;
    if (!page.hasMore) return { items, after };
  }
}
