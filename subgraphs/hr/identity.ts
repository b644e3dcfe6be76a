// The card as proof of identity (Art 9): the holder's app shows a QR code the hub signed a moment ago, or the
// holder hands over the physical card; a hotel front desk, a government counter or a hospital asks the hub whether
// the card is valid now and whose it is. The answer carries the holder's name and masked ID number, the card's
// kind and issuing authority, and no link into the holder's record: the desk confirms a person, it does not browse
// them. Each answer names its holder (`holderId`), so the gateway's audit records the check as an access to them.
import { cardExpired, expiredOn } from '../kit/card-validity.js';
import { timingSafeEqual } from 'node:crypto';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import type { CallerClaims } from '../../core/protocol/gateway-proof.js';
import { readCardNumber } from '../kit/card-number.js';
import { chinaDate } from '../kit/time.js';
import type { HrLoaders } from './loaders.js';
import { readQr, signQr } from './qr-codes.js';
import type { QrKeys } from './qr-keys.js';
import type { NonceStore } from './qr-nonces.js';
import type { CardRow, HolderRow } from './tables.js';

export interface IdentityDeps {
  keys: QrKeys;
  nonces: NonceStore;
  /** Seconds a code lives, ≤ 60 (HR_QR_TTL_SECONDS). */
  qrTtlSeconds: number;
}

/**
 * Told the holder of the card a check found, before anything is refused: a refusal naming the card's status (LOST,
 * REPLACED) tells the caller about that holder too, so the audit names them whatever the answer.
 */
export type Touched = (holderId: string) => void;

export interface IdentityVerification {
  method: 'QR_CODE' | 'PHYSICAL_CARD';
  verifiedAt: string;
  /** Where the check was made (X-Place), as the audit record keeps it. */
  place: string;
  card: CardRow;
  holder: HolderRow;
  /** For the access report: the check is an access to this holder. */
  holderId: string;
}

/** A card a person can identify themselves with now: active and not past its expiry. */
function usableOrFail(card: CardRow | null | undefined, now: Date): CardRow {
  if (!card) throw hubError(ErrorCode.CARD_NOT_USABLE, 'The card is no longer on record');
  if (card.status !== 'ACTIVE')
    throw hubError(ErrorCode.CARD_NOT_USABLE, `The card is ${card.status}: it no longer proves who holds it`, {
      status: card.status,
    });
  if (expiredOn(card, chinaDate(now))) throw cardExpired(card);
  return card;
}

/** The desk, counter or terminal of an identity check: the gateway has checked X-Place's shape; a check needs one. */
function placeOf(caller: CallerClaims): string {
  if (!caller.place)
    throw hubError(ErrorCode.BAD_REQUEST, 'An identity check names where it is made in the X-Place header', {
      header: 'x-place',
    });
  return caller.place;
}

export async function issueCardQr(
  deps: IdentityDeps,
  loaders: HrLoaders,
  caller: CallerClaims,
  rawCardNumber: string,
  touched: Touched,
): Promise<{ payload: string; expiresAt: string; card: CardRow; holderId: string }> {
  // The holder's own app asks for their code: no other purpose has a reason to mint one.
  if (caller.purpose !== 'HOLDER_SELF_SERVICE')
    throw hubError(ErrorCode.FORBIDDEN, 'A card QR code is issued to the holder only (purpose HOLDER_SELF_SERVICE)');
  const cardNumber = readCardNumber(rawCardNumber);
  const card = await loaders.cardByNumber.load(cardNumber);
  if (!card) throw hubError(ErrorCode.CARD_NOT_FOUND, `No card with number ${cardNumber}`);
  // The code stands for the holder: issuing it is an access to them, whatever the answer selects.
  touched(card.holderId);
  usableOrFail(card, new Date());
  const { payload, claims } = await signQr(deps.keys, card, deps.qrTtlSeconds);
  return { payload, expiresAt: new Date(claims.expiresAt * 1000).toISOString(), card, holderId: card.holderId };
}

export async function verifyCardQr(
  deps: IdentityDeps,
  loaders: HrLoaders,
  caller: CallerClaims,
  args: { payload: string },
  touched: Touched,
): Promise<IdentityVerification> {
  const place = placeOf(caller);
  const claims = await readQr(deps.keys, args.payload);
  const now = new Date();
  if (claims.expiresAt * 1000 <= now.getTime())
    throw hubError(ErrorCode.QR_EXPIRED, 'The QR code has expired: ask the holder to show a fresh one', {
      expiredAt: new Date(claims.expiresAt * 1000).toISOString(),
    });
  if (!(await deps.nonces.spend(claims.nonce, caller.requestId, claims.expiresAt * 1000)))
    throw hubError(ErrorCode.QR_REPLAYED, 'This QR code was presented before: a code proves identity once');
  // Status as of now, not of issue: a card reported lost since its code was shown no longer proves anyone.
  const found = await loaders.cardByNumber.load(claims.cardNumber);
  if (found) touched(found.holderId);
  const card = usableOrFail(found, now);
  if (card.holderId !== claims.holderId) throw hubError(ErrorCode.CARD_NOT_USABLE, 'The card changed hands');
  return answer('QR_CODE', place, card, await loaders.holderById.load(card.holderId), now);
}

export async function verifyCard(
  loaders: HrLoaders,
  caller: CallerClaims,
  args: { cardNumber: string; identificationCode: string },
  touched: Touched,
): Promise<IdentityVerification> {
  const place = placeOf(caller);
  const cardNumber = readCardNumber(args.cardNumber);
  const code = args.identificationCode.trim().toUpperCase();
  if (!/^[0-9A-Z]{32}$/.test(code))
    throw badInput('identificationCode must be the 32 characters read from the card’s chip', 'identificationCode');
  const card = await loaders.cardByNumber.load(cardNumber);
  // One answer for "no such card" and "not this card's code": the check confirms a card, it does not look them up.
  if (!card || card.kind !== 'PHYSICAL' || !sameText(card.identificationCode, code))
    throw hubError(ErrorCode.CARD_NOT_VERIFIED, 'The card number and identification code do not belong together');
  const now = new Date();
  touched(card.holderId);
  usableOrFail(card, now);
  return answer('PHYSICAL_CARD', place, card, await loaders.holderById.load(card.holderId), now);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function answer(
  method: IdentityVerification['method'],
  place: string,
  card: CardRow,
  holder: HolderRow | null | undefined,
  now: Date,
): IdentityVerification {
  if (!holder) throw new Error(`card ${card.id} names no holder`);
  return { method, verifiedAt: now.toISOString(), place, card, holder, holderId: holder.id };
}
