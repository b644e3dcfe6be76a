// hr's writes take an idempotency key, as the other departments' do (issue 12 §6): each mutation replayed with its
// key answers what the first run wrote and writes nothing new (rows counted behind the hub's back); the same key with
// another input, or for another mutation, is IDEMPOTENCY_KEY_REUSED; a retry after the audit store failed (the
// write committed, the answer withheld) replaces the card once, where it used to answer ILLEGAL_CARD_TRANSITION.
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { hubTest } from '../support/fixtures.js';
import { codes, type TestHub } from '../support/hub.js';
import { CARD_FIELDS, counter, key, registerBank, registerHolder } from '../support/hr.js';
import { idNumber, randomBirth } from '../support/identities.js';

const it = hubTest();

it.beforeAll(async ({ hub }) => {
  await registerBank(hub, 'ICBC');
});

type Counts = Record<'holders' | 'banks' | 'accounts' | 'cards' | 'events' | 'keys', number>;

/** Rows of every hr table a write can add to, and the ledger. */
async function counts(hub: TestHub): Promise<Counts> {
  const [row] = await hub.rows<Counts>(sql`select
    (select count(*)::int from hr.holders) as holders, (select count(*)::int from hr.banks) as banks,
    (select count(*)::int from hr.bank_accounts) as accounts, (select count(*)::int from hr.cards) as cards,
    (select count(*)::int from hr.card_events) as events, (select count(*)::int from hr.idempotency_keys) as keys`);
  return row!;
}

const CARD = `{ ${CARD_FIELDS} }`;
const REPLACEMENT = `{ replaced ${CARD} replacement ${CARD} }`;

/**
 * Runs `mutation` with `input`, then again with the same key: the same answer, no new row. Then the same key with
 * `changed` over the input: IDEMPOTENCY_KEY_REUSED, still no new row. Returns the first answer and what it added.
 */
async function replayed(
  hub: TestHub,
  mutation: string,
  inputType: string,
  selection: string,
  input: Record<string, unknown>,
  changed: Record<string, unknown>,
) {
  const document = `mutation($input: ${inputType}!) { ${mutation}(input: $input) ${selection} }`;
  const before = await counts(hub);
  const first = (await hub.ok(document, { input }))[mutation];
  const after = await counts(hub);
  expect(after.keys).toBe(before.keys + 1);
  expect((await hub.ok(document, { input }))[mutation]).toEqual(first);
  expect(await counts(hub)).toEqual(after);
  const reused = await hub.query(document, { input: { ...input, ...changed } });
  expect(codes(reused)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
  expect(reused.data).toBeNull();
  expect(await counts(hub)).toEqual(after);
  const added = Object.fromEntries(
    Object.entries(after).map(([table, n]) => [table, n - before[table as keyof Counts]]),
  ) as Counts;
  return { first, added };
}

it('runs every hr write once per key, and refuses the key for another input', async ({ hub }) => {
  const bank = await replayed(
    hub,
    'registerBank',
    'RegisterBankInput',
    '{ code name }',
    { idempotencyKey: key(), code: 'BOC', name: '中国银行' },
    { name: '另一家' },
  );
  expect(bank.added).toMatchObject({ banks: 1 });

  const holderInput = {
    idempotencyKey: key(),
    idType: 'RESIDENT_ID',
    idNumber: idNumber('440106', randomBirth()),
    name: '李重试',
    registeredCity: '440100',
  };
  // Without the key a second registration would be HOLDER_ALREADY_REGISTERED.
  const holder = await replayed(
    hub,
    'registerHolder',
    'RegisterHolderInput',
    '{ id idNumber name registeredCity }',
    holderInput,
    { name: '李另人' },
  );
  expect(holder.added).toMatchObject({ holders: 1 });
  const { idNumber: held } = holder.first;

  const account = { bankCode: 'ICBC', accountNumber: '6217000012345678901' };
  const applied = await replayed(
    hub,
    'applyForCard',
    'ApplyForCardInput',
    CARD,
    { idempotencyKey: key(), idNumber: held, servedAt: counter(), ...account },
    { accountNumber: '6217000012345678902' },
  );
  expect(applied.added).toMatchObject({ cards: 1, accounts: 1, events: 1 });
  const cardNumber = applied.first.cardNumber;

  const step = (extra: Record<string, unknown> = {}) => ({
    idempotencyKey: key(),
    cardNumber,
    servedAt: counter(),
    ...extra,
  });
  const elsewhere = { servedAt: counter('440300') };
  const issued = await replayed(hub, 'issueCard', 'CardStepInput', CARD, step(), elsewhere);
  expect([issued.first.status, issued.added.events]).toEqual(['ACTIVE', 1]);

  const electronic = await replayed(
    hub,
    'issueElectronicCard',
    'IssueElectronicCardInput',
    CARD,
    { idempotencyKey: key(), idNumber: held, servedAt: counter() },
    elsewhere,
  );
  expect([electronic.first.kind, electronic.added.cards]).toEqual(['ELECTRONIC', 1]);

  const switched = await replayed(
    hub,
    'switchBank',
    'SwitchBankInput',
    '{ accountNumber bank { code } }',
    {
      idempotencyKey: key(),
      idNumber: held,
      bankCode: 'BOC',
      accountNumber: '6013820000000000001',
      servedAt: counter(),
    },
    { accountNumber: '6013820000000000002' },
  );
  expect(switched.added).toMatchObject({ accounts: 1, events: 2 });

  const lost = await replayed(hub, 'reportCardLoss', 'ReportCardLossInput', CARD, step({ kind: 'TEMPORARY' }), {
    kind: 'FORMAL',
  });
  expect([lost.first.status, lost.first.lossKind, lost.added.events]).toEqual(['LOST', 'TEMPORARY', 2]);

  const found = await replayed(hub, 'cancelCardLossReport', 'CardStepInput', CARD, step(), elsewhere);
  expect([found.first.status, found.added.events]).toEqual(['ACTIVE', 2]);

  const replaced = await replayed(hub, 'replaceCard', 'CardStepInput', REPLACEMENT, step(), elsewhere);
  expect(replaced.first.replaced).toMatchObject({ cardNumber, status: 'REPLACED' });
  expect(replaced.added).toMatchObject({ cards: 1, events: 3 });

  const cancelled = await replayed(
    hub,
    'cancelCard',
    'CardStepInput',
    CARD,
    { ...step(), cardNumber: replaced.first.replacement.cardNumber },
    elsewhere,
  );
  expect([cancelled.first.status, cancelled.added.events]).toEqual(['CANCELLED', 2]);
});

it('answers a replay with what the first run wrote as it stands now, and one key serves one mutation', async ({
  hub,
}) => {
  const holder = await registerHolder(hub);
  const APPLY = `mutation($input: ApplyForCardInput!) { applyForCard(input: $input) { cardNumber status } }`;
  const apply = { idempotencyKey: key(), idNumber: holder.idNumber, servedAt: counter(), bankCode: 'ICBC' };
  const input = { ...apply, accountNumber: '6217000012345678901' };
  const { cardNumber } = (await hub.ok(APPLY, { input })).applyForCard;
  const STEP = (m: string) => `mutation($input: CardStepInput!) { ${m}(input: $input) { cardNumber status } }`;
  const issue = { idempotencyKey: key(), cardNumber, servedAt: counter() };
  expect((await hub.ok(STEP('issueCard'), { input: issue })).issueCard.status).toBe('ACTIVE');
  // The key of the issue, for cancelling the same card at the same counter: another request.
  expect(codes(await hub.query(STEP('cancelCard'), { input: issue }))).toEqual(['IDEMPOTENCY_KEY_REUSED']);
  expect((await hub.ok(STEP('cancelCard'), { input: { ...issue, idempotencyKey: key() } })).cancelCard.status).toBe(
    'CANCELLED',
  );
  // The application replayed: the same card, cancelled since; no second application.
  expect((await hub.ok(APPLY, { input })).applyForCard).toEqual({ cardNumber, status: 'CANCELLED' });
  // A number written another way is the same request (the ledger compares the normalised input).
  const spaced = { ...input, accountNumber: '6217 0000 1234 5678 901' };
  expect((await hub.ok(APPLY, { input: spaced })).applyForCard.cardNumber).toBe(cardNumber);
  const cards = await hub.rows<{ cards: number }>(
    sql`select count(*)::int as cards from hr.cards c join hr.holders h on h.id = c.holder_id where h.id_number = ${holder.idNumber}`,
  );
  expect(cards).toEqual([{ cards: 1 }]);

  // A malformed key is the caller's mistake, named; a refused write leaves its key free for the retry.
  const bad = await hub.query(APPLY, { input: { ...input, idempotencyKey: 'short' } });
  expect([codes(bad), bad.errors?.[0]?.extensions?.field]).toEqual([['BAD_USER_INPUT'], 'idempotencyKey']);
  const refusedKey = key();
  const unknown = { ...input, idempotencyKey: refusedKey, idNumber: idNumber('440106', randomBirth()) };
  expect(codes(await hub.query(APPLY, { input: unknown }))).toEqual(['HOLDER_NOT_FOUND']);
  expect(await hub.rows(sql`select 1 from hr.idempotency_keys where key = ${refusedKey}`)).toEqual([]);
});

it('lets concurrent retries of one replacement write it once, all answered alike', async ({ hub }) => {
  const holder = await registerHolder(hub);
  const applied = await hub.ok(`mutation($input: ApplyForCardInput!) { applyForCard(input: $input) { cardNumber } }`, {
    input: {
      idempotencyKey: key(),
      idNumber: holder.idNumber,
      servedAt: counter(),
      bankCode: 'ICBC',
      accountNumber: '6217000012345678901',
    },
  });
  const cardNumber = applied.applyForCard.cardNumber;
  const STEP = (m: string, selection: string) =>
    `mutation($input: CardStepInput!) { ${m}(input: $input) ${selection} }`;
  await hub.ok(STEP('issueCard', '{ status }'), { input: { idempotencyKey: key(), cardNumber, servedAt: counter() } });
  const before = await counts(hub);
  const input = { idempotencyKey: key(), cardNumber, servedAt: counter() };
  const answers = await Promise.all(
    Array.from({ length: 5 }, () =>
      hub.query(STEP('replaceCard', '{ replaced { cardNumber status } replacement { cardNumber status } }'), { input }),
    ),
  );
  for (const answer of answers) expect(answer).toEqual(answers[0]);
  expect(answers[0]!.errors).toBeUndefined();
  expect(answers[0]!.data.replaceCard.replaced).toEqual({ cardNumber, status: 'REPLACED' });
  expect(await counts(hub)).toMatchObject({ cards: before.cards + 1, keys: before.keys + 1 });
});

it('replaces a card once when retried after the audit store failed to take the answer', async ({ hub }) => {
  const holder = await registerHolder(hub);
  const applied = await hub.ok(`mutation($input: ApplyForCardInput!) { applyForCard(input: $input) { cardNumber } }`, {
    input: {
      idempotencyKey: key(),
      idNumber: holder.idNumber,
      servedAt: counter(),
      bankCode: 'ICBC',
      accountNumber: '6217000012345678901',
    },
  });
  const cardNumber = applied.applyForCard.cardNumber;
  const STEP = (m: string) =>
    `mutation($input: CardStepInput!) { ${m}(input: $input) { replaced { cardNumber status } replacement { cardNumber } } }`;
  await hub.ok(`mutation($input: CardStepInput!) { issueCard(input: $input) { status } }`, {
    input: { idempotencyKey: key(), cardNumber, servedAt: counter() },
  });
  const before = await counts(hub);
  const input = { idempotencyKey: key(), cardNumber, servedAt: counter() };
  const gateway = hub.gateway.database.db;
  // As audit.test.ts takes the table away: the gateway cannot record the answer, so it withholds it.
  await gateway.execute(sql`alter table gateway.audit_records rename to audit_records_away`);
  let first;
  try {
    first = await hub.post(STEP('replaceCard'), { input });
  } finally {
    await gateway.execute(sql`alter table gateway.audit_records_away rename to audit_records`);
  }
  // Whether the write ran before the audit failed (AUDIT_UNAVAILABLE) or was kept from running, the retry with the
  // same key replaces the card exactly once.
  if (first.status !== 200) expect(codes(first.body)).toEqual(['AUDIT_UNAVAILABLE']);
  const retried = await hub.ok(STEP('replaceCard'), { input });
  expect(retried.replaceCard.replaced).toEqual({ cardNumber, status: 'REPLACED' });
  if (first.status === 200) expect(retried).toEqual(first.body.data);
  expect(await counts(hub)).toMatchObject({ cards: before.cards + 1 });
  const [replacement] = await hub.rows<{ card_number: string }>(
    sql`select r.card_number from hr.cards c join hr.cards r on r.id = c.replaced_by_card_id where c.card_number = ${cardNumber}`,
  );
  expect(retried.replaceCard.replacement.cardNumber).toBe(replacement!.card_number);
});
