// `npm run audit:hash -- <value> [<value>…]`: the keyed hash an audit record keeps in place of a variable value it
// does not keep (variables.ts), for governance to find the records of a value it already knows: an ID number, a
// card number, a name. Hashes with the gateway's key (AUDIT_HMAC_KEY, else the local key in .data/audit-hmac-key):
// run it where the gateway's configuration is. A value is hashed as text, exactly as given (a number as written).
import { parseArgs } from 'node:util';
import { readSecret } from '../../core/config.js';
import { auditHash, localAuditKey } from './audit-hash.js';

const USAGE = `usage: npm run audit:hash -- <value> [<value>…] [--json]

Prints the keyed hash (hmac:…) audit records keep in place of each value, one per line.
Find the records with e.g.  select … from gateway.audit_records where variables::text like '%<hash>%'.`;

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    console.error(`npm run audit:hash: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help || parsed.positionals.length === 0) {
    (parsed.values.help ? console.log : console.error)(USAGE);
    return parsed.values.help ? 0 : 2;
  }
  try {
    const key = readSecret(process.env, 'AUDIT_HMAC_KEY') ?? localAuditKey();
    const hashes = parsed.positionals.map((value) => ({ value, hash: auditHash(key, value) }));
    console.log(parsed.values.json ? JSON.stringify(hashes, null, 2) : hashes.map((h) => h.hash).join('\n'));
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
