// An operation's variables as the audit record keeps them: enough to see what was asked (which card, which city,
// which page), never a usable identifier. The audit trail is read by governance staff and shown to holders; it must
// not become a second copy of the data it watches over (PIPL Art 51).
//
// - identifiers by name: ID numbers as the policy masks them (440106********1234), phone numbers (138****5678),
//   account and card numbers down to their last four;
// - free text that may hold health or personal detail (names, diagnoses, summaries, reasons, titles, departments):
//   starred whole;
// - any other string is kept only when it has the shape of something that identifies nobody (an enum value, a
//   date or time, a city or division code, an amount, a UUID such as a holder's opaque id or an idempotency key, a
//   short institution or venue code); a card number under another name keeps its last four; the rest is starred.
//   Variable names are the client's choice, so names alone cannot be trusted to find what must be hidden.
// Strings are also made storable: PostgreSQL refuses NUL characters and unpaired surrogates, and one such record
// would fail the insert of every record batched with it.
import { applyMask, type Mask } from '../../schema/policy/masks.js';

const BY_NAME = new Map<string, Mask | 'REDACT'>(
  Object.entries({
    idnumber: 'ID_NUMBER',
    idnumbers: 'ID_NUMBER',
    phone: 'PHONE',
    phonenumber: 'PHONE',
    mobile: 'PHONE',
    accountnumber: 'LAST4',
    bankaccount: 'LAST4',
    cardnumber: 'LAST4',
    cardnumbers: 'LAST4',
    name: 'REDACT',
    summary: 'REDACT',
    diagnoses: 'REDACT',
    reason: 'REDACT',
    title: 'REDACT',
    department: 'REDACT',
  } as const),
);

/** Nesting beyond this is cut: variables are JSON from a request body of at most 2 MB, but need not be shallow. */
const MAX_DEPTH = 32;

const DIGIT_RUN = /\d{12,}/;
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A string PostgreSQL stores as given (text and jsonb), so its hash reads back the same. */
export const storable = (value: string): string => value.replace(UNSTORABLE, '\uFFFD');

const redact = (text: string) => '*'.repeat(Math.min(Array.from(text).length, 8));

/** Shapes that identify nobody. */
const HARMLESS = [
  /^[A-Z][A-Z_]{0,39}$/, // enum values: METRO, COUNTER, TERTIARY_A
  /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/, // dates and times
  /^\d{6}$/, // city and division codes
  /^-?\d{1,9}(\.\d{1,2})?$/, // amounts, counts
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, // opaque ids, idempotency keys
  /^[A-Z][A-Z0-9-]{5,23}$/, // institution and venue codes (H44010090001, T-MUS-SZ); shorter ones may be diagnoses (B20)
];
const CARD_NUMBER = /^[A-Z]\d{8}$/i;

const ID_NUMBER = /^\d{17}[\dXx]$/;
const MOBILE = /^1\d{10}$/;

function maskUnnamed(text: string): string {
  // Identifiers under other names are masked as the policy masks them, so the record still tells them apart.
  if (ID_NUMBER.test(text)) return applyMask('ID_NUMBER', text) as string;
  if (MOBILE.test(text)) return applyMask('PHONE', text) as string;
  if (CARD_NUMBER.test(text)) return applyMask('LAST4', text) as string;
  if (DIGIT_RUN.test(text)) return redact(text); // an ID, phone or account number under a code's shape
  return HARMLESS.some((shape) => shape.test(text)) ? text : redact(text);
}

function maskValue(value: unknown, rule: Mask | 'REDACT' | undefined, depth: number): unknown {
  if (typeof value === 'string') {
    const text = storable(value);
    if (rule === 'REDACT') return redact(text);
    return rule ? (applyMask(rule, text) as string) : maskUnnamed(text);
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return null;
  // A list takes its name's rule item by item (idNumbers, diagnoses).
  if (Array.isArray(value)) return value.map((item) => maskValue(item, rule, depth + 1));
  const masked: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value))
    masked[storable(key)] = maskValue(member, BY_NAME.get(key.toLowerCase()) ?? rule, depth + 1);
  return masked;
}

/** The variables to record; `{}` when there are none. */
export function maskVariables(variables: Record<string, unknown> | null | undefined): Record<string, unknown> {
  if (!variables || typeof variables !== 'object' || Array.isArray(variables)) return {};
  return maskValue(variables, undefined, 0) as Record<string, unknown>;
}
