// A real hub for a test file: every subgraph and the gateway on port 0 over the file's own database. Requests
// go through the real gateway with a real token; by default a query comes from the provincial platform serving
// the holder (HOLDER_SELF_SERVICE: every field, unmasked) and a mutation from the department owning it.
// A test file gets one through `hubTest` (fixtures.ts); `startTestHub` is for a file that needs a second hub,
// or one started under conditions of its own.
import { parse, Kind, type OperationDefinitionNode } from 'graphql';
import type { SQL } from 'drizzle-orm';
import { SUBGRAPHS } from '../../schema/manifest.js';
import { readMaxDepth, type GatewayConfig } from '../../gateway/config.js';
import { signToken } from '../../gateway/auth/tokens.js';
import { rowsOf } from '../../core/database.js';
import { startHub, type RunningHub } from '../../hub/hub.js';
import { readSchemaPolicy } from '../../schema/policy/schema-policy.js';
import { readCommittedSupergraph } from '../../schema/supergraph.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { gatewayHeaders, READER, type Identity } from './queries.js';

export { READER, type Identity } from './queries.js';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** An answer as HTTP gave it: status, headers and the GraphQL body. */
export interface HttpAnswer<T = any> {
  status: number;
  headers: Headers;
  body: GraphQLResponse<T>;
}

export interface Caller {
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Like `query`, but fails the test on any error. */
  ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Like `query`, with the answer's HTTP status and headers. */
  post<T = any>(query: string, variables?: Record<string, unknown>): Promise<HttpAnswer<T>>;
  /** Any request body (a persisted query's hash alone, say), answered as `post` answers. */
  send<T = any>(body: Record<string, unknown>): Promise<HttpAnswer<T>>;
}

export interface TestHubOptions {
  /** Demo holders seeded before the hub serves (none by default). */
  seedHolders?: number;
  /** Variables over the test process's own, for the hub's configuration. */
  env?: Record<string, string>;
}

export interface TestHub extends RunningHub, Caller {
  testDatabase: TestDatabase;
  /** The same requests, from someone else; to another gateway in front of the same subgraphs when `url` is given. */
  as(identity: Identity, url?: string): Caller;
  /** A valid token for a client (cached per client). */
  token(clientId: string): Promise<string>;
  /** The headers a request from `identity` carries. */
  headers(identity: Identity): Promise<Record<string, string>>;
  /** Settings for another gateway in front of this hub's subgraphs (same database, secrets and Redis). */
  gatewayConfig(): GatewayConfig;
  /** Raw SQL on the subgraphs' (hr's) database, behind the hub's back. */
  rows<T>(query: SQL): Promise<T[]>;
  /** SQL statements the subgraphs have issued so far: all together, or one subgraph's. */
  statementCount(subgraph?: string): number;
  /** Runs `work`: what it returned, and the SQL statements each subgraph issued meanwhile (and all together). */
  countStatements<T>(work: () => Promise<T>): Promise<{ result: T; bySubgraph: Record<string, number>; total: number }>;
}

/** Fixed test secrets, so a test can sign tokens and calls the hub accepts. */
export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
export const TEST_SUBGRAPH_SECRET = 'test-subgraph-secret-0123456789abcdef01234';
/**
 * Fixed QR signing keys (Ed25519 PKCS#8): `test-new` signs, `test-old` is the key it rotated from, still verifying
 * the codes it signed, as a hub mid-rotation holds them (subgraphs/hr/qr-keys.ts).
 */
export const TEST_QR_KEYS = {
  'test-old': 'MC4CAQAwBQYDK2VwBCIEIDYYIqUwHFNnC0LaykSwIdPNlJN7ySx4PaAbW5-Ppea2',
  'test-new': 'MC4CAQAwBQYDK2VwBCIEINbEpRq7izJPpwrTy0nMXsQtekOVXfDSYmeIo9Q6cUVz',
};
export const TEST_QR_SIGNING_KEYS = `test-old:${TEST_QR_KEYS['test-old']},test-new:${TEST_QR_KEYS['test-new']}@2026-01-01T00:00:00Z`;
export const TEST_AUDIENCE = 'ykt-hub';

const policy = readSchemaPolicy(readCommittedSupergraph());

/** The purpose each department writes under by default. */
const WRITE_PURPOSE: Record<string, string> = {
  hr: 'HR_SERVICE',
  health: 'MEDICAL_SERVICE',
  transport: 'TRANSIT',
  'civil-affairs': 'PREFERENTIAL_TREATMENT',
  'culture-tourism': 'CULTURE_TOURISM',
  'public-security': 'IDENTITY_VERIFICATION',
  governance: 'GOVERNANCE_AUDIT',
  // The provincial platform edits the provincial catalog: the natural caller of the catalog's writes.
  catalog: 'HR_SERVICE',
};

/**
 * The natural caller of an operation: the owning department for a mutation (the governance body for governance's,
 * the provincial platform for the catalog's), the provincial platform otherwise.
 */
export function defaultIdentity(query: string): Identity {
  let operation: OperationDefinitionNode | undefined;
  try {
    operation = parse(query).definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
  } catch {
    return READER; // the gateway reports the syntax error
  }
  if (operation?.operation !== 'mutation') return READER;
  const first = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
  const domain = first?.kind === Kind.FIELD ? policy.mutationOwners.get(first.name.value) : undefined;
  if (domain === 'governance') return { client: 'governance', purpose: WRITE_PURPOSE[domain]! };
  if (domain === 'catalog') return { client: 'province', purpose: WRITE_PURPOSE[domain]! };
  return domain ? { client: `dept-${domain}`, purpose: WRITE_PURPOSE[domain]! } : READER;
}

/** Token settings every test hub uses. */
export const TEST_TOKENS = {
  keys: { kind: 'secret' as const, secret: TEST_JWT_SECRET, variable: 'GATEWAY_JWT_SECRET' },
  audience: TEST_AUDIENCE,
};

const tokenCache = new Map<string, Promise<string>>();

/** A valid token for a client (cached per client). */
export function testToken(clientId: string): Promise<string> {
  if (!tokenCache.has(clientId)) tokenCache.set(clientId, signToken(TEST_JWT_SECRET, clientId, TEST_TOKENS, 3600));
  return tokenCache.get(clientId)!;
}

/** The headers a request from `identity` carries. */
export async function identityHeaders(identity: Identity): Promise<Record<string, string>> {
  return gatewayHeaders(await testToken(identity.client), identity);
}

/** Posts a request body to `url` with exactly these headers: the answer as it comes. */
export async function postTo<T = any>(
  url: string,
  headers: Record<string, string>,
  body: Record<string, unknown>,
): Promise<HttpAnswer<T>> {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as GraphQLResponse<T> };
}

/** Requests to the gateway at `url`, from `identity` (by default each operation's natural caller, as `defaultIdentity`). */
export function gatewayCaller(url: string, identity?: Identity): Caller {
  const send = async (body: Record<string, unknown>) =>
    postTo(
      url,
      await identityHeaders(identity ?? defaultIdentity(typeof body.query === 'string' ? body.query : '')),
      body,
    );
  const query = async (q: string, variables?: Record<string, unknown>) => (await send({ query: q, variables })).body;
  return {
    query,
    async ok(q, variables) {
      const result = await query(q, variables);
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data;
    },
    post: (q, variables) => send({ query: q, variables }),
    send,
  };
}

export async function startTestHub(options: TestHubOptions = {}): Promise<TestHub> {
  const env = {
    ...process.env,
    GATEWAY_JWT_SECRET: TEST_JWT_SECRET,
    SUBGRAPH_SECRET: TEST_SUBGRAPH_SECRET,
    QR_SIGNING_KEYS: TEST_QR_SIGNING_KEYS,
    ...options.env,
  };
  const testDatabase = await createTestDatabase();
  const tokens = TEST_TOKENS;
  let hub: RunningHub;
  try {
    hub = await startHub(
      {
        host: '127.0.0.1',
        gatewayPort: 0,
        subgraphs: SUBGRAPHS.map((s) => ({ name: s.name, port: 0, database: testDatabase.config })),
        redisUrl: process.env.REDIS_URL || undefined,
        seedHolders: options.seedHolders ?? 0,
        maxDepth: readMaxDepth(env),
        tokens,
        subgraphSecret: env.SUBGRAPH_SECRET!,
        database: testDatabase.config,
      },
      { env },
    );
  } catch (error) {
    // startHub has closed what it opened; the test database is ours to drop.
    await testDatabase.drop().catch((e: unknown) => console.error('test database drop failed', e));
    throw error;
  }
  const statementsBySubgraph = () => Object.fromEntries(hub.subgraphs.map((s) => [s.name, s.statements.count]));
  const statementCount = (subgraph?: string) =>
    subgraph === undefined
      ? hub.subgraphs.reduce((sum, s) => sum + s.statements.count, 0)
      : hub.subgraphs.find((s) => s.name === subgraph)!.statements.count;
  return {
    ...hub,
    ...gatewayCaller(hub.gatewayUrl),
    testDatabase,
    as: (identity, url = hub.gatewayUrl) => gatewayCaller(url, identity),
    token: testToken,
    headers: identityHeaders,
    gatewayConfig: () => ({
      host: '127.0.0.1',
      port: 0,
      maxDepth: 12,
      redisUrl: process.env.REDIS_URL || undefined,
      subgraphUrls: Object.fromEntries(hub.subgraphs.map((s) => [s.name, s.url])),
      tokens,
      subgraphSecret: env.SUBGRAPH_SECRET!,
      database: testDatabase.config,
    }),
    rows: (query) => rowsOf(hub.databases[0]!.database.db, query),
    statementCount,
    async countStatements(work) {
      const before = statementsBySubgraph();
      const result = await work();
      const bySubgraph = Object.fromEntries(
        Object.entries(statementsBySubgraph()).map(([name, count]) => [name, count - before[name]!]),
      );
      return { result, bySubgraph, total: Object.values(bySubgraph).reduce((sum, n) => sum + n, 0) };
    },
    async close() {
      await hub.close();
      await testDatabase.drop();
    },
  };
}

/** The codes of a response's errors, in order. */
export const codes = (result: GraphQLResponse) => (result.errors ?? []).map((e) => e.extensions?.code);
