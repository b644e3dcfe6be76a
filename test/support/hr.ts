// HR operations the tests perform through the gateway, as a counter clerk's system would.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestHub } from './hub.js';
import { idNumber, randomBirth } from './identities.js';

export const CARD_FIELDS = `cardNumber identificationCode kind status lossKind lossLapsesAt issuingAuthority issuedOn expiresOn
  physicalCard { cardNumber } replacedBy { cardNumber } bankAccount { accountNumber bank { code } }
  events { type fromStatus toStatus channel city }`;

export const counter = (city = '440100') => ({ channel: 'COUNTER', city });

/** A fresh idempotency key: every hr write takes one. */
export const key = () => randomUUID();

export async function registerHolder(hub: TestHub, overrides: Record<string, unknown> = {}) {
  const data = await hub.ok(
    `mutation($input: RegisterHolderInput!) { registerHolder(input: $input) { id idNumber name registeredCity gender birthDate } }`,
    {
      input: {
        idempotencyKey: key(),
        idType: 'RESIDENT_ID',
        idNumber: idNumber('440106', randomBirth()),
        name: '陈小明',
        registeredCity: '440100',
        phone: '13800138000',
        ...overrides,
      },
    },
  );
  return data.registerHolder as { id: string; idNumber: string; name: string };
}

export async function registerBank(hub: TestHub, code: string) {
  const result = await hub.query(`mutation($input: RegisterBankInput!) { registerBank(input: $input) { code } }`, {
    input: { idempotencyKey: key(), code, name: `${code} 银行` },
  });
  expect(result.errors?.[0]?.message ?? '').not.toMatch(/internal/i);
}

export async function cardStep(
  hub: TestHub,
  mutation: string,
  cardNumber: string,
  extra: Record<string, unknown> = {},
  city = '440100',
) {
  const selection =
    mutation === 'replaceCard'
      ? `{ replaced { ${CARD_FIELDS} } replacement { ${CARD_FIELDS} } }`
      : `{ ${CARD_FIELDS} }`;
  const inputType = mutation === 'reportCardLoss' ? 'ReportCardLossInput' : 'CardStepInput';
  return hub.query(`mutation($input: ${inputType}!) { ${mutation}(input: $input) ${selection} }`, {
    input: { idempotencyKey: key(), cardNumber, servedAt: counter(city), ...extra },
  });
}

/** A holder with an ACTIVE physical card, linked to an account at `bank`. */
export async function holderWithActiveCard(hub: TestHub, bank = 'ICBC') {
  const holder = await registerHolder(hub);
  const applied = await hub.ok(
    `mutation($input: ApplyForCardInput!) { applyForCard(input: $input) { cardNumber status } }`,
    {
      input: {
        idempotencyKey: key(),
        idNumber: holder.idNumber,
        servedAt: counter(),
        bankCode: bank,
        accountNumber: '6217000012345678901',
      },
    },
  );
  const issued = await cardStep(hub, 'issueCard', applied.applyForCard.cardNumber);
  expect(issued.errors).toBeUndefined();
  return { holder, cardNumber: applied.applyForCard.cardNumber as string };
}
