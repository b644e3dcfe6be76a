// An operation's variables as the audit record keeps them: enough to see what was asked (which card, which city,
// which page), never a usable identifier. The audit trail is read by governance staff and shown to holders; it must
// not become a second copy of the data it watches over (PIPL Art 51).
//
// - identifiers by name: ID numbers as the policy masks them (440106********1234), phone numbers (138****5678),
//   account and card numbers down to their last four;
// - free text that may hold health or personal detail (names, diagnoses, summaries, reasons, titles, departments):
//   starred whole;
// - anywhere else, any run of 11 or more digits (an ID, phone or account number under another name, or inside
//   free text) is masked the same way.
// Strings are also made storable: PostgreSQL refuses NUL characters and unpaired surrogates, and one such record
// would fail the insert of every record batched with it.
import { applyMask, type Mask } from '../policy/masks.js';

const BY_NAME = new Map<string, Mask | 'REDACT'>(Object.entries({
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
} as const));

/** Nesting beyond this is cut: variables are JSON from a request body of at most 2 MB, but need not be shallow. */
const MAX_DEPTH = 32;

const DIGIT_RUN = /\d{17}[\dXx]|\d{11,}/g;
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A string PostgreSQL stores as given (text and jsonb), so its hash reads back the same. */
export const storable = (value: string): string => value.replace(UNSTORABLE, '\uFFFD');

const maskRuns = (value: string): string =>
  value.replace(DIGIT_RUN, (run) => applyMask(run.length === 18 ? 'ID_NUMBER' : run.length === 11 && run.startsWith('1') ? 'PHONE' : 'LAST4', run) as string);

function maskValue(value: unknown, rule: Mask | 'REDACT' | undefined, depth: number): unknown {
  if (typeof value === 'string') {
    const text = storable(value);
    if (rule === 'REDACT') return '*'.repeat(Math.min(Array.from(text).length, 8));
    return rule ? (applyMask(rule, text) as string) : maskRuns(text);
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return null;
  // A list takes its name's rule item by item (idNumbers, diagnoses).
  if (Array.isArray(value)) return value.map((item) => maskValue(item, rule, depth + 1));
  const masked: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) masked[storable(key)] = maskValue(member, BY_NAME.get(key.toLowerCase()) ?? rule, depth + 1);
  return masked;
}

/** The variables to record; `{}` when there are none. */
export function maskVariables(variables: Record<string, unknown> | null | undefined): Record<string, unknown> {
  if (!variables || typeof variables !== 'object' || Array.isArray(variables)) return {};
  return maskValue(variables, undefined, 0) as Record<string, unknown>;
}
