// The card's life through the real gateway over the real HR subgraph and database (Art 5).
import { sql } from 'drizzle-orm';
import { describe, expect } from 'vitest';
import { lapseLossReports } from '../../subgraphs/hr/card-commands.js';
import { hubTest } from '../support/fixtures.js';
import { codes, type TestHub } from '../support/hub.js';
import {
  CARD_FIELDS,
  cardStep,
  counter,
  holderWithActiveCard,
  key,
  registerBank,
  registerHolder,
} from '../support/hr.js';

const it = hubTest();
const db = (hub: TestHub) => hub.databases[0]!.database.db;

it.beforeAll(async ({ hub }) => {
  for (const bank of ['ICBC', 'CCB']) await registerBank(hub, bank);
});

describe('a card from application to replacement', () => {
  it('registers, applies, issues, loses, replaces, and finds the holder by the new card number', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const applied = await hub.ok(
      `mutation($input: ApplyForCardInput!) { applyForCard(input: $input) { ${CARD_FIELDS} } }`,
      {
        input: {
          idempotencyKey: key(),
          idNumber: holder.idNumber,
          servedAt: { channel: 'WEBSITE', city: '440300' },
          bankCode: 'ICBC',
          accountNumber: '6217000012345678901',
        },
      },
    );
    const card = applied.applyForCard;
    expect(card).toMatchObject({
      kind: 'PHYSICAL',
      status: 'APPLIED',
      issuingAuthority: '440300',
      bankAccount: { bank: { code: 'ICBC' } },
    });
    expect(card.cardNumber).toMatch(/^[A-Z]\d{8}$/);
    expect(card.identificationCode).toMatch(/^440300D156000005[0-9A-F]{16}$/);

    const issued = await cardStep(hub, 'issueCard', card.cardNumber);
    expect(issued.data.issueCard).toMatchObject({ status: 'ACTIVE' });
    expect(issued.data.issueCard.expiresOn.slice(0, 4)).toBe(
      String(Number(issued.data.issueCard.issuedOn.slice(0, 4)) + 10),
    );

    const lost = await cardStep(hub, 'reportCardLoss', card.cardNumber, { kind: 'FORMAL' });
    expect(lost.data.reportCardLoss).toMatchObject({ status: 'LOST', lossKind: 'FORMAL', lossLapsesAt: null });

    // Any city may serve any holder (Art 4): the replacement happens in Shenzhen's neighbour Dongguan.
    const replaced = await cardStep(hub, 'replaceCard', card.cardNumber, {}, '441900');
    const { replaced: old, replacement } = replaced.data.replaceCard;
    expect(old).toMatchObject({ status: 'REPLACED', replacedBy: { cardNumber: replacement.cardNumber } });
    expect(replacement).toMatchObject({
      status: 'ACTIVE',
      kind: 'PHYSICAL',
      issuingAuthority: '441900',
      bankAccount: { bank: { code: 'ICBC' } },
    });
    expect(old.events.map((e: any) => [e.type, e.channel, e.city])).toEqual([
      ['APPLIED', 'WEBSITE', '440300'],
      ['ISSUED', 'COUNTER', '440100'],
      ['LOSS_REPORTED', 'COUNTER', '440100'],
      ['REPLACED', 'COUNTER', '441900'],
    ]);

    const found = await hub.ok(
      `query($n: String!) { holderByCard(cardNumber: $n) { id name cards { cardNumber status } } }`,
      { n: replacement.cardNumber },
    );
    expect(found.holderByCard).toMatchObject({ id: holder.id, name: holder.name });
    expect(found.holderByCard.cards).toEqual(
      expect.arrayContaining([
        { cardNumber: replacement.cardNumber, status: 'ACTIVE' },
        { cardNumber: card.cardNumber, status: 'REPLACED' },
      ]),
    );
    const byOldNumber = await hub.ok(`query($n: String!) { card(cardNumber: $n) { status holder { id } } }`, {
      n: card.cardNumber,
    });
    expect(byOldNumber.card).toEqual({ status: 'REPLACED', holder: { id: holder.id } });
  });

  it('mirrors the physical card on the electronic card, which follows a replacement', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const ecard = await hub.ok(
      `mutation($input: IssueElectronicCardInput!) { issueElectronicCard(input: $input) { ${CARD_FIELDS} } }`,
      {
        input: { idempotencyKey: key(), idNumber: holder.idNumber, servedAt: { channel: 'MOBILE', city: '440600' } },
      },
    );
    expect(ecard.issueElectronicCard).toMatchObject({
      kind: 'ELECTRONIC',
      status: 'ACTIVE',
      physicalCard: { cardNumber },
    });
    const e = ecard.issueElectronicCard.cardNumber;
    expect(e).toMatch(/^E\d{8}$/);

    await cardStep(hub, 'reportCardLoss', cardNumber);
    const whileLost = await hub.ok(
      `query($n: String!) { card(cardNumber: $n) { status lossKind } holderByCard(cardNumber: $n) { id } }`,
      { n: e },
    );
    expect(whileLost).toEqual({ card: { status: 'LOST', lossKind: 'TEMPORARY' }, holderByCard: { id: holder.id } });

    const replaced = await cardStep(hub, 'replaceCard', cardNumber);
    const replacement = replaced.data.replaceCard.replacement.cardNumber;
    const after = await hub.ok(`query($n: String!) { card(cardNumber: $n) { status physicalCard { cardNumber } } }`, {
      n: e,
    });
    expect(after.card).toEqual({ status: 'ACTIVE', physicalCard: { cardNumber: replacement } });

    const second = await hub.query(
      `mutation($input: IssueElectronicCardInput!) { issueElectronicCard(input: $input) { cardNumber } }`,
      {
        input: { idempotencyKey: key(), idNumber: holder.idNumber, servedAt: counter() },
      },
    );
    expect(codes(second)).toEqual(['ACTIVE_CARD_EXISTS']);
  });

  it('refuses an electronic card without an active physical card', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const result = await hub.query(
      `mutation($input: IssueElectronicCardInput!) { issueElectronicCard(input: $input) { cardNumber } }`,
      {
        input: { idempotencyKey: key(), idNumber: holder.idNumber, servedAt: counter() },
      },
    );
    expect(codes(result)).toEqual(['ILLEGAL_CARD_TRANSITION']);
  });
});

describe('illegal steps are refused with a stable code', () => {
  it('refuses a loss report on a cancelled card', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    expect((await cardStep(hub, 'cancelCard', cardNumber)).data.cancelCard.status).toBe('CANCELLED');
    const result = await cardStep(hub, 'reportCardLoss', cardNumber);
    expect(codes(result)).toEqual(['ILLEGAL_CARD_TRANSITION']);
    expect(result.errors![0]!.message).toContain('cancelled');
    expect(result.errors![0]!.extensions).toMatchObject({ cardNumber, status: 'CANCELLED' });
  });

  it('refuses replacing a card twice', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    expect((await cardStep(hub, 'replaceCard', cardNumber)).errors).toBeUndefined();
    expect(codes(await cardStep(hub, 'replaceCard', cardNumber))).toEqual(['ILLEGAL_CARD_TRANSITION']);
  });

  it('refuses a second live physical card', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const result = await hub.query(
      `mutation($input: ApplyForCardInput!) { applyForCard(input: $input) { cardNumber } }`,
      {
        input: { idempotencyKey: key(), idNumber: holder.idNumber, servedAt: counter() },
      },
    );
    expect(codes(result)).toEqual(['ACTIVE_CARD_EXISTS']);
    expect(result.errors![0]!.extensions).toEqual({ code: 'ACTIVE_CARD_EXISTS', status: 'ACTIVE', serviceName: 'hr' });
    // An ID number alone must not lead to the card, and through it to the holder's data.
    expect(JSON.stringify(result.errors)).not.toContain(cardNumber);
  });

  it('says CARD_NOT_FOUND for an unknown card and BAD_USER_INPUT for a malformed number', async ({ hub }) => {
    expect(codes(await cardStep(hub, 'reportCardLoss', 'Z00000000'))).toEqual(['CARD_NOT_FOUND']);
    expect(codes(await cardStep(hub, 'issueCard', '12345'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await hub.query(`{ card(cardNumber: "Z00000000") { status } }`))).toEqual(['CARD_NOT_FOUND']);
    expect(codes(await hub.query(`{ holderByCard(cardNumber: "Z00000000") { id } }`))).toEqual(['CARD_NOT_FOUND']);
  });

  it('refuses a service city outside Guangdong', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const result = await cardStep(hub, 'reportCardLoss', cardNumber, {}, '110100');
    expect(codes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0]!.extensions!.field).toBe('servedAt.city');
  });
});

describe('concurrent steps on one card', () => {
  it('lets exactly one of parallel loss reports succeed', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => cardStep(hub, 'reportCardLoss', cardNumber, { kind: 'FORMAL' })),
    );
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.flatMap(codes).filter((c) => c !== undefined)).toEqual(Array(7).fill('ILLEGAL_CARD_TRANSITION'));
    const history = await hub.ok(`query($n: String!) { card(cardNumber: $n) { events { type } } }`, { n: cardNumber });
    expect(history.card.events.filter((e: any) => e.type === 'LOSS_REPORTED')).toHaveLength(1);
  });

  it('lets exactly one of parallel replacements succeed, leaving one live card', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const results = await Promise.all(Array.from({ length: 6 }, () => cardStep(hub, 'replaceCard', cardNumber)));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.flatMap(codes).filter((c) => c !== undefined)).toEqual(Array(5).fill('ILLEGAL_CARD_TRANSITION'));
    const cards = await hub.ok(`query($id: String!) { holder(idNumber: $id) { cards { status } } }`, {
      id: holder.idNumber,
    });
    expect(cards.holder.cards.map((c: any) => c.status).sort()).toEqual(['ACTIVE', 'REPLACED']);
  });

  it('lets exactly one of parallel applications for one holder succeed', async ({ hub }) => {
    const holder = await registerHolder(hub);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        hub.query(`mutation($input: ApplyForCardInput!) { applyForCard(input: $input) { cardNumber } }`, {
          input: {
            idempotencyKey: key(),
            idNumber: holder.idNumber,
            servedAt: counter(),
            bankCode: 'ICBC',
            accountNumber: '6217000012345678901',
          },
        }),
      ),
    );
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.flatMap(codes).filter((c) => c !== undefined)).toEqual(Array(5).fill('ACTIVE_CARD_EXISTS'));
  });

  it('queues different commands on one holder instead of deadlocking, and keeps the new card on the open account', async ({
    hub,
  }) => {
    for (let round = 0; round < 5; round++) {
      const { holder, cardNumber } = await holderWithActiveCard(hub, 'ICBC');
      const results = await Promise.all([
        cardStep(hub, 'replaceCard', cardNumber),
        hub.query(`mutation($input: SwitchBankInput!) { switchBank(input: $input) { accountNumber } }`, {
          input: {
            idempotencyKey: key(),
            idNumber: holder.idNumber,
            bankCode: 'CCB',
            accountNumber: `62270000${String(round).padStart(11, '0')}`,
            servedAt: counter(),
          },
        }),
        hub.query(`mutation($input: IssueElectronicCardInput!) { issueElectronicCard(input: $input) { cardNumber } }`, {
          input: { idempotencyKey: key(), idNumber: holder.idNumber, servedAt: counter() },
        }),
        cardStep(hub, 'reportCardLoss', cardNumber),
      ]);
      // Each either succeeds or is refused for a reason a clerk can read; none fails inside.
      expect(results.flatMap(codes).filter((c) => c === 'INTERNAL_SERVER_ERROR')).toEqual([]);
      const read = await hub.ok(
        `query($id: String!) { holder(idNumber: $id) { bankAccount { bank { code } } cards { kind status bankAccount { bank { code } closedAt } } } }`,
        { id: holder.idNumber },
      );
      expect(read.holder.bankAccount.bank.code).toBe('CCB');
      for (const card of read.holder.cards.filter((c: any) => ['ACTIVE', 'LOST'].includes(c.status))) {
        expect(card.bankAccount).toEqual({ bank: { code: 'CCB' }, closedAt: null });
      }
    }
  });
});

describe('temporary loss reports lapse', () => {
  it('reads as active once the configured days are up, and the sweep records the lapse', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    const lost = await cardStep(hub, 'reportCardLoss', cardNumber);
    const lapsesAt = new Date(lost.data.reportCardLoss.lossLapsesAt).getTime();
    expect(lapsesAt - Date.now()).toBeGreaterThan(5 * 86_400_000 - 60_000); // HR_TEMPORARY_LOSS_DAYS defaults to 5
    // Five days pass: move the lapse time into the past behind the hub's back.
    await db(hub).execute(
      sql`update hr.cards set loss_lapses_at = now() - interval '1 minute' where card_number = ${cardNumber}`,
    );
    const read = await hub.ok(`query($n: String!) { card(cardNumber: $n) { status lossKind } }`, { n: cardNumber });
    expect(read.card).toEqual({ status: 'ACTIVE', lossKind: null });

    expect(await lapseLossReports({ db: db(hub), settings: { temporaryLossDays: 5 } })).toBeGreaterThanOrEqual(1);
    const history = await hub.ok(`query($n: String!) { card(cardNumber: $n) { events { type channel toStatus } } }`, {
      n: cardNumber,
    });
    expect(history.card.events.at(-1)).toEqual({ type: 'LOSS_LAPSED', channel: null, toStatus: 'ACTIVE' });
    // The lapsed card can be reported lost again.
    expect((await cardStep(hub, 'reportCardLoss', cardNumber)).data.reportCardLoss.status).toBe('LOST');
  });

  it('lapses a loss report met by the next step on the card, before that step', async ({ hub }) => {
    const { cardNumber } = await holderWithActiveCard(hub);
    await cardStep(hub, 'reportCardLoss', cardNumber);
    await db(hub).execute(
      sql`update hr.cards set loss_lapses_at = now() - interval '1 minute' where card_number = ${cardNumber}`,
    );
    // Cancelling a report that has already lapsed is refused: the card is active.
    expect(codes(await cardStep(hub, 'cancelCardLossReport', cardNumber))).toEqual(['ILLEGAL_CARD_TRANSITION']);
  });
});

describe('bank accounts (Art 5, 8)', () => {
  it('switches the holder to another bank and relinks the live card', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub, 'ICBC');
    const switched = await hub.ok(
      `mutation($input: SwitchBankInput!) { switchBank(input: $input) { accountNumber bank { code } closedAt } }`,
      {
        input: {
          idempotencyKey: key(),
          idNumber: holder.idNumber,
          bankCode: 'CCB',
          accountNumber: '6227000012345678901',
          servedAt: counter(),
        },
      },
    );
    expect(switched.switchBank).toEqual({
      accountNumber: '6227000012345678901',
      bank: { code: 'CCB' },
      closedAt: null,
    });
    const read = await hub.ok(
      `query($n: String!) { card(cardNumber: $n) { bankAccount { bank { code } } events { type } holder { bankAccount { bank { code } } } } }`,
      { n: cardNumber },
    );
    expect(read.card.bankAccount.bank.code).toBe('CCB');
    expect(read.card.holder.bankAccount.bank.code).toBe('CCB');
    expect(read.card.events.at(-1).type).toBe('BANK_ACCOUNT_CHANGED');

    const again = await hub.query(
      `mutation($input: SwitchBankInput!) { switchBank(input: $input) { accountNumber } }`,
      {
        input: {
          idempotencyKey: key(),
          idNumber: holder.idNumber,
          bankCode: 'CCB',
          accountNumber: '6227000012345678901',
          servedAt: counter(),
        },
      },
    );
    expect(codes(again)).toEqual(['BAD_USER_INPUT']);
    const unknown = await hub.query(
      `mutation($input: SwitchBankInput!) { switchBank(input: $input) { accountNumber } }`,
      {
        input: {
          idempotencyKey: key(),
          idNumber: holder.idNumber,
          bankCode: 'NOPE',
          accountNumber: '6227000012345678901',
          servedAt: counter(),
        },
      },
    );
    expect(codes(unknown)).toEqual(['BANK_NOT_FOUND']);
  });
});

describe('more steps', () => {
  it('cancels a loss report, and cancelling the physical card cancels its electronic card', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const ecard = (
      await hub.ok(
        `mutation($input: IssueElectronicCardInput!) { issueElectronicCard(input: $input) { cardNumber } }`,
        {
          input: { idempotencyKey: key(), idNumber: holder.idNumber, servedAt: counter() },
        },
      )
    ).issueElectronicCard.cardNumber;
    await cardStep(hub, 'reportCardLoss', cardNumber, { kind: 'FORMAL' });
    const back = await cardStep(hub, 'cancelCardLossReport', cardNumber);
    expect(back.data.cancelCardLossReport).toMatchObject({ status: 'ACTIVE', lossKind: null });
    await cardStep(hub, 'cancelCard', cardNumber);
    const e = await hub.ok(`query($n: String!) { card(cardNumber: $n) { status events { type toStatus } } }`, {
      n: ecard,
    });
    expect(e.card.status).toBe('CANCELLED');
    expect(e.card.events.map((x: any) => x.type)).toEqual(['ISSUED', 'LOSS_REPORTED', 'LOSS_CANCELLED', 'CANCELLED']);
  });

  it('lets a lapsed temporary loss reach the electronic card, and records its move to a replacement as RELINKED', async ({
    hub,
  }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const ecard = (
      await hub.ok(
        `mutation($input: IssueElectronicCardInput!) { issueElectronicCard(input: $input) { cardNumber } }`,
        {
          input: { idempotencyKey: key(), idNumber: holder.idNumber, servedAt: counter() },
        },
      )
    ).issueElectronicCard.cardNumber;
    await cardStep(hub, 'reportCardLoss', cardNumber);
    await db(hub).execute(
      sql`update hr.cards set loss_lapses_at = now() - interval '1 minute' where holder_id = ${holder.id}`,
    );
    expect((await hub.ok(`query($n: String!) { card(cardNumber: $n) { status } }`, { n: ecard })).card.status).toBe(
      'ACTIVE',
    );

    const replacement = (await cardStep(hub, 'replaceCard', cardNumber)).data.replaceCard.replacement;
    const moved = await hub.ok(
      `query($n: String!) { card(cardNumber: $n) { status expiresOn issuingAuthority events { type } } }`,
      { n: ecard },
    );
    expect(moved.card).toMatchObject({
      status: 'ACTIVE',
      expiresOn: replacement.expiresOn,
      issuingAuthority: replacement.issuingAuthority,
    });
    expect(moved.card.events.map((x: any) => x.type)).toEqual(['ISSUED', 'LOSS_REPORTED', 'LOSS_LAPSED', 'RELINKED']);
  });

  it('refuses a bank whose agreement is suspended, and an application with no account to link', async ({ hub }) => {
    await registerBank(hub, 'SUSP');
    await db(hub).execute(sql`update hr.banks set agreement_status = 'SUSPENDED' where code = 'SUSP'`);
    const holder = await registerHolder(hub);
    const apply = (extra: Record<string, unknown>) =>
      hub.query(`mutation($input: ApplyForCardInput!) { applyForCard(input: $input) { cardNumber } }`, {
        input: { idempotencyKey: key(), idNumber: holder.idNumber, servedAt: counter(), ...extra },
      });
    expect(codes(await apply({ bankCode: 'SUSP', accountNumber: '6217000012345678901' }))).toEqual([
      'BANK_NOT_COOPERATING',
    ]);
    const noAccount = await apply({});
    expect(noAccount.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'bankCode' });
    expect(codes(await apply({ accountNumber: '6217000012345678901' }))).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses unknown and malformed holders in commands, and control characters in text', async ({ hub }) => {
    const apply = (idNumber: string) =>
      hub.query(`mutation($input: ApplyForCardInput!) { applyForCard(input: $input) { cardNumber } }`, {
        input: {
          idempotencyKey: key(),
          idNumber,
          servedAt: counter(),
          bankCode: 'ICBC',
          accountNumber: '6217000012345678901',
        },
      });
    expect(codes(await apply('11010519491231002X'))).toEqual(['HOLDER_NOT_FOUND']);
    expect(codes(await apply('garbage\u0000'))).toEqual(['BAD_USER_INPUT']);
    const nul = await hub.query(`mutation($input: RegisterHolderInput!) { registerHolder(input: $input) { id } }`, {
      input: {
        idempotencyKey: key(),
        idType: 'HK_MACAU_TRAVEL_PERMIT',
        idNumber: 'H1234567890',
        name: '陈\u0000大文',
        registeredCity: '440300',
        gender: 'MALE',
        birthDate: '1980-01-01',
      },
    });
    expect(nul.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const bank = await hub.query(`mutation($input: SwitchBankInput!) { switchBank(input: $input) { accountNumber } }`, {
      input: {
        idempotencyKey: key(),
        idNumber: '11010519491231002X',
        bankCode: 'IC\u0000BC',
        accountNumber: '6217000012345678901',
        servedAt: counter(),
      },
    });
    expect(codes(bank)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('card history is append-only', () => {
  it('is refused UPDATE and DELETE by the database itself', async ({ hub }) => {
    await holderWithActiveCard(hub);
    const refusal = (e: unknown) => String((e as { cause?: { message?: string } }).cause?.message ?? e);
    for (const statement of [
      sql`update hr.card_events set city = '440300'`,
      sql`delete from hr.card_events`,
      sql`truncate hr.card_events`,
    ]) {
      const error = await db(hub)
        .execute(statement)
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(refusal(error)).toMatch(/hr\.card_events is append-only: (UPDATE|DELETE|TRUNCATE) refused/);
    }
  });
});
