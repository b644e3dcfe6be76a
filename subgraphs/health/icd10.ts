// ICD-10 diagnosis codes as institutions report them: a chapter letter, two digits for the category, and an
// optional dot with 1 to 4 characters of subcategory or extension (I10, J45.909, S72.001A). Only the shape is
// checked: the hub indexes what institutions diagnose, it does not maintain the classification itself.
import { badInput } from '../../core/protocol/errors.js';
import { quote } from '../kit/text.js';

const ICD10 = /^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?$/;
export const MAX_DIAGNOSES = 20;

/** `j45.909 ` → `J45.909`: institutions' systems differ in case and padding, not in meaning. */
export const normalizeIcd10 = (code: string): string => code.trim().toUpperCase();

export function isIcd10Code(code: string): boolean {
  return ICD10.test(code);
}

/** A visit's diagnoses, normalised, in the order given (principal first), each once; else BAD_USER_INPUT. */
export function readDiagnoses(codes: readonly string[] | null | undefined, field = 'diagnoses'): string[] {
  if (!codes) return [];
  if (codes.length > MAX_DIAGNOSES)
    throw badInput(`At most ${MAX_DIAGNOSES} diagnoses per visit, got ${codes.length}`, field);
  const read = codes.map((raw, i) => {
    const code = normalizeIcd10(raw);
    if (!isIcd10Code(code)) {
      throw badInput(
        `Diagnosis "${quote(raw)}" is not an ICD-10 code: expected a letter, 2 digits and optionally a dot and 1 to 4 characters, e.g. J45.909 or I10`,
        `${field}[${i}]`,
      );
    }
    return code;
  });
  return [...new Set(read)];
}
