// The door's settings and token rules on their own: the HTTP limits and the longest token lifetime read from
// their variables with their defaults, and tokens verified against that lifetime, `iat` required.
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HTTP_LIMITS } from '../../../core/http.js';
import { DEFAULT_MAX_TOKEN_TTL_SECONDS, loadVerificationKey } from '../../../gateway/auth/token-keys.js';
import { TokenError, verifyToken } from '../../../gateway/auth/tokens.js';
import { readHttpLimits, readTokenSettings } from '../../../gateway/config.js';

const SECRET = 'unit-test-secret-0123456789abcdef0123456789';

describe('HTTP limits', () => {
  it('default to a 2 MiB body, 10 s for headers, 30 s for the request, 5 s idle', () => {
    expect(readHttpLimits({})).toEqual(DEFAULT_HTTP_LIMITS);
    expect(DEFAULT_HTTP_LIMITS).toEqual({
      maxBodyBytes: 2 * 1024 * 1024,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
    });
  });

  it('are read from their variables, and refused naming the variable', () => {
    expect(
      readHttpLimits({
        GATEWAY_MAX_BODY_BYTES: '1000',
        GATEWAY_HEADERS_TIMEOUT_MS: '2000',
        GATEWAY_REQUEST_TIMEOUT_MS: '4000',
        GATEWAY_KEEP_ALIVE_TIMEOUT_MS: '3000',
      }),
    ).toEqual({ maxBodyBytes: 1000, headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 3000 });
    expect(() => readHttpLimits({ GATEWAY_MAX_BODY_BYTES: 'lots' })).toThrow(/GATEWAY_MAX_BODY_BYTES/);
    expect(() => readHttpLimits({ GATEWAY_HEADERS_TIMEOUT_MS: '40000' })).toThrow(/GATEWAY_REQUEST_TIMEOUT_MS/);
  });
});

describe('token lifetime', () => {
  const settings = (env: Record<string, string> = {}) => readTokenSettings({ GATEWAY_JWT_SECRET: SECRET, ...env });
  const now = () => Math.floor(Date.now() / 1000);
  const sign = (claims: { iat?: number; exp: number }) =>
    new SignJWT(claims.iat === undefined ? {} : { iat: claims.iat })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('province')
      .setAudience('ykt-hub')
      .setExpirationTime(claims.exp)
      .sign(new TextEncoder().encode(SECRET));

  it('is at most a day by default, GATEWAY_TOKEN_MAX_TTL seconds when set', () => {
    expect(settings().maxTtlSeconds).toBe(DEFAULT_MAX_TOKEN_TTL_SECONDS);
    expect(DEFAULT_MAX_TOKEN_TTL_SECONDS).toBe(86_400);
    expect(settings({ GATEWAY_TOKEN_MAX_TTL: '3600' }).maxTtlSeconds).toBe(3600);
    expect(() => settings({ GATEWAY_TOKEN_MAX_TTL: '-1' })).toThrow(/GATEWAY_TOKEN_MAX_TTL/);
  });

  it('holds tokens to the configured maximum', async () => {
    const short = settings({ GATEWAY_TOKEN_MAX_TTL: '600' });
    const key = loadVerificationKey(short.keys);
    await expect(verifyToken(await sign({ iat: now(), exp: now() + 600 }), key, short)).resolves.toBe('province');
    await expect(verifyToken(await sign({ iat: now(), exp: now() + 601 }), key, short)).rejects.toThrow(TokenError);
  });

  it('refuses a far exp, a missing iat and a future iat, with a reason', async () => {
    const s = settings();
    const key = loadVerificationKey(s.keys);
    await expect(verifyToken(await sign({ iat: now(), exp: now() + 1e20 }), key, s)).rejects.toThrow(
      /lives longer than the hub allows/,
    );
    await expect(verifyToken(await sign({ exp: now() + 60 }), key, s)).rejects.toThrow(/iat claim is missing/);
    await expect(verifyToken(await sign({ iat: now() + 120, exp: now() + 600 }), key, s)).rejects.toThrow(
      /iat claim is in the future/,
    );
    // Within the 30 s leeway a clock a little ahead is no reason to refuse.
    await expect(verifyToken(await sign({ iat: now() + 20, exp: now() + 600 }), key, s)).resolves.toBe('province');
  });
});
