// The e-card's QR code (Art 9): a compact JWS (RFC 7515) signed with Ed25519, naming its key (`kid`), the card,
// the holder, when it was issued, when it expires (≤ 60 s later) and a nonce that makes each code usable once.
// Standard JWS, so a counter's own device could check the signature offline with the published public key; short
// names and a 16-byte holder id keep it near 250 characters, well inside a QR code scanned from a phone's screen.
import { randomBytes } from 'node:crypto';
import { CompactSign, compactVerify, decodeProtectedHeader, errors } from 'jose';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import { isUuid } from '../kit/text.js';
import type { QrKeys } from './qr-keys.js';

export const MAX_QR_TTL_SECONDS = 60;
/** How far the clocks of the hub's machines may differ (NTP keeps them far closer); nonces are kept this much longer. */
export const MAX_CLOCK_SKEW_MS = 30_000;
/** What a caller may send: anything longer is not one of ours, and is not worth a signature check. */
export const MAX_PAYLOAD_LENGTH = 512;
const JWS = /^[A-Za-z0-9_-]{10,200}\.[A-Za-z0-9_-]{10,300}\.[A-Za-z0-9_-]{86}$/;

export interface QrClaims {
  cardNumber: string;
  holderId: string;
  /** Seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
  nonce: string;
  kid: string;
}

const uuidToCompact = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex').toString('base64url');
function compactToUuid(compact: string): string {
  const hex = Buffer.from(compact, 'base64url').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export async function signQr(
  keys: QrKeys,
  card: { cardNumber: string; holderId: string },
  ttlSeconds: number,
  now = Date.now(),
): Promise<{ payload: string; claims: QrClaims }> {
  const key = keys.signer(now);
  const issuedAt = Math.floor(now / 1000);
  const claims: QrClaims = {
    cardNumber: card.cardNumber,
    holderId: card.holderId,
    issuedAt,
    expiresAt: issuedAt + Math.min(ttlSeconds, MAX_QR_TTL_SECONDS),
    nonce: randomBytes(12).toString('base64url'),
    kid: key.kid,
  };
  const body = {
    c: claims.cardNumber,
    h: uuidToCompact(claims.holderId),
    iat: claims.issuedAt,
    exp: claims.expiresAt,
    n: claims.nonce,
  };
  const payload = await new CompactSign(new TextEncoder().encode(JSON.stringify(body)))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
    .sign(key.privateKey!);
  return { payload, claims };
}

const notAPayload = () =>
  badInput('payload is not a card QR code: expected the text the holder’s app shows (a signed code)', 'payload');
const badSignature = (why: string) =>
  hubError(ErrorCode.QR_INVALID_SIGNATURE, `The QR code's signature does not hold: ${why}`);

/**
 * The claims of a code whose signature holds under a key this hub knows. Not a code at all: BAD_USER_INPUT; a
 * key it does not know or a signature that fails (a changed character): QR_INVALID_SIGNATURE. Expiry and reuse are
 * the caller's to check, against its clock and the nonce store.
 */
export async function readQr(keys: QrKeys, raw: string, now = Date.now()): Promise<QrClaims> {
  const text = raw.trim();
  if (text.length > MAX_PAYLOAD_LENGTH || !JWS.test(text)) throw notAPayload();
  let kid: unknown;
  try {
    ({ kid } = decodeProtectedHeader(text));
  } catch {
    throw notAPayload();
  }
  if (typeof kid !== 'string') throw notAPayload();
  const key = keys.byKid(kid);
  if (!key) throw badSignature(`it names a key this hub does not hold ("${kid.slice(0, 16)}")`);
  let body: Record<string, unknown>;
  try {
    const { payload } = await compactVerify(text, key.publicKey, { algorithms: ['EdDSA'] });
    body = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) throw badSignature('it was changed or forged');
    if (error instanceof errors.JOSEError || error instanceof SyntaxError) throw notAPayload();
    throw error;
  }
  const { c, h, iat, exp, n } = body;
  const holderId = typeof h === 'string' && h.length === 22 ? compactToUuid(h) : '';
  // Signed by us, so well formed unless a key leaked or a bug signed nonsense: refuse rather than trust it.
  if (typeof c !== 'string' || !isUuid(holderId) || typeof n !== 'string' || !Number.isInteger(iat))
    throw badSignature('its content is not a card QR code');
  if (!Number.isInteger(exp) || (exp as number) - (iat as number) > MAX_QR_TTL_SECONDS)
    throw badSignature('its lifetime is longer than a card QR code may have');
  // Issued in the future by more than the clocks of the hub's machines may differ: not a code this hub issued.
  if ((iat as number) * 1000 > now + MAX_CLOCK_SKEW_MS) throw badSignature('it was issued in the future');
  return { cardNumber: c, holderId, issuedAt: iat as number, expiresAt: exp as number, nonce: n, kid };
}
