// `npm run qr-key -- <kid> [--from <ISO time>]`: a new Ed25519 key for signing card QR codes, as the two entries
// QR_SIGNING_KEYS takes (subgraphs/hr/qr-keys.ts): the private one for the hr instances that sign, the public one
// for instances that only verify. A rotation: append the private entry with --from a time after every instance has
// been given it; at that time they all sign with it, and the old key, still listed, verifies the codes in flight.
import { parseArgs } from 'node:util';
import { runMain, UsageError } from '../core/process.js';
import { newQrKeyEntry } from '../subgraphs/hr/qr-keys.js';

runMain(async () => {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { from: { type: 'string' } } });
  const [kid] = positionals;
  if (!kid || positionals.length > 1) throw new UsageError('usage: npm run qr-key -- <kid> [--from <ISO time>]');
  const { signing, verifyOnly } = newQrKeyEntry(kid, values.from);
  console.log(`# signs (append to QR_SIGNING_KEYS on hr, comma-separated):\n${signing}`);
  console.log(`# verifies only (public key):\n${verifyOnly}`);
});
