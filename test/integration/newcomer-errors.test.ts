// A newcomer's wrong settings, told in one line naming the variable, what was tried and what to do, with a non-zero
// exit code (issue 12 §7): a DATABASE_URL naming no database, a refused port, an unknown role; a port in use; a
// token asked for a client the register does not have. Real processes.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import postgres from 'postgres';
import { cleanUp, newcomerEnv, runToEnd } from './newcomer-processes.js';

/** The PostgreSQL the suite runs on, else the machine's usual one: the server-side cases need one answering. */
const server = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
let serverUp = false;
let listener: Server;

beforeAll(async () => {
  const probe = postgres(server.toString(), { max: 1, connect_timeout: 3, onnotice: () => {} });
  serverUp = await probe`select 1`.then(
    () => true,
    () => false,
  );
  await probe.end();
  listener = createServer().listen(0, '127.0.0.1');
  await once(listener, 'listening');
});
afterAll(async () => {
  listener?.close();
  cleanUp();
});

const urlWith = (change: (u: URL) => void) => {
  const u = new URL(server);
  change(u);
  return u.toString();
};

const oneLine = (output: string) => {
  expect(output).not.toMatch(/\n\s+at |PostgresError|node:internal/);
};

it.each([
  {
    what: 'no such database',
    url: () => urlWith((u) => (u.pathname = '/no_such_db_xyz')),
    says: (u: URL) => [`database "no_such_db_xyz" does not exist`, `createdb -h ${u.hostname} -p ${u.port || 5432}`],
    needsServer: true,
  },
  {
    what: 'an unknown role',
    url: () => urlWith((u) => ((u.username = 'nobody_xyz'), (u.password = 'hunter2-secret'))),
    says: () => ['role "nobody_xyz" does not exist', 'create the role'],
    needsServer: true,
  },
  {
    what: 'a refused connection',
    url: () => 'postgres://postgres:hunter2-secret@127.0.0.1:1/test',
    says: () => ['connect ECONNREFUSED 127.0.0.1:1', 'start PostgreSQL there'],
    needsServer: false,
  },
])(
  'names DATABASE_URL when it is wrong: $what',
  async ({ url, says, needsServer }) => {
    if (needsServer && !serverUp) return; // no PostgreSQL on this machine: the refused-connection case still runs
    const given = url();
    // `npm start` for every case; the one-shot commands open the database the same way (core/database.ts).
    for (const script of needsServer ? ['start'] : ['start', 'audit:verify']) {
      const { code, output } = await runToEnd(script, [], { ...newcomerEnv(), DATABASE_URL: given });
      expect(code, output).not.toBe(0);
      const tried = new URL(given);
      tried.password = '';
      expect(output).toContain(`DATABASE_URL: cannot use PostgreSQL at ${tried.toString()}`);
      for (const part of says(new URL(given))) expect(output).toContain(part);
      expect(output).not.toContain('hunter2-secret');
      oneLine(output);
    }
  },
  60_000,
);

it('names the port variable when the port is in use, before opening anything', async () => {
  const { port } = listener.address() as AddressInfo;
  const env = newcomerEnv();
  const gateway = await runToEnd('start', [], { ...env, GATEWAY_PORT: String(port) });
  expect(gateway.code, gateway.output).not.toBe(0);
  expect(gateway.output).toContain(`Port 127.0.0.1:${port} is in use (GATEWAY_PORT)`);
  expect(gateway.output).toContain('set GATEWAY_PORT to another port');
  expect(gateway.output).not.toMatch(/migrated|holders in|subgraph hr on/);
  oneLine(gateway.output);

  const subgraph = await runToEnd('start', [], { ...env, HEALTH_PORT: String(port) });
  expect(subgraph.output).toContain(`Port 127.0.0.1:${port} is in use (HEALTH_PORT)`);
  expect(subgraph.code).not.toBe(0);
}, 60_000);

it('refuses a token for a client the register does not have, and issues one for a client it has', async () => {
  const env = newcomerEnv();
  const unknown = await runToEnd('token', ['no-such-client'], env);
  expect(unknown.code).toBe(1);
  expect(unknown.output).toContain('no client "no-such-client"');
  expect(unknown.output).toContain('npm run client -- list');
  expect(unknown.output).not.toMatch(/eyJ/);

  const known = await runToEnd('token', ['city-440300'], env);
  expect(known.code, known.output).toBe(0);
  expect(known.output).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/m);

  // Read from the register itself where it can be: a client suspended there gets a token and a warning.
  expect((await runToEnd('client', ['suspend', 'city-440300', '--reason', 'newcomer test'], env)).code).toBe(0);
  const suspended = await runToEnd('token', ['city-440300'], env);
  expect(suspended.code).toBe(0);
  expect(suspended.output).toContain('city-440300 is SUSPENDED');
}, 60_000);
