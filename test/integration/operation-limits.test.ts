// What the gateway refuses about an operation before anything is planned, through the real hub: no operation to
// run or a subscription (once INTERNAL_SERVER_ERROR), fragment fan-outs, aliases, directives, tokens, cost,
// holders per request, field suggestions and introspection; each a coded 4xx, recorded in the audit trail as a
// refused request, and each limit configurable.
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { getIntrospectionQuery } from 'graphql';
import { describe, expect } from 'vitest';
import { readOperationLimits } from '../../gateway/config.js';
import { DEFAULT_LIMITS } from '../../gateway/limits/operation-limits.js';
import { startGateway, type RunningGateway } from '../../gateway/server.js';
import { rowsOf } from '../../core/database.js';
import { hubTest } from '../support/fixtures.js';
import { READER, type HttpAnswer, type Identity, type TestHub } from '../support/hub.js';
import { idNumber, randomBirth } from '../support/identities.js';
import { HOLDERS_ALL_DOMAINS, HOLDER_ALL_DOMAINS } from '../support/queries.js';

const it = hubTest();
const GOVERNANCE: Identity = { client: 'governance', purpose: 'GOVERNANCE_AUDIT' };
const DEPARTMENT: Identity = { client: 'dept-hr', purpose: 'HR_SERVICE' };
const CITY: Identity = { client: 'city-440100', purpose: 'HR_SERVICE' };

/** A document no other request of the run sends (a comment changes its hash, not its meaning). */
const unique = (query: string) => `${query}\n# ${randomUUID()}`;

/** The audit records of requests that sent exactly `query`. */
async function recordsOf(hub: TestHub, query: string) {
  const hash = createHash('sha256').update(query).digest('hex');
  return rowsOf<{ outcome: string; errorCodes: string[]; clientId: string }>(
    hub.gateway.database.db,
    sql`select outcome, error_codes as "errorCodes", client_id as "clientId" from gateway.audit_records
        where document_hash = ${hash}`,
  );
}

/** A 400 (or `status`) with exactly one error of `code`, recorded as a refusal with that code. */
async function expectRefused(hub: TestHub, query: string, answer: HttpAnswer, code: string, status = 400) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual([code]);
  expect(await recordsOf(hub, query)).toEqual([{ outcome: 'REFUSED', errorCodes: [code], clientId: READER.client }]);
}

/** `levels` fragments, each spreading the next under `fan` aliases: fan^(levels-1) copies of the last one. */
function fragmentBomb(levels: number, fan: number): string {
  const fragments: string[] = [];
  for (let i = 0; i < levels; i++) {
    const onCard = i % 2 === 0;
    const inner =
      i === levels - 1 ? (onCard ? 'cardNumber' : 'name') : `${onCard ? 'holder' : 'cards'} { ...F${i + 1} }`;
    const selection = i === levels - 1 ? inner : Array.from({ length: fan }, (_, k) => `a${k}: ${inner}`).join(' ');
    fragments.push(`fragment F${i} on ${onCard ? 'Card' : 'Holder'} { ${selection} }`);
  }
  return `{ card(cardNumber: "L00000001") { ...F0 } } ${fragments.join(' ')}`;
}

const aliased = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

describe('operations the gateway cannot run: a client error, audited', () => {
  it('refuses several operations without operationName with BAD_REQUEST', async ({ hub }) => {
    const query = unique('query A { banks { code } } query B { banks { name } }');
    const answer = await hub.as(READER).post(query);
    await expectRefused(hub, query, answer, 'BAD_REQUEST');
    expect(answer.body.errors![0]!.message).toBe(
      'The document holds several operations: name the one to run in operationName',
    );
  });

  it.for([
    ['empty', ''],
    ['100 KB long', 'N'.repeat(100_000)],
    ['with NUL', 'Banks\u0000'],
    ['with lone surrogates', 'Banks\ud800x\udfff'],
    ['naming none', 'Nowhere'],
  ])('refuses an operationName %s with BAD_REQUEST, echoing at most 64 characters of it', async ([, name], { hub }) => {
    const query = unique('query Banks { banks { code } }');
    const answer = await hub.as(READER).send({ query, operationName: name });
    await expectRefused(hub, query, answer, 'BAD_REQUEST');
    const message = answer.body.errors![0]!.message;
    expect(message.length).toBeLessThan(160);
    expect(message).not.toContain('\u0000');
  });

  it('refuses a subscription with OPERATION_NOT_SUPPORTED', async ({ hub }) => {
    const query = unique('subscription { banks { code } }');
    await expectRefused(hub, query, await hub.as(READER).post(query), 'OPERATION_NOT_SUPPORTED');
  });

  it('still runs the operation operationName names', async ({ hub }) => {
    const answer = await hub.as(READER).send({
      query: 'query A { banks { code } } query B { banks { name } }',
      operationName: 'B',
    });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
  });
});

describe('fragment fan-out', () => {
  let relaxed: RunningGateway;
  it.beforeAll(async ({ hub }) => {
    // graphql-armor's alias and cost rules refuse a fan-out of aliases by themselves: with them relaxed, the
    // expansion bound stands alone.
    relaxed = await startGateway(
      {
        ...hub.gatewayConfig(),
        limits: { ...readOperationLimits({}), maxAliases: 1e9, maxCost: Number.MAX_VALUE, maxExpandedFields: 2_000 },
      },
      { database: hub.gateway.database },
    );
  });
  it.afterAll(() => relaxed?.close());

  it.for([
    ['2^20', 11, 4],
    ['2^21', 8, 8],
  ] as const)(
    'answers a 2 KB document with a %s-way fan-out with a 400 in well under a second',
    async ([, levels, fan], { hub }) => {
      const query = unique(fragmentBomb(levels, fan));
      expect(query.length).toBeLessThan(2_100);
      for (const url of [hub.gatewayUrl, relaxed.url]) {
        const before = hub.statementCount();
        const started = performance.now();
        const answer = await hub.as(READER, url).post(query);
        expect(performance.now() - started).toBeLessThan(500);
        expect(answer.status).toBe(400);
        expect(hub.statementCount()).toBe(before);
        if (url === relaxed.url) {
          expect(answer.body.errors).toEqual([
            {
              message: expect.stringMatching(
                /^The operation expands to \d+ fields once its fragments are spread; at most 2000 are allowed$/,
              ),
              extensions: { code: 'QUERY_TOO_LARGE', maxExpandedFields: 2_000 },
            },
          ]);
        } else {
          expect(answer.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
        }
      }
      expect((await recordsOf(hub, query)).map((r) => r.outcome)).toEqual(['REFUSED', 'REFUSED']);
    },
  );

  it('answers a mutation whose root fragments double 24 times (no aliases) with QUERY_TOO_LARGE at once', async ({
    hub,
  }) => {
    // Through every didResolveOperation check, each of which walks a fragment once (the write domains' check once
    // walked every spread: 2^24 walks).
    const fragments = Array.from({ length: 24 }, (_, i) => `fragment F${i} on Mutation { ...F${i + 1} ...F${i + 1} }`);
    const query = unique(`mutation { ...F0 } ${fragments.join(' ')} fragment F24 on Mutation { __typename }`);
    const started = performance.now();
    const answer = await hub.as(DEPARTMENT, relaxed.url).post(query);
    expect(performance.now() - started).toBeLessThan(500);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_LARGE']);
  });
});

describe('graphql-armor limits', () => {
  it('refuses more than 100 aliases, naming the limit, and serves 100', async ({ hub }) => {
    const query = unique(aliased(101, 'banks { code }'));
    const answer = await hub.as(READER).post(query);
    await expectRefused(hub, query, answer, 'GRAPHQL_VALIDATION_FAILED');
    expect(answer.body.errors![0]).toMatchObject({
      message: 'Aliases limit of 100 exceeded, found 101.',
      extensions: { limit: 'MAX_ALIASES' },
    });
    expect((await hub.as(READER).post(aliased(100, 'banks { code }'))).status).toBe(200);
  });

  it('refuses more than 50 directives', async ({ hub }) => {
    const query = unique(`{ banks { ${Array.from({ length: 51 }, () => 'code @include(if: true)').join(' ')} } }`);
    const answer = await hub.as(READER).post(query);
    await expectRefused(hub, query, answer, 'GRAPHQL_VALIDATION_FAILED');
    expect(answer.body.errors![0]!.extensions).toMatchObject({ limit: 'MAX_DIRECTIVES' });
  });

  it('refuses a document over 5000 tokens at parsing', async ({ hub }) => {
    const query = unique(`{ banks { ${'code '.repeat(5_000)} } }`);
    const answer = await hub.as(READER).post(query);
    await expectRefused(hub, query, answer, 'GRAPHQL_PARSE_FAILED');
  });

  it('refuses an operation over the cost limit', async ({ hub }) => {
    const query = unique(
      `query($n: String!) { holderByCard(cardNumber: $n) { rides(first: 5000) { nodes { id mode fare station } } venueAdmissions(first: 5000) { nodes { id venue { name } } } } }`,
    );
    const answer = await hub.as(READER).post(query, { n: 'L00000001' });
    await expectRefused(hub, query, answer, 'GRAPHQL_VALIDATION_FAILED');
    expect(answer.body.errors![0]!.extensions).toMatchObject({ limit: 'MAX_COST' });
  });

  it('hides field suggestions outside development', async ({ hub }) => {
    const answer = await hub.as(READER).post('{ banks { nme } }');
    expect(answer.status).toBe(400);
    expect(answer.body.errors![0]!.message).not.toMatch(/Did you mean|"name"/);
  });

  it('serves the bench scenarios: one holder and a hundred, every domain', async ({ hub }) => {
    const ids = Array.from({ length: 100 }, () => idNumber());
    for (const [query, variables] of [
      [HOLDER_ALL_DOMAINS, { id: ids[0] }],
      [HOLDERS_ALL_DOMAINS, { ids }],
    ] as const) {
      const answer = await hub.as(READER).post(query, variables);
      expect(answer.status, JSON.stringify(answer.body.errors)).toBe(200);
      expect(answer.body.errors?.filter((e) => e.extensions?.code !== 'HOLDER_NOT_FOUND') ?? []).toEqual([]);
    }
  });
});

describe('holders per request', () => {
  const many = (aliases: number, perList: number) => {
    const fields = Array.from({ length: aliases }, (_, i) => `h${i}: holders(idNumbers: $ids) { id }`).join(' ');
    return {
      query: unique(`query($ids: [String!]!) { ${fields} }`),
      ids: distinctIds(perList),
    };
  };
  /** `n` distinct ID numbers (a request's holders are counted distinct within each argument). */
  function distinctIds(n: number): string[] {
    const ids = new Set<string>();
    while (ids.size < n) ids.add(idNumber('440106', randomBirth()));
    return [...ids];
  }
  const list = (ids: string[]) => `[${ids.map((id) => JSON.stringify(id)).join(', ')}]`;

  /** A gateway of the hub's with `limits` and a holder budget of its own (in process, shared with no other file). */
  async function gatewayWith(hub: TestHub, limits: Partial<ReturnType<typeof readOperationLimits>>) {
    return startGateway(
      { ...hub.gatewayConfig(), redisUrl: undefined, limits: { ...readOperationLimits({}), ...limits } },
      { database: hub.gateway.database },
    );
  }

  it('refuses 100 ID numbers under 11 aliases (1,100 holders) with TOO_MANY_HOLDERS before any subgraph is called', async ({
    hub,
  }) => {
    const { query, ids } = many(11, 100);
    const before = hub.statementCount();
    const answer = await hub.as(READER).post(query, { ids });
    await expectRefused(hub, query, answer, 'TOO_MANY_HOLDERS');
    expect(answer.body.errors![0]).toMatchObject({
      message: 'The request names 1100 holders; at most 1000 are allowed in one request',
      extensions: { maxHolders: 1_000 },
    });
    expect(hub.statementCount()).toBe(before);
  });

  it('serves 1,000', async ({ hub }) => {
    const { query, ids } = many(10, 100);
    const answer = await hub.as(READER).post(query, { ids });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
  });

  // Review 12, item 4: sent without variables, a default value counted 0 holders.
  it("counts a list variable's default value at each of its uses", async ({ hub }) => {
    const ids = distinctIds(100);
    const fields = Array.from({ length: 11 }, (_, i) => `h${i}: holders(idNumbers: $ids) { id }`).join(' ');
    const query = unique(`query($ids: [String!]! = ${list(ids)}) { ${fields} }`);
    const before = hub.statementCount();
    const answer = await hub.as(READER).send({ query });
    await expectRefused(hub, query, answer, 'TOO_MANY_HOLDERS');
    expect(answer.body.errors![0]!.message).toBe(
      'The request names 1100 holders; at most 1000 are allowed in one request',
    );
    expect(hub.statementCount()).toBe(before);
  });

  // Review 12, item 11: lookups by one identifier, and identifiers inside input objects, counted 0.
  it('counts each lookup by a single identifier and each row of an input list', async ({ hub }) => {
    const gateway = await gatewayWith(hub, { maxHolders: 50 });
    try {
      const before = hub.statementCount();
      const lookups = [
        `{ ${Array.from({ length: 51 }, (_, i) => `h${i}: holder(idNumber: "${idNumber()}") { id }`).join(' ')} }`,
        `{ ${Array.from({ length: 26 }, (_, i) => `c${i}: card(cardNumber: "L9${String(i).padStart(7, '0')}") { status } b${i}: holderByCard(cardNumber: "L8${String(i).padStart(7, '0')}") { name }`).join(' ')} }`,
      ];
      for (const query of lookups) {
        const answer = await hub.as(READER, gateway.url).post(query);
        expect(answer.status, JSON.stringify(answer.body)).toBe(400);
        expect(answer.body.errors?.[0]).toMatchObject({
          message: expect.stringMatching(/^The request names \d+ holders; at most 50 are allowed in one request$/),
          extensions: { code: 'TOO_MANY_HOLDERS', maxHolders: 50 },
        });
      }
      const admissions = Array.from({ length: 51 }, (_, i) => ({
        cardNumber: `L7${String(i).padStart(7, '0')}`,
        venueCode: 'T-MUS-SZ',
      }));
      const rows = await hub
        .as({ client: 'dept-culture-tourism', purpose: 'CULTURE_TOURISM' }, gateway.url)
        .post('mutation($input: RecordAdmissionsInput!) { recordAdmissions(input: $input) { recorded } }', {
          input: { idempotencyKey: randomUUID(), admissions },
        });
      expect(rows.status, JSON.stringify(rows.body)).toBe(400);
      expect(rows.body.errors?.map((e) => e.extensions?.code)).toEqual(['TOO_MANY_HOLDERS']);
      expect(hub.statementCount()).toBe(before);
      // 50 is served.
      const fifty = `{ ${Array.from({ length: 50 }, (_, i) => `h${i}: holder(idNumber: "${idNumber()}") { id }`).join(' ')} }`;
      expect((await hub.as(READER, gateway.url).post(fifty)).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });

  it('bounds a client’s holders per minute, lookups by one identifier included, with 429 and Retry-After', async ({
    hub,
  }) => {
    const gateway = await gatewayWith(hub, { maxHoldersPerMinute: 150 });
    try {
      // Three requests of 100: two of them share a minute's window whenever the clock turns.
      const answers: HttpAnswer[] = [];
      const queries: string[] = [];
      for (let i = 0; i < 3; i++) {
        const query = unique(
          `{ ${Array.from({ length: 100 }, (_, k) => `h${k}: holder(idNumber: "${idNumber()}") { id }`).join(' ')} }`,
        );
        queries.push(query);
        answers.push(await hub.as(CITY, gateway.url).post(query));
      }
      expect(answers[0]!.status, JSON.stringify(answers[0]!.body)).toBe(200);
      const refused = answers.find((a) => a.status === 429);
      expect(refused?.body).toEqual({
        errors: [
          {
            message: expect.stringMatching(
              /^Client city-440100 is over its limit of 150 holders a minute; retry in \d+ s$/,
            ),
            extensions: { code: 'TOO_MANY_HOLDERS', maxHoldersPerMinute: 150, retryAfterSeconds: expect.any(Number) },
          },
        ],
      });
      expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
      // Answered before execution, and audited as a refusal like the checks thrown before it.
      expect(await recordsOf(hub, queries[answers.indexOf(refused!)]!)).toEqual([
        { outcome: 'REFUSED', errorCodes: ['TOO_MANY_HOLDERS'], clientId: CITY.client },
      ]);
    } finally {
      await gateway.close();
    }
  });

  // Review 12, item 12: the budget was taken beside the other plugins' checks, so refused requests spent it.
  it('spends no holder budget on a request another check refuses', async ({ hub }) => {
    const gateway = await gatewayWith(hub, { maxHoldersPerMinute: 150 });
    try {
      const ids = distinctIds(100);
      // 13 levels (the depth limit is 12), and a write of 100 rows by a client that owns no domain: 200 holders
      // refused, which a budget of 150 would not have left room for.
      let deep = 'id';
      for (let i = 0; i < 6; i++) deep = `cards { holder { ${deep} } }`;
      const tooDeep = await hub
        .as(CITY, gateway.url)
        .post(`query($ids: [String!]!) { holders(idNumbers: $ids) { ${deep} } }`, { ids });
      expect(tooDeep.body.errors?.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_DEEP']);
      const admissions = ids.map((_, i) => ({ cardNumber: `L6${String(i).padStart(7, '0')}`, venueCode: 'T-MUS-SZ' }));
      const notOwned = await hub
        .as(CITY, gateway.url)
        .post('mutation($input: RecordAdmissionsInput!) { recordAdmissions(input: $input) { recorded } }', {
          input: { idempotencyKey: randomUUID(), admissions },
        });
      expect(notOwned.body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      const answer = await hub
        .as(CITY, gateway.url)
        .post(`query($ids: [String!]!) { holders(idNumbers: $ids) { id } }`, {
          ids,
        });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});

describe('introspection', () => {
  const SCHEMA = '{ __schema { queryType { name } } }';

  it('is refused to the provincial and city platforms with FORBIDDEN, through fragments too', async ({ hub }) => {
    const query = unique(SCHEMA);
    await expectRefused(hub, query, await hub.as(READER).post(query), 'FORBIDDEN', 403);
    for (const q of [
      '{ __type(name: "Holder") { name } }',
      '{ ...F } fragment F on Query { ... on Query { __schema { types { name } } } }',
    ]) {
      const answer = await hub.as(CITY).post(q);
      expect(answer.status).toBe(403);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    // __typename is no introspection of the schema.
    expect((await hub.as(READER).post('{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('is served to governance and the departments, the full introspection query included', async ({ hub }) => {
    for (const identity of [GOVERNANCE, DEPARTMENT]) {
      const answer = await hub.as(identity).post(getIntrospectionQuery());
      expect(answer.status).toBe(200);
      expect(answer.body.data.__schema.queryType.name).toBe('Query');
    }
  });

  it('follows the register: each entry says whether it may', async ({ hub }) => {
    const rows = await rowsOf<{ kind: string; introspection: boolean }>(
      hub.gateway.database.db,
      sql`select distinct kind, introspection from gateway.clients where id not like 'test-%' order by kind`,
    );
    expect(rows).toEqual([
      { kind: 'CITY', introspection: false },
      { kind: 'DEPARTMENT', introspection: true },
      { kind: 'GOVERNANCE', introspection: true },
      { kind: 'PROVINCE', introspection: false },
    ]);
    expect(hub.gateway.register.get('governance')?.introspection).toBe(true);
    expect(hub.gateway.register.get('province')?.introspection).toBe(false);
  });
});

describe('configuration', () => {
  it('reads each limit with its default, validated, naming the variable', () => {
    expect(readOperationLimits({})).toEqual({ ...DEFAULT_LIMITS, fieldSuggestions: false });
    expect(readOperationLimits({ NODE_ENV: 'development' }).fieldSuggestions).toBe(true);
    expect(readOperationLimits({ GATEWAY_MAX_HOLDERS: '50', GATEWAY_MAX_ALIASES: '7' })).toMatchObject({
      maxHolders: 50,
      maxAliases: 7,
    });
    for (const variable of [
      'GATEWAY_MAX_EXPANDED_FIELDS',
      'GATEWAY_MAX_HOLDERS',
      'GATEWAY_MAX_HOLDERS_PER_MINUTE',
      'GATEWAY_MAX_ALIASES',
      'GATEWAY_MAX_DIRECTIVES',
      'GATEWAY_MAX_TOKENS',
      'GATEWAY_MAX_COST',
    ])
      expect(() => readOperationLimits({ [variable]: '0' })).toThrow(`Configuration error in ${variable}`);
  });
});
