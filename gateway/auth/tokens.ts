// Callers' bearer tokens: verified on every request, and signed for local use by `npm run token`.
import { errors, jwtVerify, SignJWT } from 'jose';
import { LruCache } from '../policy/plan-cache.js';
import { DEFAULT_MAX_TOKEN_TTL_SECONDS, type TokenSettings, type VerificationKey } from './token-keys.js';

/** Leeway for clocks that differ a little between the identity provider and the gateway. */
const CLOCK_TOLERANCE_SECONDS = 30;

export class TokenError extends Error {
  override name = 'TokenError';
}

/**
 * Tokens found valid, so that a client's every request does not verify its signature again (a client sends the same
 * token for hours). Kept per key and settings object (loaded once at start), only while the token is valid without
 * the clock leeway (until its exp, once its nbf has passed), and at most CACHE_MS: a key withdrawn from a JWKS stops
 * admitting its tokens within that time, as a refreshed JWKS would. Only valid tokens are kept, so callers without
 * one cannot fill it; bounded all the same.
 */
const CACHE_MS = 60_000;
const CACHE_SIZE = 1_000;
const verified = new WeakMap<
  VerificationKey,
  WeakMap<TokenSettings, LruCache<string, { clientId: string; until: number }>>
>();

function cacheFor(
  key: VerificationKey,
  settings: TokenSettings,
): LruCache<string, { clientId: string; until: number }> {
  let bySettings = verified.get(key);
  if (!bySettings) verified.set(key, (bySettings = new WeakMap()));
  let cache = bySettings.get(settings);
  if (!cache) bySettings.set(settings, (cache = new LruCache(CACHE_SIZE)));
  return cache;
}

/**
 * A token is issued before it is used and lives at most `maxTtl` seconds: an `exp` years away would make a leaked
 * token good for years. (jose checks that `exp` has not passed and that `iat` is a number.)
 */
function checkLifetime(iat: number, exp: number, maxTtl: number) {
  if (iat > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) throw new TokenError("the token's iat claim is in the future");
  if (exp - iat > maxTtl)
    throw new TokenError(`the token lives longer than the hub allows (exp - iat over ${maxTtl} s)`);
}

/** The client id (`sub`) of a valid token; a TokenError saying why otherwise, without echoing the token. */
export async function verifyToken(token: string, key: VerificationKey, settings: TokenSettings): Promise<string> {
  const cache = cacheFor(key, settings);
  const known = cache.get(token);
  if (known && Date.now() < known.until) return known.clientId;
  return verifyTokenSignature(token, key, settings);
}

async function verifyTokenSignature(token: string, key: VerificationKey, settings: TokenSettings): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, key.key as Parameters<typeof jwtVerify>[1], {
      algorithms: key.algorithms,
      audience: settings.audience,
      ...(settings.issuer ? { issuer: settings.issuer } : {}),
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    checkLifetime(payload.iat!, payload.exp!, settings.maxTtlSeconds ?? DEFAULT_MAX_TOKEN_TTL_SECONDS);
    const now = Date.now();
    const until = Math.min(payload.exp! * 1000, now + CACHE_MS);
    if (until > now && (payload.nbf === undefined || payload.nbf * 1000 <= now))
      cacheFor(key, settings).set(token, { clientId: payload.sub!, until });
    return payload.sub!;
  } catch (error) {
    // The identity provider not answering is the hub's trouble, not a bad token.
    if (error instanceof errors.JWKSTimeout)
      throw new Error('the JWKS endpoint did not answer in time', { cause: error });
    if (error instanceof errors.JWTExpired) throw new TokenError('the token has expired');
    if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey)
      throw new TokenError('the token is not signed by a trusted key');
    if (error instanceof errors.JWTClaimValidationFailed)
      throw new TokenError(`the token's ${error.claim} claim is missing or wrong`);
    if (error instanceof errors.JOSEError)
      throw new TokenError('the token is malformed or uses an algorithm the hub does not accept');
    throw error;
  }
}

/** A token for `clientId`, valid for `ttlSeconds`, signed with a shared secret (HS256). */
export function signToken(
  secret: string,
  clientId: string,
  settings: TokenSettings,
  ttlSeconds: number,
): Promise<string> {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(clientId)
    .setAudience(settings.audience);
  if (settings.issuer) jwt.setIssuer(settings.issuer);
  return jwt.setIssuedAt().setExpirationTime(`${ttlSeconds}s`).sign(new TextEncoder().encode(secret));
}
