// The keys that sign and verify card QR codes (Art 9), from QR_SIGNING_KEYS:
//   <kid>:<base64url DER>[@<ISO time from which it signs>], …
// A private key (PKCS#8) signs and verifies; a public one (SPKI) only verifies. Rotation never breaks a code in
// flight: add the new key with a start time to every instance ahead of it, and at that time all of them sign with
// it while the old key, still listed, verifies the codes it signed (≤ 60 s); drop the old key after. Unset, a key
// generated once for this machine (.data/local-qr-signing-key.json). `npm run qr-key -- <kid>` makes a new entry.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ConfigError, type Env } from '../../core/config.js';
import { localQrSigningKey } from '../../core/local-secrets.js';

const VARIABLE = 'QR_SIGNING_KEYS';
const ENTRY = /^([A-Za-z0-9._-]{1,16}):([A-Za-z0-9_-]+)(?:@(.+))?$/;

export interface QrKey {
  kid: string;
  /** Null for a verify-only (public) key. */
  privateKey: KeyObject | null;
  publicKey: KeyObject;
  /** Milliseconds since the epoch from which it signs; 0: from the start. */
  signsFrom: number;
}

export interface QrKeys {
  /** The key that signs at `now`: the latest-starting private key whose start has come. */
  signer(now: number): QrKey;
  /** The key a code names, if this hub knows it. */
  byKid(kid: string): QrKey | undefined;
}

function keyOf(kid: string, der: string, from: string | undefined): QrKey {
  const bytes = Buffer.from(der, 'base64url');
  let privateKey: KeyObject | null = null;
  let publicKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
    publicKey = createPublicKey(privateKey);
  } catch {
    try {
      publicKey = createPublicKey({ key: bytes, format: 'der', type: 'spki' });
    } catch {
      throw new ConfigError(VARIABLE, `key "${kid}" is neither a PKCS#8 nor an SPKI key in base64url DER`);
    }
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new ConfigError(VARIABLE, `key "${kid}" is not Ed25519`);
  const signsFrom = from === undefined ? 0 : Date.parse(from);
  if (Number.isNaN(signsFrom)) throw new ConfigError(VARIABLE, `key "${kid}": "@${from}" is not an ISO time`);
  return { kid, privateKey, publicKey, signsFrom };
}

export function parseQrKeys(raw: string): QrKey[] {
  const keys = raw
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      const match = ENTRY.exec(entry);
      if (!match) throw new ConfigError(VARIABLE, 'expected <kid>:<base64url DER>[@<ISO time>], comma-separated');
      return keyOf(match[1]!, match[2]!, match[3]);
    });
  if (keys.length === 0) throw new ConfigError(VARIABLE, 'lists no key');
  const kids = new Set(keys.map((k) => k.kid));
  if (kids.size !== keys.length) throw new ConfigError(VARIABLE, 'names a kid twice');
  if (!keys.some((k) => k.privateKey)) throw new ConfigError(VARIABLE, 'holds no private key to sign with');
  return keys;
}

export function readQrKeys(env: Env): QrKeys {
  const raw = env[VARIABLE];
  let keys: QrKey[];
  if (raw === undefined || raw.trim() === '') {
    const local = localQrSigningKey();
    keys = [keyOf(local.kid, local.pkcs8, undefined)];
  } else keys = parseQrKeys(raw);
  const signing = keys.filter((k) => k.privateKey).sort((a, b) => b.signsFrom - a.signsFrom);
  const byKid = new Map(keys.map((k) => [k.kid, k]));
  return {
    // Before every key's start (a misconfigured clock), the earliest-starting key still signs.
    signer: (now) => signing.find((k) => k.signsFrom <= now) ?? signing[signing.length - 1]!,
    byKid: (kid) => byKid.get(kid),
  };
}

/** A new entry for QR_SIGNING_KEYS, and the public one for instances that only verify. */
export function newQrKeyEntry(kid: string, signsFrom?: string): { signing: string; verifyOnly: string } {
  if (!/^[A-Za-z0-9._-]{1,16}$/.test(kid)) throw new ConfigError('kid', 'expected 1 to 16 of A-Z a-z 0-9 . _ -');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const at = signsFrom ? Date.parse(signsFrom) : undefined;
  if (at !== undefined && Number.isNaN(at)) throw new ConfigError('--from', `"${signsFrom}" is not an ISO time`);
  const from = at !== undefined ? `@${new Date(at).toISOString()}` : '';
  return {
    signing: `${kid}:${privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url')}${from}`,
    verifyOnly: `${kid}:${publicKey.export({ format: 'der', type: 'spki' }).toString('base64url')}`,
  };
}
