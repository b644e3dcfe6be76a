// Venues, gate admissions and library loans (Art 7(5)) through the real gateway over the real subgraphs and database.
import { sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { seedCultureTourism } from '../../seed/culture-tourism.js';
import { CITY_CODES } from '../../subgraphs/kit/cities.js';
import { hubTest } from '../support/fixtures.js';
import { codes, type TestHub } from '../support/hub.js';
import { callSubgraph } from '../support/subgraph.js';
import { cardStep, holderWithActiveCard, registerBank } from '../support/hr.js';

let run = 0;
const SEED_HOLDERS = 100;
const it = hubTest({ seedHolders: SEED_HOLDERS });

it.beforeAll(async ({ hub }) => {
  await registerBank(hub, 'ICBC');
  for (const venue of [
    { code: 'T-LIB-GZ', name: '测试图书馆', kind: 'LIBRARY', city: '440100' },
    { code: 'T-MUS-SZ', name: '测试博物馆', kind: 'MUSEUM', city: '440300' },
    { code: 'T-SCN-DG', name: '测试风景区', kind: 'SCENIC_SPOT', city: '441900' },
  ])
    await registerVenue(hub, venue);
});

/** A fresh idempotency key per write, unless a test replays one on purpose. */
const key = () => `test-ct-${Date.now()}-${++run}`;

const VENUE = 'code name kind city';
const ADMISSION = `id cardNumber admittedAt concession city venue { code name } holder { id }`;
const LOAN = `id cardNumber itemId title borrowedAt dueAt returnedAt overdue venue { code } holder { id }`;
const RESULT = `recorded refused results { index error { code message field } admission { ${ADMISSION} } }`;

async function registerVenue(hub: TestHub, input: Record<string, unknown>, idempotencyKey = key()) {
  return hub.query(`mutation($input: RegisterVenueInput!) { registerVenue(input: $input) { ${VENUE} } }`, {
    input: { idempotencyKey, ...input },
  });
}

function recordAdmissions(hub: TestHub, admissions: Record<string, unknown>[], idempotencyKey = key()) {
  return hub.query(`mutation($input: RecordAdmissionsInput!) { recordAdmissions(input: $input) { ${RESULT} } }`, {
    input: { idempotencyKey, admissions },
  });
}

function borrow(hub: TestHub, input: Record<string, unknown>, idempotencyKey = key()) {
  return hub.query(`mutation($input: RecordLibraryLoanInput!) { recordLibraryLoan(input: $input) { ${LOAN} } }`, {
    input: { idempotencyKey, ...input },
  });
}

function giveBack(hub: TestHub, loanId: string, idempotencyKey = key(), extra: Record<string, unknown> = {}) {
  return hub.query(`mutation($input: ReturnLibraryLoanInput!) { returnLibraryLoan(input: $input) { ${LOAN} } }`, {
    input: { idempotencyKey, loanId, ...extra },
  });
}

async function admissionsOf(hub: TestHub, cardNumber: string, args = 'first: 500') {
  const data = await hub.ok(
    `query($n: String!) { holderByCard(cardNumber: $n) {
    venueAdmissions(${args}) { nodes { ${ADMISSION} } pageInfo { hasNextPage endCursor } } } }`,
    { n: cardNumber },
  );
  return data.holderByCard.venueAdmissions as {
    nodes: any[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const at = (day: number, hour = 10) =>
  `2025-05-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00+08:00`;
const iso = (day: number, hour = 10) => new Date(at(day, hour)).toISOString();

describe('the venue register', () => {
  it('registers a venue once per key, refuses a taken code, and lists venues by city and kind', async ({ hub }) => {
    const input = { code: 't-spt-fs', name: '测试体育中心', kind: 'SPORTS_FACILITY', city: '440600' };
    const k = key();
    const first = await registerVenue(hub, input, k);
    expect(first.data.registerVenue).toEqual({
      code: 'T-SPT-FS',
      name: '测试体育中心',
      kind: 'SPORTS_FACILITY',
      city: '440600',
    });
    expect((await registerVenue(hub, input, k)).data.registerVenue).toEqual(first.data.registerVenue);
    expect(codes(await registerVenue(hub, { ...input, name: '另一个' }, k))).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    const taken = await registerVenue(hub, input);
    expect(codes(taken)).toEqual(['BAD_USER_INPUT']);
    expect(taken.errors![0]!.extensions!.field).toBe('code');
    const outside = await registerVenue(hub, { ...input, code: 'T-BJ', city: '110100' });
    expect(outside.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'city' });

    const foshan = await hub.ok(`{ venues(city: "440600", kind: SPORTS_FACILITY) { ${VENUE} } }`);
    expect(foshan.venues).toContainEqual(first.data.registerVenue);
    expect(foshan.venues.every((v: any) => v.city === '440600' && v.kind === 'SPORTS_FACILITY')).toBe(true);
    expect((await hub.ok(`{ venue(code: "t-spt-fs") { name } }`)).venue).toEqual({ name: '测试体育中心' });
    expect(codes(await hub.query(`{ venue(code: "NOPE-1") { name } }`))).toEqual(['NOT_FOUND']);
    expect(codes(await hub.query(`{ venues(city: "999999") { name } }`))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('a batch of admissions', () => {
  it('records the good rows and refuses each bad row on its own, with its reason', async ({ hub }) => {
    const good = await holderWithActiveCard(hub);
    const cancelled = await holderWithActiveCard(hub);
    expect((await cardStep(hub, 'cancelCard', cancelled.cardNumber)).errors).toBeUndefined();

    const result = await recordAdmissions(hub, [
      { cardNumber: good.cardNumber, venueCode: 'T-MUS-SZ', admittedAt: at(1) },
      { cardNumber: 'Z00000000', venueCode: 'T-MUS-SZ', admittedAt: at(1) },
      { cardNumber: good.cardNumber, venueCode: 'NO-SUCH-VENUE', admittedAt: at(1) },
      { cardNumber: cancelled.cardNumber, venueCode: 'T-LIB-GZ', admittedAt: at(1) },
      { cardNumber: good.cardNumber.toLowerCase(), venueCode: 't-lib-gz', admittedAt: at(2), concession: 'ELDERLY' },
      { cardNumber: '12345', venueCode: 'T-LIB-GZ' },
      { cardNumber: good.cardNumber, venueCode: 'T-LIB-GZ', admittedAt: '2025-02-30T10:00:00+08:00' },
    ]);
    expect(result.errors).toBeUndefined();
    const batch = result.data.recordAdmissions;
    expect([batch.recorded, batch.refused]).toEqual([2, 5]);
    expect(batch.results.map((r: any) => [r.index, r.error?.code ?? null, r.error?.field ?? null])).toEqual([
      [0, null, null],
      [1, 'CARD_NOT_FOUND', 'admissions[1].cardNumber'],
      [2, 'NOT_FOUND', 'admissions[2].venueCode'],
      [3, 'CARD_NOT_USABLE', 'admissions[3].cardNumber'],
      [4, null, null],
      [5, 'BAD_USER_INPUT', 'admissions[5].cardNumber'],
      [6, 'BAD_USER_INPUT', 'admissions[6].admittedAt'],
    ]);
    expect(batch.results[3].error.message).toContain('CANCELLED');
    expect(batch.results.filter((r: any) => r.error).every((r: any) => r.admission === null)).toBe(true);
    // The city is the venue's (Art 4): a Guangzhou holder admitted in Shenzhen.
    expect(batch.results[0].admission).toMatchObject({
      cardNumber: good.cardNumber,
      admittedAt: iso(1),
      concession: 'NONE',
      city: '440300',
      venue: { code: 'T-MUS-SZ', name: '测试博物馆' },
      holder: { id: good.holder.id },
    });

    const found = await admissionsOf(hub, good.cardNumber);
    expect(found.nodes.map((a) => [a.venue.name, a.concession, a.admittedAt])).toEqual([
      ['测试图书馆', 'ELDERLY', iso(2)],
      ['测试博物馆', 'NONE', iso(1)],
    ]);
    expect(found.pageInfo).toMatchObject({ hasNextPage: false });
    expect((await admissionsOf(hub, cancelled.cardNumber)).nodes).toEqual([]);
    const stored = await hub.rows<{ n: number }>(
      sql`select count(*)::int as n from culture_tourism.admissions where holder_id in (${good.holder.id}, ${cancelled.holder.id})`,
    );
    expect(stored[0]!.n).toBe(2);
  });

  it('refuses an admission on a card past its expiry at the time, and keeps one from before it', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    // The card's last day was yesterday (China time), set behind the hub's back.
    await hub.rows(
      sql`update hr.cards set expires_on = (now() at time zone 'Asia/Shanghai')::date - 1 where card_number = ${cardNumber}`,
    );
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const result = await recordAdmissions(hub, [
      { cardNumber, venueCode: 'T-MUS-SZ', admittedAt: new Date(Date.now() - 60_000).toISOString() },
      { cardNumber, venueCode: 'T-MUS-SZ', admittedAt: twoDaysAgo },
    ]);
    const rows = result.data.recordAdmissions.results;
    expect(rows[0].error).toMatchObject({ code: 'CARD_NOT_USABLE', field: 'admissions[0].cardNumber' });
    expect(rows[1].error).toBeNull();
  });

  it('replays a key without recording anything new, and refuses the key with another payload', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const admissions = [
      { cardNumber, venueCode: 'T-SCN-DG', admittedAt: at(3) },
      { cardNumber, venueCode: 'T-LIB-GZ', admittedAt: at(4), concession: 'VETERAN' },
    ];
    const k = key();
    const first = await recordAdmissions(hub, admissions, k);
    const again = await recordAdmissions(hub, admissions, k);
    expect(again.errors).toBeUndefined();
    expect(again.data).toEqual(first.data);
    expect((await admissionsOf(hub, cardNumber)).nodes).toHaveLength(2);

    const other = await recordAdmissions(hub, [{ ...admissions[0]!, admittedAt: at(5) }], k);
    expect(codes(other)).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect((await admissionsOf(hub, cardNumber)).nodes).toHaveLength(2);
  });

  it('refuses a batch of more than 1,000 rows, or none, recording nothing', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const tooMany = await recordAdmissions(
      hub,
      Array.from({ length: 1001 }, (_, i) => ({ cardNumber, venueCode: 'T-MUS-SZ', admittedAt: at(1 + (i % 28)) })),
    );
    expect(codes(tooMany)).toEqual(['BAD_USER_INPUT']);
    expect(tooMany.errors![0]!.extensions!.field).toBe('admissions');
    expect(codes(await recordAdmissions(hub, []))).toEqual(['BAD_USER_INPUT']);
    expect((await admissionsOf(hub, cardNumber)).nodes).toEqual([]);
  });

  it('records a full batch of 1,000 rows in one go', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const result = await recordAdmissions(
      hub,
      Array.from({ length: 1000 }, (_, i) => ({
        cardNumber,
        venueCode: i % 2 ? 'T-MUS-SZ' : 'T-LIB-GZ',
        admittedAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(),
      })),
    );
    expect(result.data.recordAdmissions).toMatchObject({ recorded: 1000, refused: 0 });
    expect((await admissionsOf(hub, cardNumber, 'first: 500')).nodes).toHaveLength(500);
  });

  it('refuses a future admission time and a bad idempotency key', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const future = await recordAdmissions(hub, [
      { cardNumber, venueCode: 'T-MUS-SZ', admittedAt: '2999-01-01T00:00:00Z' },
    ]);
    expect(future.data.recordAdmissions.results[0].error).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'admissions[0].admittedAt',
    });
    expect(codes(await recordAdmissions(hub, [{ cardNumber, venueCode: 'T-MUS-SZ' }], 'short'))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});

describe("paging through a holder's admissions", () => {
  it('pages newest first with first/after, and bounds the time with from/to', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const days = [10, 11, 12, 13, 14];
    const recorded = await recordAdmissions(
      hub,
      days.map((d) => ({ cardNumber, venueCode: 'T-LIB-GZ', admittedAt: at(d) })),
    );
    expect(recorded.data.recordAdmissions.recorded).toBe(5);

    const seen: string[] = [];
    let after: string | null = null;
    const pages: boolean[] = [];
    do {
      const page = await admissionsOf(hub, cardNumber, after ? `first: 2, after: "${after}"` : 'first: 2');
      seen.push(...page.nodes.map((n) => n.admittedAt));
      pages.push(page.pageInfo.hasNextPage);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual([14, 13, 12, 11, 10].map((d) => iso(d)));
    expect(pages).toEqual([true, true, false]);

    // from is inclusive, to exclusive.
    const window = await admissionsOf(hub, cardNumber, `from: "${at(11)}", to: "${at(13)}"`);
    expect(window.nodes.map((n) => n.admittedAt)).toEqual([iso(12), iso(11)]);
    const windowPaged = await admissionsOf(hub, cardNumber, `first: 1, from: "${at(11)}", to: "${at(13)}"`);
    expect(windowPaged.nodes.map((n) => n.admittedAt)).toEqual([iso(12)]);
    expect(windowPaged.pageInfo.hasNextPage).toBe(true);

    expect(
      codes(
        await hub.query(
          `{ holderByCard(cardNumber: "${cardNumber}") { venueAdmissions(after: "nonsense") { nodes { id } } } }`,
        ),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      codes(
        await hub.query(`{ holderByCard(cardNumber: "${cardNumber}") { venueAdmissions(first: 0) { nodes { id } } } }`),
      ),
    ).toEqual(['BAD_USER_INPUT']);
  });
});

describe('library loans', () => {
  it('lends at a library, refuses a copy already out, takes it back once', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const lent = await borrow(hub, {
      cardNumber,
      venueCode: 'T-LIB-GZ',
      itemId: 'BC-0001',
      title: '岭南文化十讲',
      borrowedAt: at(6),
    });
    expect(lent.errors).toBeUndefined();
    const loan = lent.data.recordLibraryLoan;
    expect(loan).toMatchObject({
      cardNumber,
      itemId: 'BC-0001',
      title: '岭南文化十讲',
      borrowedAt: iso(6),
      returnedAt: null,
      venue: { code: 'T-LIB-GZ' },
      holder: { id: holder.id },
    });
    expect(new Date(loan.dueAt).getTime() - new Date(loan.borrowedAt).getTime()).toBe(30 * 86_400_000);

    expect(
      codes(await borrow(hub, { cardNumber, venueCode: 'T-LIB-GZ', itemId: 'BC-0001', title: '岭南文化十讲' })),
    ).toEqual(['ITEM_ON_LOAN']);
    const museum = await borrow(hub, { cardNumber, venueCode: 'T-MUS-SZ', itemId: 'BC-0002', title: '书' });
    expect(museum.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'venueCode' });
    expect(codes(await borrow(hub, { cardNumber, venueCode: 'NO-LIB', itemId: 'BC-0002', title: '书' }))).toEqual([
      'NOT_FOUND',
    ]);
    expect(
      codes(await borrow(hub, { cardNumber: 'Z00000000', venueCode: 'T-LIB-GZ', itemId: 'BC-0002', title: '书' })),
    ).toEqual(['CARD_NOT_FOUND']);

    const k = key();
    const returned = await giveBack(hub, loan.id, k, { returnedAt: at(20) });
    expect(returned.data.returnLibraryLoan).toMatchObject({ id: loan.id, returnedAt: iso(20), overdue: false });
    // A retry of the same return is the same answer; a second return is refused.
    expect((await giveBack(hub, loan.id, k, { returnedAt: at(20) })).data).toEqual(returned.data);
    const twice = await giveBack(hub, loan.id);
    expect(codes(twice)).toEqual(['LOAN_ALREADY_RETURNED']);
    expect(codes(await giveBack(hub, '00000000-0000-4000-8000-000000000000'))).toEqual(['NOT_FOUND']);
    expect(codes(await giveBack(hub, 'not-an-id'))).toEqual(['BAD_USER_INPUT']);

    // Back on the shelf, the copy can go out again.
    const again = await borrow(hub, {
      cardNumber,
      venueCode: 'T-LIB-GZ',
      itemId: 'BC-0001',
      title: '岭南文化十讲',
      borrowedAt: at(21),
    });
    expect(again.errors).toBeUndefined();
    const loans = await hub.ok(
      `query($n: String!) { holderByCard(cardNumber: $n) { libraryLoans { nodes { id returnedAt } pageInfo { hasNextPage } } } }`,
      { n: cardNumber },
    );
    expect(loans.holderByCard.libraryLoans).toEqual({
      nodes: [
        { id: again.data.recordLibraryLoan.id, returnedAt: null },
        { id: loan.id, returnedAt: iso(20) },
      ],
      pageInfo: { hasNextPage: false },
    });
  });

  it('refuses a loan on a card that is not usable, and replays a loan without lending twice', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const input = {
      cardNumber,
      venueCode: 'T-LIB-GZ',
      itemId: 'BC-1000',
      title: '围城',
      borrowedAt: at(7),
      dueAt: at(8),
    };
    const k = key();
    const first = await borrow(hub, input, k);
    expect((await borrow(hub, input, k)).data).toEqual(first.data);
    expect(codes(await borrow(hub, { ...input, itemId: 'BC-1001' }, k))).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    expect(first.data.recordLibraryLoan.overdue).toBe(true);

    expect((await cardStep(hub, 'reportCardLoss', cardNumber)).errors).toBeUndefined();
    const lost = await borrow(hub, { ...input, itemId: 'BC-1002' });
    expect(codes(lost)).toEqual(['CARD_NOT_USABLE']);
    expect(lost.errors![0]!.extensions).toMatchObject({ status: 'LOST' });
    const count = await hub.rows<{ n: number }>(
      sql`select count(*)::int as n from culture_tourism.library_loans where card_number = ${cardNumber}`,
    );
    expect(count[0]!.n).toBe(1);
  });
});

describe('hostile and odd input, refused before it reaches the database', () => {
  const loanCount = async (hub: TestHub) =>
    (await hub.rows<{ n: number }>(sql`select count(*)::int as n from culture_tourism.library_loans`))[0]!.n;
  const venueCount = async (hub: TestHub) =>
    (await hub.rows<{ n: number }>(sql`select count(*)::int as n from culture_tourism.venues`))[0]!.n;
  /** BAD_USER_INPUT naming `field`, with a message that neither carries control characters nor runs long. */
  const expectBadInput = (
    result: { errors?: { message: string; extensions?: Record<string, unknown> }[] },
    field: string,
  ) => {
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(result.errors![0]!.message).not.toMatch(/[\u0000-\u001f]/);
    expect(result.errors![0]!.message.length).toBeLessThan(200);
  };

  it('refuses free text with a NUL byte (loan title and item, venue name)', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const loans = await loanCount(hub);
    const venues = await venueCount(hub);
    expectBadInput(
      await borrow(hub, { cardNumber, venueCode: 'T-LIB-GZ', itemId: 'BC-N1', title: '围\u0000城' }),
      'title',
    );
    expectBadInput(
      await borrow(hub, { cardNumber, venueCode: 'T-LIB-GZ', itemId: 'BC\u0000N1', title: '围城' }),
      'itemId',
    );
    expectBadInput(
      await registerVenue(hub, { code: 'T-NUL', name: '测试\u0000馆', kind: 'MUSEUM', city: '440100' }),
      'name',
    );
    expect([await loanCount(hub), await venueCount(hub)]).toEqual([loans, venues]);
  });

  it.for([
    '0000-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '-271821-04-20T00:00:00Z',
    '1899-12-31T23:59:59Z',
    '2025-05-01T24:00:00+08:00',
    '2025-05-01T10:00:00+15:00',
  ])('refuses the instant %s as an admission, borrowing, due or return time', async (instant, { hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const batch = await recordAdmissions(hub, [
      { cardNumber, venueCode: 'T-MUS-SZ', admittedAt: instant },
      { cardNumber, venueCode: 'T-MUS-SZ', admittedAt: at(1) },
    ]);
    expect(batch.errors).toBeUndefined();
    expect(batch.data.recordAdmissions).toMatchObject({ recorded: 1, refused: 1 });
    expect(batch.data.recordAdmissions.results[0].error).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'admissions[0].admittedAt',
    });
    const loans = await loanCount(hub);
    expectBadInput(
      await borrow(hub, { cardNumber, venueCode: 'T-LIB-GZ', itemId: 'BC-T1', title: '书', borrowedAt: instant }),
      'borrowedAt',
    );
    expectBadInput(
      await borrow(hub, {
        cardNumber,
        venueCode: 'T-LIB-GZ',
        itemId: 'BC-T1',
        title: '书',
        borrowedAt: at(1),
        dueAt: instant,
      }),
      'dueAt',
    );
    expect(await loanCount(hub)).toBe(loans);
    const lent = await borrow(hub, {
      cardNumber,
      venueCode: 'T-LIB-GZ',
      itemId: `BC-T-${++run}`,
      title: '书',
      borrowedAt: at(1),
    });
    expectBadInput(await giveBack(hub, lent.data.recordLibraryLoan.id, key(), { returnedAt: instant }), 'returnedAt');
    expect((await giveBack(hub, lent.data.recordLibraryLoan.id)).data.returnLibraryLoan.returnedAt).not.toBeNull();
  });

  it('takes a due time in the future, but not a borrowing or return time', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    expectBadInput(
      await borrow(hub, { cardNumber, venueCode: 'T-LIB-GZ', itemId: 'BC-F1', title: '书', borrowedAt: tomorrow }),
      'borrowedAt',
    );
    const lent = await borrow(hub, {
      cardNumber,
      venueCode: 'T-LIB-GZ',
      itemId: 'BC-F1',
      title: '书',
      dueAt: '2099-12-31T23:59:59+08:00',
    });
    expect(lent.data.recordLibraryLoan.dueAt).toBe('2099-12-31T15:59:59.000Z');
    expectBadInput(await giveBack(hub, lent.data.recordLibraryLoan.id, key(), { returnedAt: tomorrow }), 'returnedAt');
  });

  it('checks venue codes and loan ids before looking them up', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    expectBadInput(await hub.query(`query($c: String!) { venue(code: $c) { name } }`, { c: 'T-LIB\u0000GZ' }), 'code');
    expectBadInput(
      await hub.query(`query($c: String!) { venue(code: $c) { name } }`, { c: 'T'.repeat(100_000) }),
      'code',
    );
    const batch = await recordAdmissions(hub, [
      { cardNumber, venueCode: 'T-MUS\u0000SZ', admittedAt: at(1) },
      { cardNumber, venueCode: 'T-MUS-SZ', admittedAt: at(1) },
    ]);
    expect(batch.errors).toBeUndefined();
    expect(batch.data.recordAdmissions.results.map((r: any) => r.error?.field ?? null)).toEqual([
      'admissions[0].venueCode',
      null,
    ]);
    expectBadInput(
      await borrow(hub, { cardNumber, venueCode: 'T-LIB\u0000GZ', itemId: 'BC-V1', title: '书' }),
      'venueCode',
    );
    expectBadInput(await giveBack(hub, '\u0000'.repeat(36)), 'loanId');
    expect(codes(await giveBack(hub, '00000000-0000-4000-8000-00000000000\u0000'))).toEqual(['BAD_USER_INPUT']);
  });

  it('pages nothing for a holder id that cannot be hr’s, asked of the subgraph directly', async ({ hub }) => {
    const subgraph = hub.subgraphs.find((s) => s.name === 'culture-tourism')!;
    const { body } = await callSubgraph(subgraph.url, {
      query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Holder { venueAdmissions { nodes { id } } libraryLoans { nodes { id } } } } }`,
      variables: {
        r: [
          { __typename: 'Holder', id: 'not-a-uuid' },
          { __typename: 'Holder', id: '\u0000' },
        ],
      },
    });
    expect(body.errors).toBeUndefined();
    const empty = { venueAdmissions: { nodes: [] }, libraryLoans: { nodes: [] } };
    expect(body.data._entities).toEqual([empty, empty]);
  });

  it('echoes a row’s input in its refusal only cut short and without control characters, so the batch is stored', async ({
    hub,
  }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const k = key();
    const admissions = [
      { cardNumber: `Z\u0000${'1'.repeat(7)}`, venueCode: 'T-MUS-SZ', admittedAt: at(1) },
      { cardNumber: 'Z'.repeat(100_000), venueCode: 'T-MUS-SZ', admittedAt: at(1) },
      { cardNumber, venueCode: `V\u0000${'X'.repeat(10_000)}`, admittedAt: at(1) },
      { cardNumber, venueCode: 'T-MUS-SZ', admittedAt: at(1) },
    ];
    const first = await recordAdmissions(hub, admissions, k);
    expect(first.errors).toBeUndefined();
    const batch = first.data.recordAdmissions;
    expect([batch.recorded, batch.refused]).toEqual([1, 3]);
    for (const r of batch.results.slice(0, 3)) {
      expect(r.error.code).toBe('BAD_USER_INPUT');
      expect(r.error.message).not.toMatch(/[\u0000-\u001f]/);
      expect(r.error.message.length).toBeLessThan(200);
    }
    expect((await recordAdmissions(hub, admissions, k)).data).toEqual(first.data);
  });

  it('quotes a city code it refuses', async ({ hub }) => {
    expectBadInput(
      await registerVenue(hub, {
        code: 'T-CITY',
        name: '测试馆',
        kind: 'MUSEUM',
        city: `44\u0000${'0'.repeat(100_000)}`,
      }),
      'city',
    );
    expectBadInput(await hub.query(`query($c: String) { venues(city: $c) { code } }`, { c: '44\u00000100' }), 'city');
  });
});

describe('replays', () => {
  it('treats the same loan, its times written in another offset and its text padded, as the same request', async ({
    hub,
  }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const k = key();
    const first = await borrow(
      hub,
      { cardNumber, venueCode: 'T-LIB-GZ', itemId: 'BC-2000', title: '红楼梦', borrowedAt: at(9), dueAt: at(23) },
      k,
    );
    expect(first.errors).toBeUndefined();
    const again = await borrow(
      hub,
      {
        cardNumber: cardNumber.toLowerCase(),
        venueCode: ' t-lib-gz',
        itemId: 'BC-2000 ',
        title: ' 红楼梦',
        borrowedAt: iso(9),
        dueAt: '2025-05-23T04:00:00.000+02:00',
      },
      k,
    );
    expect(again.errors).toBeUndefined();
    expect(again.data).toEqual(first.data);
    expect(
      codes(
        await borrow(
          hub,
          { cardNumber, venueCode: 'T-LIB-GZ', itemId: 'BC-2000', title: '红楼梦', borrowedAt: at(9), dueAt: at(24) },
          k,
        ),
      ),
    ).toEqual(['IDEMPOTENCY_KEY_REUSED']);
    const count = await hub.rows<{ n: number }>(
      sql`select count(*)::int as n from culture_tourism.library_loans where card_number = ${cardNumber}`,
    );
    expect(count[0]!.n).toBe(1);

    const back = key();
    const returned = await giveBack(hub, first.data.recordLibraryLoan.id, back, { returnedAt: at(20) });
    expect(
      (await giveBack(hub, first.data.recordLibraryLoan.id.toUpperCase(), back, { returnedAt: iso(20) })).data,
    ).toEqual(returned.data);
  });

  it('returns the first outcome of a batch replayed after the card was reported lost', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const k = key();
    const admissions = [
      { cardNumber, venueCode: 'T-SCN-DG', admittedAt: at(15) },
      { cardNumber: 'Z00000000', venueCode: 'T-SCN-DG', admittedAt: at(15) },
    ];
    const first = await recordAdmissions(hub, admissions, k);
    expect(first.data.recordAdmissions).toMatchObject({ recorded: 1, refused: 1 });
    expect((await cardStep(hub, 'reportCardLoss', cardNumber)).errors).toBeUndefined();
    const replay = await recordAdmissions(hub, admissions, k);
    expect(replay).toEqual(first);
    // A new key now sees the lost card.
    const fresh = await recordAdmissions(hub, admissions.slice(0, 1));
    expect(fresh.data.recordAdmissions.results[0].error).toMatchObject({ code: 'CARD_NOT_USABLE' });
    expect((await admissionsOf(hub, cardNumber)).nodes).toHaveLength(1);
  });
});

describe('demo data and batching', () => {
  const idNumbers = async (hub: TestHub, n: number) =>
    (await hub.rows<{ id_number: string }>(sql`select id_number from hr.holders order by id_number limit ${n}`)).map(
      (r) => r.id_number,
    );

  it('seeds venues of every kind in all 21 cities, and admissions only on ACTIVE cards', async ({ hub }) => {
    const venues = await hub.ok(`{ venues { code city kind } }`);
    const seeded = venues.venues.filter((v: any) => !v.code.startsWith('T-'));
    expect(seeded.length).toBeGreaterThanOrEqual(40);
    expect(new Set(seeded.map((v: any) => v.city))).toEqual(new Set(CITY_CODES));
    expect(new Set(seeded.map((v: any) => v.kind))).toEqual(
      new Set(['LIBRARY', 'MUSEUM', 'SCENIC_SPOT', 'SPORTS_FACILITY']),
    );
    expect(
      await hub.rows(
        sql`select 1 from culture_tourism.admissions a join culture_tourism.venues v on v.id = a.venue_id where v.code not like 'T-%' limit 1`,
      ),
    ).toHaveLength(1);
    // Seeded admissions and loans sit on cards that were ACTIVE (tests since then only add their own cards).
    expect(
      await hub.rows(sql`select 1 from culture_tourism.admissions a join culture_tourism.venues v on v.id = a.venue_id
      join hr.cards c on c.card_number = a.card_number where v.code not like 'T-%' and c.status <> 'ACTIVE'`),
    ).toEqual([]);
    expect(
      await hub.rows(sql`select 1 from culture_tourism.admissions a join culture_tourism.venues v on v.id = a.venue_id
      where a.city <> v.city`),
    ).toEqual([]);
    expect(
      await hub.rows(
        sql`select 1 from culture_tourism.library_loans l join culture_tourism.venues v on v.id = l.venue_id where v.kind <> 'LIBRARY'`,
      ),
    ).toEqual([]);
  });

  it('grants a seeded concession only on a certificate valid that day', async ({ hub }) => {
    const hasCivilAffairs = hub.subgraphs.some((s) => s.name === 'civil-affairs');
    const unjustified =
      await hub.rows(sql`select 1 from culture_tourism.admissions a join culture_tourism.venues v on v.id = a.venue_id
      where v.code not like 'T-%' and a.concession <> 'NONE' and ${
        hasCivilAffairs
          ? sql`not exists (
        select 1 from civil_affairs.certificates c where c.holder_id = a.holder_id and c.kind::text = a.concession::text and c.status = 'VALID'
          and c.valid_from <= (a.admitted_at at time zone 'Asia/Shanghai')::date
          and (c.valid_until is null or c.valid_until >= (a.admitted_at at time zone 'Asia/Shanghai')::date))`
          : sql`true`
      }`);
    expect(unjustified).toEqual([]);
    // Among 100 demo holders some are elderly, disabled or veterans with a certificate, and get their concession.
    const granted =
      await hub.rows(sql`select 1 from culture_tourism.admissions a join culture_tourism.venues v on v.id = a.venue_id
      where a.concession <> 'NONE' and v.code not like 'T-%' limit 1`);
    expect(granted).toHaveLength(hasCivilAffairs ? 1 : 0);
  });

  it('leaves seeded data as it is when seeded again', async ({ hub }) => {
    const lines: string[] = [];
    const database = hub.databases[0]!.database;
    await seedCultureTourism(database, {
      holders: SEED_HOLDERS,
      log: (l) => lines.push(l),
      databaseOf: () => database,
    });
    expect(lines).toEqual(['culture-tourism: venues already present, demo data left as it is']);
  });

  it("issues the same few statements for 100 holders' admissions and loans as for 5", async ({ hub }) => {
    const query = `query($ids: [String!]!) { holders(idNumbers: $ids) { id
      venueAdmissions(first: 3) { nodes { concession venue { name city } } pageInfo { hasNextPage } }
      libraryLoans { nodes { title venue { name } } } } }`;
    const statementsFor = async (ids: string[]) => {
      const { result: data, bySubgraph } = await hub.countStatements(() => hub.ok(query, { ids }));
      expect(data.holders).toHaveLength(ids.length);
      return { count: bySubgraph['culture-tourism']!, holders: data.holders };
    };
    const all = await idNumbers(hub, SEED_HOLDERS);
    expect(all).toHaveLength(SEED_HOLDERS);
    const few = await statementsFor(all.slice(0, 5));
    const many = await statementsFor(all);
    expect(many.holders.some((h: any) => h.venueAdmissions.nodes.length > 0)).toBe(true);
    expect(many.holders.some((h: any) => h.libraryLoans.nodes.length > 0)).toBe(true);
    // The admissions and the loans, each with its venue, in one statement, however many holders.
    expect(few.count).toBe(1);
    expect(many.count).toBe(1);
  });
});
