// `npm run audit:verify [-- --json]`: walks every audit chain on the gateway's database (GATEWAY_DATABASE_URL, else
// DATABASE_URL, else the embedded PGlite in PGLITE_DATA_DIR, `.data/pglite` by default; embedded, stop the hub first)
// and names the first broken link. The result is recorded for the governance view's auditChainStatus.
import { parseArgs } from 'node:util';
import { readDatabaseConfig, type Env } from '../../core/config.js';
import { openDatabase } from '../../core/database.js';
import { GATEWAY_STORE, migrateGatewayDatabase } from '../../store/migrations.js';
import { describeBreak, verifyAuditChains, type VerificationReport } from './verify.js';

const USAGE = `usage: npm run audit:verify [-- --json]

Walks every audit chain, recomputing each record's hash, and names the first broken link (chain, seq, what).
Exit code 0: every chain verifies; 1: a link is broken; 2: not understood; 3: could not verify (database).`;

const EXIT = { ok: 0, broken: 1, usage: 2, failed: 3 } as const;

function formatReport(report: VerificationReport): string {
  const lines = report.chains.map(
    (c) =>
      `${c.ok ? 'ok    ' : 'BROKEN'}  chain ${c.chainId}  ${c.records} record(s) verified${c.break ? `; ${c.break.what} at seq ${c.break.seq}` : ''}`,
  );
  lines.push(
    report.firstBreak
      ? `first break: ${describeBreak(report.firstBreak)}`
      : `all ${report.chains.length} chain(s) verify`,
  );
  return lines.join('\n');
}

async function run(json: boolean, env: Env): Promise<number> {
  const database = await openDatabase(readDatabaseConfig(GATEWAY_STORE, env));
  try {
    await migrateGatewayDatabase(database);
    const report = await verifyAuditChains(database.db);
    console.log(json ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.ok ? EXIT.ok : EXIT.broken;
  } finally {
    await database.close();
  }
}

async function main(argv: string[]): Promise<number> {
  let json: boolean;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      console.log(USAGE);
      return EXIT.ok;
    }
    json = values.json ?? false;
  } catch (error) {
    console.error(`npm run audit:verify: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return await run(json, process.env);
  } catch (error) {
    console.error(error instanceof Error && error.name === 'ConfigError' ? error.message : error);
    return EXIT.failed;
  }
}

process.exitCode = await main(process.argv.slice(2));
