// Where the keys that verify callers' tokens come from: one of three, as configuration says (gateway/config.ts).
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { ConfigError } from '../../core/config.js';

export type TokenKeys =
  /** HS256 with a shared secret: for local use and small set-ups (`npm run token` signs with it). */
  | { kind: 'secret'; secret: string; variable: string }
  /** Public keys in a JWKS file, e.g. exported from the province's identity provider. */
  | { kind: 'jwks-file'; path: string; variable: string }
  /** Public keys fetched (and cached, refreshed on an unknown key id) from the identity provider. */
  | { kind: 'jwks-url'; url: string; variable: string };

export interface TokenSettings {
  keys: TokenKeys;
  /** The `aud` every token must carry. */
  audience: string;
  /** The `iss` every token must carry, when configured (an identity provider names itself there). */
  issuer?: string;
  /** The longest lifetime (`exp - iat`) a token may have, in seconds; DEFAULT_MAX_TOKEN_TTL_SECONDS when absent. */
  maxTtlSeconds?: number;
}

/** A day: a token leaked from a log or a browser stops working within it, whatever `exp` it was given. */
export const DEFAULT_MAX_TOKEN_TTL_SECONDS = 24 * 3600;

/** Asymmetric algorithms only with public keys: a JWKS must never let an HS256 token in by way of a public key. */
const ASYMMETRIC = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];

export interface VerificationKey {
  key: Uint8Array | JWTVerifyGetKey;
  algorithms: string[];
}

/** The key material, loaded once at start; a bad JWKS file fails start-up naming its variable. */
export function loadVerificationKey(keys: TokenKeys): VerificationKey {
  switch (keys.kind) {
    case 'secret':
      return { key: new TextEncoder().encode(keys.secret), algorithms: ['HS256'] };
    case 'jwks-file': {
      let jwks: JSONWebKeySet;
      try {
        jwks = JSON.parse(readFileSync(keys.path, 'utf8')) as JSONWebKeySet;
        if (!Array.isArray(jwks.keys)) throw new Error('no "keys" array');
        return { key: createLocalJWKSet(jwks), algorithms: ASYMMETRIC };
      } catch (error) {
        throw new ConfigError(keys.variable, `cannot read a JWKS from ${keys.path}: ${(error as Error).message}`);
      }
    }
    case 'jwks-url':
      return { key: createRemoteJWKSet(new URL(keys.url), { timeoutDuration: 5_000 }), algorithms: ASYMMETRIC };
  }
}
