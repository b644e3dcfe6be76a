// `npm run token -- <clientId> [--ttl 8h]`: prints a bearer token for a client, signed with the gateway's shared
// secret (GATEWAY_JWT_SECRET, or the local one `npm start` uses). For local use: in production an identity
// provider issues tokens, and the gateway verifies them against its keys (GATEWAY_JWKS_FILE / GATEWAY_JWKS_URL).
import { parseArgs } from 'node:util';
import { runMain, UsageError } from '../../core/process.js';
import { readTokenSettings } from '../config.js';
import { signToken } from './tokens.js';

const USAGE = 'Usage: npm run token -- <clientId> [--ttl <duration: 3600, 90s, 30m, 8h, 7d>]';
const MAX_TTL_SECONDS = 30 * 24 * 3600;
const UNIT_SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

export function readTtl(raw: string): number {
  const match = /^(\d{1,7})([smhd]?)$/.exec(raw.trim());
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2]!]! : NaN;
  if (!(seconds > 0 && seconds <= MAX_TTL_SECONDS))
    throw new UsageError(`--ttl must be a duration from 1s to 30d, got "${raw}"\n${USAGE}`);
  return seconds;
}

runMain(async () => {
  const { values, positionals } = parseArgs({
    options: { ttl: { type: 'string', default: '8h' } },
    allowPositionals: true,
  });
  const clientId = positionals[0];
  if (!clientId || positionals.length > 1 || !/^[a-z0-9-]{2,64}$/.test(clientId)) throw new UsageError(USAGE);
  const ttl = readTtl(values.ttl!);
  const settings = readTokenSettings();
  const { keys } = settings;
  if (keys.kind !== 'secret')
    throw new UsageError(
      `The gateway verifies tokens with public keys (${keys.variable}); tokens come from the identity provider holding the private keys.`,
    );
  console.log(await signToken(keys.secret, clientId, settings, ttl));
});
