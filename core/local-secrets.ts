// Secrets for a machine with no configuration: `npm install && npm start` must work, `npm run token` must sign
// tokens the running hub accepts, and `npm run gateway` must be able to call `npm run subgraph`. So each secret
// not given in the environment is generated once into .data/local-secrets.json (readable by its owner only) and
// read from there by every process on the machine. Deployments set the variables instead.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type LocalSecretName = 'jwtSecret' | 'subgraphSecret';

const FILE = '.data/local-secrets.json';
let warned = false;

export function localSecret(name: LocalSecretName, variable: string): string {
  const file = path.resolve(FILE);
  const read = (): Record<string, string> => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`${FILE} is unreadable (${(error as Error).message}); delete it to have new local secrets made`);
    }
  };
  let secrets = read();
  if (!secrets.jwtSecret || !secrets.subgraphSecret) {
    mkdirSync(path.dirname(file), { recursive: true });
    const made = {
      jwtSecret: randomBytes(32).toString('base64url'),
      subgraphSecret: randomBytes(32).toString('base64url'),
    };
    try {
      // `wx`: of processes starting together, one writes and the others read what it wrote.
      writeFileSync(file, JSON.stringify(made, null, 2) + '\n', { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    secrets = read();
  }
  if (!warned) {
    warned = true;
    console.warn(`Using local development secrets from ${FILE}; set ${variable} (and its siblings) in a deployment.`);
  }
  const secret = secrets[name];
  if (!secret) throw new Error(`${FILE} lacks ${name}; delete it to have new local secrets made`);
  return secret;
}

const KEY_FILE = '.data/local-qr-signing-key.json';

/**
 * The Ed25519 key that signs card QR codes on a machine with no QR_SIGNING_KEYS: made once, as PKCS#8 DER in
 * base64url, into a file of its own (older .data folders hold the other secrets already; `wx` again decides a race).
 */
export function localQrSigningKey(): { kid: string; pkcs8: string } {
  const file = path.resolve(KEY_FILE);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { kid: string; pkcs8: string };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`${KEY_FILE} is unreadable (${(error as Error).message}); delete it to have a new key made`);
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  const made = { kid: 'local-1', pkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url') };
  try {
    writeFileSync(file, JSON.stringify(made, null, 2) + '\n', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return JSON.parse(readFileSync(file, 'utf8')) as { kid: string; pkcs8: string };
}
