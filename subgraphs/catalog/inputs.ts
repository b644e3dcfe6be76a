// The catalog's inputs read and checked: every bad value a BAD_USER_INPUT naming its field.
import { badInput } from '../../core/protocol/errors.js';
import { SUBGRAPHS } from '../../schema/manifest.js';
import { quote, readText } from '../kit/text.js';
import { CATEGORIES, CREDENTIAL_KINDS, type Category, type CredentialKind } from './tables.js';

/** The departments that own applications: every subgraph but the catalog itself and governance. */
export const DEPARTMENTS: readonly string[] = SUBGRAPHS.map((s) => s.name as string).filter(
  (name) => name !== 'catalog' && name !== 'governance',
);

const CODE = /^[A-Z][A-Z0-9_]{1,39}$/;
const MAX_LIST = 20;

export function readCode(value: string, field: string): string {
  const code = value.trim();
  if (!CODE.test(code))
    throw badInput(`${field} must be 2 to 40 capital letters, digits or _, starting with a letter`, field);
  return code;
}

export function readCategory(value: string, field: string): Category {
  if ((CATEGORIES as readonly string[]).includes(value)) return value as Category;
  throw badInput(`${field} must be one of ${CATEGORIES.join(', ')}, got "${quote(value)}"`, field);
}

export function readCredentialKind(value: string, field: string): CredentialKind {
  if ((CREDENTIAL_KINDS as readonly string[]).includes(value)) return value as CredentialKind;
  throw badInput(`${field} must be one of ${CREDENTIAL_KINDS.join(', ')}, got "${quote(value)}"`, field);
}

export function readDepartment(value: string, field: string): string {
  if (DEPARTMENTS.includes(value)) return value;
  throw badInput(
    `${field} must be one of the hub's departments (${DEPARTMENTS.join(', ')}), got "${quote(value)}"`,
    field,
  );
}

/** A list of short texts, each once, in the order given; `atLeastOne` for lists that must say something. */
export function readTexts(values: readonly string[], field: string, atLeastOne: boolean): string[] {
  if (values.length > MAX_LIST) throw badInput(`${field} may hold at most ${MAX_LIST} entries`, field);
  const texts = [...new Set(values.map((v, i) => readText(v, `${field}[${i}]`, 100)))];
  if (atLeastOne && texts.length === 0) throw badInput(`${field} must name at least one`, field);
  return texts;
}

export interface ItemInput {
  code: string;
  name: string;
  category: string;
  scenarios: string[];
  venues?: string[] | null;
  department: string;
}

export function readItem(item: ItemInput) {
  return {
    code: readCode(item.code, 'item.code'),
    name: readText(item.name, 'item.name', 100),
    category: readCategory(item.category, 'item.category'),
    scenarios: readTexts(item.scenarios, 'item.scenarios', true),
    venues: readTexts(item.venues ?? [], 'item.venues', false),
    department: readDepartment(item.department, 'item.department'),
  };
}
