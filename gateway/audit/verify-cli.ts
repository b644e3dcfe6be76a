// `npm run audit:verify [-- --json]`: walks every audit chain on the gateway's database (GATEWAY_DATABASE_URL, else
// DATABASE_URL, else the embedded PGlite in PGLITE_DATA_DIR, DEFAULT_DATA_DIR by default; embedded, stop the hub first)
// and names the first broken link. The result is recorded for the governance view's auditChainStatus.
// Every write accounted for: records a gateway spooled because the store refused them (AUDIT_SPOOL_DIR,
// `.data/audit-spool`; run this on the gateway's machine) are not on a chain yet, and are named, with exit code 4.
import { parseArgs } from 'node:util';
import { isOperatorError, readDatabaseConfig, type Env } from '../../core/config.js';
import { openDatabase } from '../../core/database.js';
import { GATEWAY_STORE, migrateGatewayDatabase } from '../../store/migrations.js';
import { readAuditSpoolDir } from '../config.js';
import { spoolContents } from './spool.js';
import { chainRegistered } from './spool-replay.js';
import { describeBreak, verifyAuditChains, type VerificationReport } from './verify.js';

const USAGE = `usage: npm run audit:verify [-- --json]

Walks every audit chain, recomputing each record's hash, and names the first broken link (chain, seq, what).
Exit code 0: every chain verifies; 1: a link is broken; 2: not understood; 3: could not verify (database);
4: the chains verify but write records wait in the audit spool (AUDIT_SPOOL_DIR), not yet replayed onto a chain.`;

const EXIT = { ok: 0, broken: 1, usage: 2, failed: 3, spooled: 4 } as const;

interface SpoolReport {
  dir: string;
  /** Records of this database's chains waiting in the spool. */
  pending: number;
  chains: { chainId: string; files: number; records: number }[];
  /** Spool files of chains this database does not know (another database's gateway shares the folder). */
  otherFiles: number;
}

function formatSpool(spool: SpoolReport): string {
  const lines = spool.chains.map(
    (c) => `SPOOLED chain ${c.chainId}  ${c.records} record(s) in ${c.files} file(s), not yet on the chain`,
  );
  lines.push(
    spool.pending > 0
      ? `${spool.pending} write record(s) wait in ${spool.dir}: start the gateway with the audit store answering to replay them`
      : `no records wait in the audit spool (${spool.dir})`,
  );
  if (spool.otherFiles > 0) lines.push(`(${spool.otherFiles} spool file(s) there belong to another database's chains)`);
  return lines.join('\n');
}

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
    const dir = readAuditSpoolDir(env);
    const spool: SpoolReport = { dir, pending: 0, chains: [], otherFiles: 0 };
    for (const chain of spoolContents(dir)) {
      if (!(await chainRegistered(database.db, chain.chainId))) spool.otherFiles += chain.files;
      else {
        spool.chains.push(chain);
        spool.pending += chain.records;
      }
    }
    console.log(
      json ? JSON.stringify({ ...report, spool }, null, 2) : `${formatReport(report)}\n${formatSpool(spool)}`,
    );
    if (!report.ok) return EXIT.broken;
    return spool.pending > 0 ? EXIT.spooled : EXIT.ok;
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
    // A wrong setting, a folder in use by a running hub: one line saying what to do.
    console.error(isOperatorError(error) ? error.message : error);
    return EXIT.failed;
  }
}

process.exitCode = await main(process.argv.slice(2));
