// 10,000 generated bad requests at a real gateway over real subgraphs (issue 12 §5): malformed JSON and GraphQL,
// wrong types, odd Unicode in values and headers, bad tokens, alias and fragment bombs, batches, unknown operation
// names, wrong methods and paths. None may crash the hub, be answered 5xx, answer anything but a GraphQL error with
// a code (or data, for the few that are valid), or put a stack trace, SQL, a file path or a holder's identifier in
// an answer or a log line; none may write a row. The run is a seed: FUZZ_SEED=<n> replays one, FUZZ_RUNS=<n> sizes it,
// FUZZ_ONLY=<from>-<to> sends only that stretch of it.
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import http from 'node:http';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { hubTest } from '../support/fixtures.js';
import { fuzzCases, fuzzTokens, type FuzzCase } from '../support/fuzz.js';
import { TEST_AUDIENCE, TEST_JWT_SECRET } from '../support/hub.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const CONCURRENCY = 8;
const DEPARTMENT_SCHEMAS = ['hr', 'health', 'civil_affairs', 'transport', 'culture_tourism', 'public_security'];

const it = hubTest({ seedHolders: 20 });

// Bounded repetitions only: an unbounded `[\w-]+\.ts` over a 120 KB echoed name is quadratic, and would freeze this
// process (the hub runs in it) for seconds.
const LEAKS: [string, RegExp][] = [
  ['a stack trace', /\n\s+at [\w.<>]+ \(|\bat file:\/\//],
  ['a file path', /\/work\/|node_modules|\b[\w-]{1,80}\.ts:\d+/],
  [
    'SQL',
    /syntax error at or near|relation "[^"]+" does not exist|Failed query|violates [\w ]*constraint|duplicate key value/i,
  ],
];

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(base: URL, c: FuzzCase): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(c.body, 'utf8');
    const req = http.request(
      {
        agent,
        hostname: base.hostname,
        port: base.port,
        path: c.path,
        method: c.method,
        headers: { ...c.headers, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('error', reject);
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.setTimeout(20_000, () => req.destroy(new Error('no answer within 20 s')));
    req.once('error', reject);
    req.end(body);
  });
}

/** What is wrong with an answer, or null. */
function faultOf(c: FuzzCase, answer: Answer, secrets: string[]): string | null {
  if (answer.status >= 500) return `HTTP ${answer.status}`;
  for (const [what, pattern] of LEAKS) if (pattern.test(answer.text)) return `${what} in the answer`;
  for (const secret of secrets) if (answer.text.includes(secret)) return `a holder's identifier in the answer`;
  if (c.method === 'HEAD') return null;
  if (!/json/i.test(answer.contentType)) return `content type ${answer.contentType || 'none'}`;
  let body: any;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return 'an answer that is not JSON';
  }
  const onGraphQL = c.path.split('?')[0] === '/graphql';
  if (!onGraphQL)
    // 400: a target that is no path (`//%`); 431: headers too large to read the path at all (the huge token).
    if (!onGraphQL) return [400, 404, 405, 431].includes(answer.status) ? null : `HTTP ${answer.status} off /graphql`;
  const errors = Array.isArray(body) ? body.flatMap((b: any) => b?.errors ?? []) : body?.errors;
  if (errors === undefined) return body && 'data' in body ? null : 'neither data nor errors';
  if (!Array.isArray(errors) || errors.length === 0) return 'an empty errors list';
  for (const error of errors) {
    if (typeof error?.message !== 'string') return 'an error without a message';
    if (typeof error?.extensions?.code !== 'string') return `an error without a code: ${error.message.slice(0, 80)}`;
  }
  return null;
}

async function departmentRowCounts(hub: { rows<T>(q: ReturnType<typeof sql>): Promise<T[]> }) {
  const tables = await hub.rows<{ table_schema: string; table_name: string }>(
    sql`select table_schema, table_name from information_schema.tables
        where table_schema in ${DEPARTMENT_SCHEMAS} and table_type = 'BASE TABLE' order by 1, 2`,
  );
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const [row] = await hub.rows<{ n: number }>(
      sql.raw(`select count(*)::int as n from "${t.table_schema}"."${t.table_name}"`),
    );
    counts[`${t.table_schema}.${t.table_name}`] = row!.n;
  }
  return counts;
}

const logged: string[] = [];
beforeAll(() => {
  for (const level of ['log', 'info', 'warn', 'error'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(' '));
    });
  }
});
afterAll(() => {
  vi.restoreAllMocks();
  agent.destroy();
});

it(
  `${RUNS} generated bad requests: no crash, no 5xx, a coded GraphQL error each, nothing leaked or written`,
  { timeout: 600_000 },
  async ({ hub }) => {
    const secrets = (
      await hub.rows<{ id_number: string; phone: string | null }>(sql`select id_number, phone from hr.holders`)
    ).flatMap((h) => [h.id_number, ...(h.phone ? [h.phone] : [])]);
    const cardNumbers = (await hub.rows<{ card_number: string }>(sql`select card_number from hr.cards`)).map(
      (c) => c.card_number,
    );
    secrets.push(...cardNumbers);
    expect(secrets.length).toBeGreaterThan(20);
    const before = await departmentRowCounts(hub);

    const tokens = await fuzzTokens(TEST_JWT_SECRET, TEST_AUDIENCE, await hub.token('province'));
    const cases = fc.sample(fuzzCases(tokens), { seed: SEED, numRuns: RUNS });
    const base = new URL(hub.gatewayUrl);
    const faults: string[] = [];
    const byKind = new Map<string, number>();
    // FUZZ_ONLY=<from>-<to> replays a stretch of the run (the indices a failure names).
    const [from, to] = (process.env.FUZZ_ONLY ?? `0-${cases.length}`).split('-').map(Number);
    let next = from!;
    const end = Math.min(to! + 1, cases.length);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < end) {
          const index = next++;
          const c = cases[index]!;
          byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
          const fault = await send(base, c).then(
            (answer) => faultOf(c, answer, secrets),
            (error: Error) => `no answer: ${error.message}`,
          );
          if (fault && faults.length < 20)
            faults.push(`#${index} ${c.kind} ${c.method} ${c.path.slice(0, 40)}: ${fault} (replay: FUZZ_SEED=${SEED})`);
        }
      }),
    );
    expect(faults, `kinds sent: ${JSON.stringify(Object.fromEntries(byKind))}`).toEqual([]);

    // The hub still serves, and wrote nothing of any department's.
    expect((await hub.ok('{ banks { code } }')).banks).toBeDefined();
    expect(await departmentRowCounts(hub)).toEqual(before);

    const logFaults = logged.flatMap((line) => {
      const found = LEAKS.filter(([, p]) => p.test(line)).map(([what]) => what);
      if (secrets.some((s) => line.includes(s))) found.push("a holder's identifier");
      if (line.length > 2_000) found.push(`a line of ${line.length} characters`);
      return found.length ? [`${found.join(', ')}: ${line.slice(0, 200)}`] : [];
    });
    expect(logFaults.slice(0, 10)).toEqual([]);
  },
);
