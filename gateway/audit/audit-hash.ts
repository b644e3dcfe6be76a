// The audit's keyed hash (variables.ts): what a record keeps of a value it may not keep. HMAC-SHA256 with a key of
// the audit's own (AUDIT_HMAC_KEY), not a plain hash: ID numbers, card and phone numbers come from small spaces, and
// a plain SHA-256 of each is a table lookup away. Governance, holding the key, can still match a value it already
// knows (`npm run audit:hash -- <value>`). With no key configured, one is generated once into .data/audit-hmac-key
// (readable by its owner only) and read from there by every process on the machine, as core/local-secrets.ts does
// for the token secret: fine on one machine, never in a deployment (each gateway would hash with its own key).
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What a hashed value starts with, so a reader tells a hash from a kept value. */
export const AUDIT_HASH_PREFIX = 'hmac:';
/** Hex characters kept of the HMAC: 128 bits, plenty to match a known value, half the size in every record. */
const HASH_HEX = 32;

export const LOCAL_AUDIT_KEY_FILE = '.data/audit-hmac-key';

/** `hmac:` and the first 128 bits of HMAC-SHA256(key, text), hex. */
export function auditHash(key: string, text: string): string {
  return AUDIT_HASH_PREFIX + createHmac('sha256', key).update(text, 'utf8').digest('hex').slice(0, HASH_HEX);
}

/** A hasher bound to one key. */
export const auditHasher =
  (key: string) =>
  (text: string): string =>
    auditHash(key, text);

let warned = false;

/** The local key: read from .data/audit-hmac-key, generated there first if absent. */
export function localAuditKey(): string {
  const file = path.resolve(LOCAL_AUDIT_KEY_FILE);
  const read = () => readFileSync(file, 'utf8').trim();
  try {
    return warnOnce(read());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    // `wx`: of processes starting together, one writes and the others read what it wrote.
    writeFileSync(file, randomBytes(32).toString('base64url') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return warnOnce(read());
}

function warnOnce(key: string): string {
  if (!key) throw new Error(`${LOCAL_AUDIT_KEY_FILE} is empty; delete it to have a new key made`);
  if (!warned) {
    warned = true;
    console.warn(
      `audit: hashing variables with the local key in ${LOCAL_AUDIT_KEY_FILE}; set AUDIT_HMAC_KEY in a deployment.`,
    );
  }
  return key;
}
