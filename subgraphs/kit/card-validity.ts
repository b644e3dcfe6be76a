// A card past its last day vouches for nobody, whatever its status says: one rule for every department that
// takes a card (hr's identity checks, public security's licence checks, venues, turnstiles), and one answer.
import type { GraphQLError } from 'graphql';
import { ErrorCode, hubError } from '../../core/protocol/errors.js';

/** Whether a card whose last day is `expiresOn` (YYYY-MM-DD; null: none recorded) had expired on `day` (China date). */
export const expiredOn = (card: { expiresOn?: string | null }, day: string): boolean =>
  !!card.expiresOn && card.expiresOn < day;

/** CARD_NOT_USABLE for an expired card: `status: 'EXPIRED'` beside the card's own statuses, as callers switch on it. */
export const cardExpired = (
  card: { cardNumber: string; expiresOn?: string | null },
  extensions: Record<string, unknown> = {},
): GraphQLError =>
  hubError(ErrorCode.CARD_NOT_USABLE, `Card ${card.cardNumber} expired on ${card.expiresOn}`, {
    ...extensions,
    status: 'EXPIRED',
  });
