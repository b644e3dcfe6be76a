// Money crosses the API as decimal strings of yuan ("1300.00"): never floats, which cannot hold fen exactly.
import { badInput } from '../../core/protocol/errors.js';

export function readMoney(value: string, field: string): string {
  if (!/^\d{1,10}(\.\d{1,2})?$/.test(value))
    throw badInput(`${field} must be an amount in yuan with up to two decimals, e.g. 1300.50`, field);
  return Number(value).toFixed(2);
}

/** Whole fen, for exact sums. */
export const toFen = (yuan: string): number => Math.round(Number(yuan) * 100);
