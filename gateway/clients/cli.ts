// `npm run client -- list | suspend <id> --reason <text> | activate <id>`: the operator's hand on the client
// register, on the gateway's database (GATEWAY_DATABASE_URL, else DATABASE_URL, else the embedded PGlite in
// PGLITE_DATA_DIR, DEFAULT_DATA_DIR by default). With REDIS_URL set, running gateways hear of a change at once;
// without it, gateways in other processes pick it up at their periodic re-read (30 s).
// Embedded: a PGlite folder serves one process at a time, so stop the hub first (it reads the change when it
// starts again); against PostgreSQL the gateways may keep running.
import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR, isOperatorError, readDatabaseConfig, readUrl, type Env } from '../../core/config.js';
import { openDatabase } from '../../core/database.js';
import { GATEWAY_STORE, migrateGatewayDatabase } from '../../store/migrations.js';
import { openClientChanges, RESYNC_INTERVAL_MS } from '../../store/clients/changes.js';
import { ClientCommandError, listClients, setClientStatus, type ClientRecord } from '../../store/clients/commands.js';

const USAGE = `usage: npm run client -- <command>

  list [--json]                      every client with its status, rate and whether it may introspect
                                     the schema (--json: full records)
  suspend <id> --reason <text>       refuse the client's requests on every gateway
  activate <id> [--reason <text>]    admit a suspended client again

The gateway database is GATEWAY_DATABASE_URL, else DATABASE_URL, else embedded PGlite in PGLITE_DATA_DIR
(${DEFAULT_DATA_DIR}); embedded, stop the hub first (a PGlite folder serves one process at a time).`;

/** Exit codes: 0 done, 1 refused or failed, 2 not understood. */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

class UsageError extends Error {}

type Command = { name: 'list'; json: boolean } | { name: 'suspend' | 'activate'; id: string; reason: string | null };

function parseCommand(argv: string[]): Command | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { reason: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  const [name, id, ...extra] = positionals;
  if (!name) throw new UsageError('name a command');
  if (name === 'list') {
    if (id !== undefined || values.reason !== undefined) throw new UsageError('list takes no client id or --reason');
    return { name, json: values.json ?? false };
  }
  if (name !== 'suspend' && name !== 'activate') throw new UsageError(`unknown command "${name}"`);
  if (!id) throw new UsageError(`${name} needs a client id`);
  if (extra.length > 0)
    throw new UsageError(`unexpected "${extra.join(' ')}" (quote a reason with spaces: --reason "…")`);
  if (values.json) throw new UsageError('--json goes with list');
  const reason = values.reason?.trim() || null;
  if (name === 'suspend' && !reason)
    throw new UsageError('suspend needs --reason <text>: the next operator needs to know why');
  return { name, id, reason };
}

function formatList(clients: ClientRecord[]): string {
  const rows = clients.map((c) => [
    c.id,
    c.kind,
    c.status,
    String(c.requestsPerMinute),
    c.city ?? c.domain ?? '-',
    c.introspection ? 'yes' : 'no',
    c.name,
  ]);
  const header = ['ID', 'KIND', 'STATUS', 'PER MIN', 'SCOPE', 'INTROSPECTION', 'NAME'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // The name goes last and unpadded: Chinese characters take two columns in a terminal.
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 3 ? cell.padStart(widths[i]!) : i < cells.length - 1 ? cell.padEnd(widths[i]!) : cell))
      .join('  ');
  const lines = [line(header)];
  clients.forEach((c, i) => {
    lines.push(line(rows[i]!));
    if (c.status === 'SUSPENDED')
      lines.push(`    suspended since ${c.statusChangedAt.toISOString()}: ${c.statusReason ?? ''}`);
  });
  return lines.join('\n');
}

async function run(command: Command, env: Env): Promise<void> {
  const redisUrl = readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const databaseConfig = readDatabaseConfig(GATEWAY_STORE, env);
  const database = await openDatabase(databaseConfig);
  const changes = openClientChanges(redisUrl);
  try {
    // As `npm run seed` does: on a fresh database the register (with its demo clients) is created first.
    await migrateGatewayDatabase(database);
    if (command.name === 'list') {
      const clients = await listClients(database.db);
      console.log(command.json ? JSON.stringify(clients, null, 2) : formatList(clients));
      return;
    }
    const status = command.name === 'suspend' ? 'SUSPENDED' : 'ACTIVE';
    const client = await setClientStatus(database.db, changes, command.id, status, command.reason);
    console.log(
      `${client.id} (${client.name}) is ${client.status}${client.statusReason ? `: ${client.statusReason}` : ''}`,
    );
    if (databaseConfig.kind === 'pglite') console.log('embedded database: the hub applies this when it starts');
    else if (!redisUrl)
      console.log(
        `no REDIS_URL: running gateways apply this at their next re-read, within ${RESYNC_INTERVAL_MS / 1000} s`,
      );
    else console.log('announced: running gateways apply this within a second');
  } finally {
    await changes.close();
    await database.close();
  }
}

async function main(argv: string[]): Promise<number> {
  let command: Command | 'help';
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`npm run client: ${error.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (command === 'help') {
    console.log(USAGE);
    return EXIT.ok;
  }
  try {
    await run(command, process.env);
    return EXIT.ok;
  } catch (error) {
    // A refusal or a configuration mistake is one line; anything else keeps its stack for whoever investigates.
    if (error instanceof ClientCommandError || isOperatorError(error)) console.error(error.message);
    else console.error(error);
    return EXIT.failed;
  }
}

process.exitCode = await main(process.argv.slice(2));
