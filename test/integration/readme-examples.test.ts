// Every README example runs as written (issue 12 §7), against a started hub seeded as `npm start` seeds it. The rule
// (stated in the README's "README examples" section for contributors):
// - a ```sh (or ```bash) block with a line starting `curl` is run by bash from the repository's root, in order,
//   with `http://127.0.0.1:4000` read as the test hub's address and `npm run token` signing with its secret; every
//   JSON answer it prints must carry `data` and no `errors`;
// - a ```graphql block is sent as the query the README's curl example sends: the provincial platform's token,
//   `x-purpose: HOLDER_SELF_SERVICE`, `x-operator: holder-app`; its answer must carry `data` and no `errors`;
// - an HTML comment on the line before the fence adjusts that: `<!-- example: skip -->` (not run: say why around
//   it), `<!-- example: errors -->` (the answer must carry coded errors), and for a graphql block
//   `<!-- example: client=<id> purpose=<P> operator=<o> case=<c> -->` for another caller.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { hubTest } from '../support/fixtures.js';
import { TEST_JWT_SECRET, TEST_SUBGRAPH_SECRET } from '../support/hub.js';
import { ROOT } from './newcomer-processes.js';

interface Example {
  lang: 'sh' | 'graphql';
  line: number;
  code: string;
  options: Record<string, string | true>;
}

/** The README's runnable examples, by the rule above. */
function readmeExamples(readme: string): Example[] {
  const lines = readme.split('\n');
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    const code = lines.slice(i + 1, end).join('\n');
    const lang = fence[1] === 'bash' ? 'sh' : fence[1];
    const marker = /^<!--\s*example:(.*)-->\s*$/.exec(lines[i - 1] ?? '');
    const options: Record<string, string | true> = {};
    for (const word of marker?.[1]!.trim().split(/\s+/) ?? []) {
      const [key, value] = word.split('=');
      if (key) options[key] = value ?? true;
    }
    i = end;
    if (options.skip) continue;
    if (lang === 'sh' && /^\s*curl\s/m.test(code)) examples.push({ lang, line: i + 1, code, options });
    if (lang === 'graphql') examples.push({ lang, line: i + 1, code, options });
  }
  return examples;
}

/** The JSON values a shell example printed, one after another (curl prints bodies back to back). */
function jsonValues(output: string): unknown[] {
  const values: unknown[] = [];
  let rest = output.trim();
  while (rest) {
    // The shortest prefix that parses, ending at a closing brace.
    let end = rest.indexOf('}') + 1;
    for (;;) {
      if (end <= 0) throw new Error(`not JSON: ${rest.slice(0, 200)}`);
      try {
        values.push(JSON.parse(rest.slice(0, end)));
        break;
      } catch {
        end = rest.indexOf('}', end) + 1;
      }
    }
    rest = rest.slice(end).trim();
  }
  return values;
}

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const examples = readmeExamples(README);
const run = promisify(execFile);

// As `npm start` seeds: the README's cards are among the first 1,000 demo holders.
const it = hubTest({ seedHolders: 1000 });

function expectAnswer(answer: any, example: Example) {
  const where = `README.md example at line ${example.line}: ${JSON.stringify(answer).slice(0, 500)}`;
  if (example.options.errors) {
    expect(answer.errors?.length, where).toBeGreaterThan(0);
    for (const error of answer.errors) expect(error.extensions?.code, where).toEqual(expect.any(String));
  } else {
    expect(answer.errors, where).toBeUndefined();
    expect(answer.data, where).toBeTruthy();
  }
}

it('finds the README’s examples: curl ones and GraphQL ones', () => {
  expect(examples.filter((e) => e.lang === 'sh').length).toBeGreaterThan(0);
  expect(examples.filter((e) => e.lang === 'graphql').length).toBeGreaterThan(0);
});

it('runs every README example as written, each answering data and no errors', async ({ hub }) => {
  const origin = new URL(hub.gatewayUrl).origin;
  for (const example of examples) {
    if (example.lang === 'sh') {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        // What the reader's `npm start` shares with `npm run token`: the secret the hub verifies with.
        GATEWAY_JWT_SECRET: TEST_JWT_SECRET,
        SUBGRAPH_SECRET: TEST_SUBGRAPH_SECRET,
        PGLITE_DATA_DIR: 'memory',
      };
      delete env.DATABASE_URL;
      delete env.GATEWAY_DATABASE_URL;
      const script = example.code.replaceAll('http://127.0.0.1:4000', origin);
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, env, timeout: 60_000 });
      const answers = jsonValues(stdout);
      expect(answers.length, `README.md example at line ${example.line} printed nothing`).toBeGreaterThan(0);
      for (const answer of answers) expectAnswer(answer, example);
    } else {
      const client = typeof example.options.client === 'string' ? example.options.client : 'province';
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        authorization: `Bearer ${await hub.token(client)}`,
        'x-purpose': typeof example.options.purpose === 'string' ? example.options.purpose : 'HOLDER_SELF_SERVICE',
        'x-operator': typeof example.options.operator === 'string' ? example.options.operator : 'holder-app',
      };
      if (typeof example.options.case === 'string') headers['x-case-ref'] = example.options.case;
      const response = await fetch(hub.gatewayUrl, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: example.code }),
      });
      expectAnswer(await response.json(), example);
    }
  }
}, 120_000);
