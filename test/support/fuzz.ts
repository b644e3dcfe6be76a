// Generated bad requests for the gateway's fuzz test (test/integration/fuzz.test.ts): fast-check arbitraries, so a
// run is a seed and any failure replays from it. Each case is one raw HTTP request: method, path, headers and body
// bytes, with the kind of fault it carries, so a failure names what was being tried.
import fc from 'fast-check';
import { SignJWT } from 'jose';

export interface FuzzCase {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface FuzzTokens {
  /** A valid token of the provincial platform. */
  valid: string;
  /** Tokens that must be refused: alg none, wrong key, expired, not yet valid, huge, garbage. */
  bad: string[];
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Tokens every fuzz run uses; signed once, before generation, so generation stays synchronous. */
export async function fuzzTokens(secret: string, audience: string, valid: string): Promise<FuzzTokens> {
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>, key = secret) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(key));
  return {
    valid,
    bad: [
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'province', aud: audience, exp: now + 600 })}.`,
      `${b64({ alg: 'none' })}.${b64({ sub: 'province', aud: audience, exp: now + 600 })}.c2ln`,
      await sign({ sub: 'province', aud: audience, iat: now, exp: now + 600 }, 'another-secret-0123456789abcdef0123'),
      await sign({ sub: 'province', aud: audience, iat: now - 7200, exp: now - 3600 }),
      await sign({ sub: 'province', aud: audience, iat: now, nbf: now + 86_400, exp: now + 90_000 }),
      await sign({ sub: 'province', aud: audience, iat: now, exp: 1e20 }),
      await sign({ sub: 'province', aud: 'someone-else', iat: now, exp: now + 600 }),
      await sign({ sub: 'no-such-client', aud: audience, iat: now, exp: now + 600 }),
      await sign({ sub: 'province', aud: audience, iat: now, exp: now + 600, pad: 'x'.repeat(60_000) }),
      'a.b.c',
      'not-a-jwt',
    ],
  };
}

/** Strings a hostile client would try: odd Unicode, NUL, lone surrogates, very long, SQL and path fragments. */
const oddText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    '\u0000',
    '\ud800',
    'a\udfffb',
    '\u202e440106199003071234',
    "' OR 1=1 --",
    '"; DROP TABLE holders; --',
    '../../etc/passwd',
    '${7*7}',
    '__proto__',
    'constructor',
    '\r\nX-Injected: 1',
    '🀄'.repeat(50),
  ),
  fc.nat({ max: 120_000 }).map((n) => 'Z'.repeat(n)),
);

const FIELDS = ['holder', 'holders', 'banks', 'card', 'rideAuthorization', '__schema', '__typename', 'nope'];

/** Documents: malformed GraphQL, unknown fields, several operations, subscriptions, alias and fragment bombs. */
const badDocument = fc.oneof(
  oddText,
  fc.constantFrom(
    '{',
    '}',
    '{ holder(idNumber: ) { name } }',
    'query { holder(idNumber: "x") { name }',
    'query A { banks { code } } query B { banks { code } }',
    'subscription { holder(idNumber: "x") { name } }',
    'mutation { reportCardLoss }',
    '{ holder(idNumber: 1) { name } }',
    '{ holder(idNumber: null) { name } }',
    'query ($id: String!) { holder(idNumber: $id) { name } }',
    'fragment F on Holder { name } { holder(idNumber: "x") { ...F ...F } }',
    'fragment A on Holder { ...B } fragment B on Holder { ...A } { holder(idNumber: "x") { ...A } }',
    '{ ... on Query { ... on Query { ... on Query { banks { code } } } } }',
    '{ __schema { types { name fields { name } } } }',
    '{ banks @skip(if: true) @skip(if: true) @include(if: false) { code } }',
  ),
  fc
    .record({ field: fc.constantFrom(...FIELDS), arg: oddText })
    .map(({ field, arg }) => `{ ${field}(idNumber: ${JSON.stringify(arg)}) { name } }`),
  fc
    .integer({ min: 50, max: 3_000 })
    .map((n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: banks { code }`).join(' ')} }`),
  fc.integer({ min: 10, max: 22 }).map((levels) => {
    // 2^levels fields from a document of a few hundred bytes.
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === 0 ? 'fragment F0 on Bank { code name }' : `fragment F${i} on Bank { ...F${i - 1} ...F${i - 1} }`,
    );
    return `${fragments.join(' ')} { banks { ...F${levels - 1} } }`;
  }),
  fc
    .integer({ min: 20, max: 400 })
    .map((d) => `{ ${'holder(idNumber: "x") { '.repeat(1)}${'a: __typename '.repeat(d)} } }`),
);

/** Bodies: not JSON, truncated, wrong shapes, wrong types, batched arrays, unknown operation names. */
function bodyArbitrary(): fc.Arbitrary<{ kind: string; body: string; contentType: string }> {
  const json = (kind: string, value: fc.Arbitrary<unknown>) =>
    value.map((v) => ({ kind, body: JSON.stringify(v), contentType: 'application/json' }));
  return fc.oneof(
    oddText.map((text) => ({ kind: 'not-json', body: text, contentType: 'application/json' })),
    fc
      .tuple(
        fc.constantFrom(
          '{"query":"{ banks { code } }"}',
          '{"query":"query($id:String!){holder(idNumber:$id){name}}","variables":{"id":"440106"}}',
        ),
        fc.nat(),
      )
      .map(([text, cut]) => ({
        kind: 'truncated',
        body: text.slice(0, cut % text.length),
        contentType: 'application/json',
      })),
    json('bad-document', fc.record({ query: badDocument })),
    json(
      'bad-operation-name',
      fc.record({
        query: fc.constantFrom('query A { banks { code } } query B { banks { code } }', '{ banks { code } }'),
        operationName: oddText,
      }),
    ),
    json(
      'wrong-types',
      fc.record(
        {
          query: fc.oneof(
            fc.integer(),
            fc.constant(null),
            fc.array(fc.string(), { maxLength: 3 }),
            fc.object({ maxDepth: 2 }),
          ),
          variables: fc.oneof(fc.string(), fc.integer(), fc.array(fc.integer(), { maxLength: 3 })),
          operationName: fc.oneof(fc.integer(), fc.object({ maxDepth: 1 })),
        },
        { requiredKeys: [] },
      ),
    ),
    json(
      'bad-variables',
      fc.record({
        query: fc.constantFrom(
          'query ($id: String!) { holder(idNumber: $id) { name } }',
          'query ($ids: [String!]!) { holders(idNumbers: $ids) { name } }',
          'mutation ($input: ReportCardLossInput!) { reportCardLoss(input: $input) { status } }',
        ),
        variables: fc.oneof(
          fc.record({ id: fc.oneof(oddText, fc.integer(), fc.constant(null), fc.object({ maxDepth: 1 })) }),
          fc.record({ ids: fc.array(oddText, { maxLength: 200 }) }),
          fc.record({ input: fc.object({ maxDepth: 2 }) }),
          fc.object({ maxDepth: 2 }),
        ),
      }),
    ),
    json(
      'batched',
      fc.array(fc.record({ query: fc.constantFrom('{ banks { code } }', '{ __typename }') }), {
        minLength: 0,
        maxLength: 20,
      }),
    ),
    json(
      'persisted-query',
      fc.record({
        extensions: fc.record({
          persistedQuery: fc.record({ version: fc.oneof(fc.constant(1), fc.integer()), sha256Hash: oddText }),
        }),
      }),
    ),
    fc.constantFrom(
      { kind: 'media-type', body: 'query { banks { code } }', contentType: 'application/graphql' },
      { kind: 'media-type', body: '{"query":"{ banks { code } }"}', contentType: 'text/plain' },
      { kind: 'media-type', body: 'query=%7Bbanks%7Bcode%7D%7D', contentType: 'application/x-www-form-urlencoded' },
      { kind: 'media-type', body: '{"query":"{ banks { code } }"}', contentType: 'multipart/form-data; boundary=x' },
    ),
  );
}

/** A header value a client can put on the wire (latin1 bar control characters, as Node's client allows), from hostile text. */
const onTheWire = (text: string) =>
  Buffer.from(text, 'latin1')
    .toString('latin1')
    .replace(/[^\t\x20-\x7e\x80-\xff]/g, '')
    .slice(0, 4_000);

export function fuzzCases(tokens: FuzzTokens): fc.Arbitrary<FuzzCase> {
  const authorization = fc.oneof(
    { weight: 6, arbitrary: fc.constant(`Bearer ${tokens.valid}`) },
    { weight: 3, arbitrary: fc.constantFrom(...tokens.bad).map((t) => `Bearer ${t}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', 'Basic dXNlcjpwYXNz', `bearer ${tokens.valid}`, `Bearer  ${tokens.valid} x`),
    },
  );
  const purpose = fc.oneof(
    { weight: 6, arbitrary: fc.constant('HOLDER_SELF_SERVICE') },
    { weight: 1, arbitrary: fc.constantFrom('', 'GOVERNANCE_AUDIT', 'holder_self_service', 'TRANSIT') },
    { weight: 1, arbitrary: oddText.map(onTheWire) },
  );
  const reference = fc.oneof(
    { weight: 4, arbitrary: fc.constant('clerk-0001') },
    { weight: 1, arbitrary: oddText.map(onTheWire) },
  );
  const request = fc.oneof(
    { weight: 8, arbitrary: fc.constant({ method: 'POST', path: '/graphql' }) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD')
        .map((method) => ({ method, path: '/graphql' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          '/',
          '/graphql/',
          '/GraphQL',
          '/graphql?query={banks{code}}',
          '/metrics',
          '/../etc/passwd',
          '/%00',
          '/ready?x=1',
          '//%',
          '//[',
          '/graphql%ZZ',
        )
        .map((path) => ({ method: 'POST', path })),
    },
  );
  return fc
    .record({ request, authorization, purpose, operator: reference, caseRef: reference, body: bodyArbitrary() })
    .map((c) => ({
      kind: c.body.kind,
      method: c.request.method,
      path: c.request.path,
      headers: {
        'content-type': c.body.contentType,
        ...(c.authorization ? { authorization: c.authorization } : {}),
        ...(c.purpose ? { 'x-purpose': c.purpose } : {}),
        ...(c.operator ? { 'x-operator': c.operator } : {}),
        ...(c.caseRef ? { 'x-case-ref': c.caseRef } : {}),
      },
      body: c.request.method === 'GET' || c.request.method === 'HEAD' ? '' : c.body.body,
    }));
}
