// Codes only library loans need, beyond the hub's list (shared/errors.ts, whose CARD_NOT_USABLE and NOT_FOUND this
// subgraph uses too): stable `extensions.code` values a library's system can act on. Kept here because the shared
// list belongs to the platform team.
import { GraphQLError } from 'graphql';

export const CultureTourismCode = {
  /** The copy is already out on another loan that has not been returned. */
  ITEM_ON_LOAN: 'ITEM_ON_LOAN',
  /** The loan was returned before; a copy comes back once. */
  LOAN_ALREADY_RETURNED: 'LOAN_ALREADY_RETURNED',
} as const;
export type CultureTourismCode = (typeof CultureTourismCode)[keyof typeof CultureTourismCode];

export function cultureTourismError(code: CultureTourismCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}
