// Callers' bearer tokens: verified on every request, and signed for local use by `npm run token`.
import { errors, jwtVerify, SignJWT } from 'jose';
import type { TokenSettings, VerificationKey } from './token-keys.js';

/** Leeway for clocks that differ a little between the identity provider and the gateway. */
const CLOCK_TOLERANCE_SECONDS = 30;

export class TokenError extends Error {
  override name = 'TokenError';
}

/** The client id (`sub`) of a valid token; a TokenError saying why otherwise, without echoing the token. */
export async function verifyToken(token: string, key: VerificationKey, settings: TokenSettings): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, key.key as Parameters<typeof jwtVerify>[1], {
      algorithms: key.algorithms,
      audience: settings.audience,
      ...(settings.issuer ? { issuer: settings.issuer } : {}),
      requiredClaims: ['exp', 'sub'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    });
    return payload.sub!;
  } catch (error) {
    // The identity provider not answering is the hub's trouble, not a bad token.
    if (error instanceof errors.JWKSTimeout) throw new Error('the JWKS endpoint did not answer in time', { cause: error });
    if (error instanceof errors.JWTExpired) throw new TokenError('the token has expired');
    if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) throw new TokenError('the token is not signed by a trusted key');
    if (error instanceof errors.JWTClaimValidationFailed) throw new TokenError(`the token's ${error.claim} claim is missing or wrong`);
    if (error instanceof errors.JOSEError) throw new TokenError('the token is malformed or uses an algorithm the hub does not accept');
    throw error;
  }
}

/** A token for `clientId`, valid for `ttlSeconds`, signed with a shared secret (HS256). */
export function signToken(secret: string, clientId: string, settings: TokenSettings, ttlSeconds: number): Promise<string> {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(clientId)
    .setAudience(settings.audience);
  if (settings.issuer) jwt.setIssuer(settings.issuer);
  return jwt
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(secret));
}
