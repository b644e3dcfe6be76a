// A real hub for a test file: every subgraph and the gateway on port 0 over the file's own database. Requests
// go through the real gateway with a real token; by default a query comes from the provincial platform serving
// the holder (HOLDER_SELF_SERVICE: every field, unmasked) and a mutation from the department owning it.
import { parse, Kind, type OperationDefinitionNode } from 'graphql';
import { SUBGRAPHS } from '../../schema/manifest.js';
import { readMaxDepth, type GatewayConfig } from '../../gateway/config.js';
import { signToken } from '../../gateway/auth/tokens.js';
import { startHub, type RunningHub } from '../../hub/hub.js';
import { readSchemaPolicy } from '../../schema/policy/schema-policy.js';
import { readCommittedSupergraph } from '../../schema/supergraph.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** Who a test request comes from and why. */
export interface Identity {
  client: string;
  purpose: string;
  /** X-Operator; a clerk by default. `null` sends none. */
  operator?: string | null;
  /** X-Case-Ref; a case by default. `null` sends none. */
  caseRef?: string | null;
}

export interface Caller {
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Like `query`, but fails the test on any error. */
  ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export interface TestHub extends RunningHub, Caller {
  testDatabase: TestDatabase;
  /** The same requests, from someone else. */
  as(identity: Identity): Caller;
  /** A valid token for a client (cached per client). */
  token(clientId: string): Promise<string>;
  /** The headers a request from `identity` carries. */
  headers(identity: Identity): Promise<Record<string, string>>;
  /** Settings for another gateway in front of this hub's subgraphs (same database, secrets and Redis). */
  gatewayConfig(): GatewayConfig;
}

/** Fixed test secrets, so a test can sign tokens and calls the hub accepts. */
export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
export const TEST_SUBGRAPH_SECRET = 'test-subgraph-secret-0123456789abcdef01234';
export const TEST_AUDIENCE = 'ykt-hub';

const policy = readSchemaPolicy(readCommittedSupergraph());

/** The purpose each department writes under by default. */
const WRITE_PURPOSE: Record<string, string> = {
  hr: 'HR_SERVICE',
  health: 'MEDICAL_SERVICE',
  transport: 'TRANSIT',
  'civil-affairs': 'PREFERENTIAL_TREATMENT',
  'culture-tourism': 'CULTURE_TOURISM',
  governance: 'GOVERNANCE_AUDIT',
};

export const READER: Identity = { client: 'province', purpose: 'HOLDER_SELF_SERVICE' };

/**
 * The natural caller of an operation: the owning department for a mutation (the governance body for governance's),
 * the provincial platform otherwise.
 */
export function defaultIdentity(query: string): Identity {
  let operation: OperationDefinitionNode | undefined;
  try {
    operation = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  } catch {
    return READER; // the gateway reports the syntax error
  }
  if (operation?.operation !== 'mutation') return READER;
  const first = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
  const domain = first?.kind === Kind.FIELD ? policy.mutationOwners.get(first.name.value) : undefined;
  if (domain === 'governance') return { client: 'governance', purpose: WRITE_PURPOSE[domain]! };
  return domain ? { client: `dept-${domain}`, purpose: WRITE_PURPOSE[domain]! } : READER;
}

/** Token settings every test hub uses. */
export const TEST_TOKENS = { keys: { kind: 'secret' as const, secret: TEST_JWT_SECRET, variable: 'GATEWAY_JWT_SECRET' }, audience: TEST_AUDIENCE };

const tokenCache = new Map<string, Promise<string>>();

/** A valid token for a client (cached per client). */
export function testToken(clientId: string): Promise<string> {
  if (!tokenCache.has(clientId)) tokenCache.set(clientId, signToken(TEST_JWT_SECRET, clientId, TEST_TOKENS, 3600));
  return tokenCache.get(clientId)!;
}

/** The headers a request from `identity` carries. */
export async function identityHeaders(identity: Identity): Promise<Record<string, string>> {
  const operator = identity.operator === undefined ? 'clerk-0001' : identity.operator;
  const caseRef = identity.caseRef === undefined ? 'CASE-2026-0001' : identity.caseRef;
  return {
    'content-type': 'application/json',
    authorization: `Bearer ${await testToken(identity.client)}`,
    'x-purpose': identity.purpose,
    ...(operator ? { 'x-operator': operator } : {}),
    ...(caseRef ? { 'x-case-ref': caseRef } : {}),
  };
}

export async function startTestHub(options: { seedHolders?: number; env?: Record<string, string> } = {}): Promise<TestHub> {
  const env = { ...process.env, GATEWAY_JWT_SECRET: TEST_JWT_SECRET, SUBGRAPH_SECRET: TEST_SUBGRAPH_SECRET, ...options.env };
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
  const caller = (identity?: Identity): Caller => {
    const query = async (q: string, variables?: Record<string, unknown>) => {
      const res = await fetch(hub.gatewayUrl, {
        method: 'POST',
        headers: await identityHeaders(identity ?? defaultIdentity(q)),
        body: JSON.stringify({ query: q, variables }),
      });
      return (await res.json()) as GraphQLResponse;
    };
    return {
      query,
      async ok(q, variables) {
        const result = await query(q, variables);
        if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
        return result.data;
      },
    };
  };
  return {
    ...hub,
    ...caller(),
    testDatabase,
    as: caller,
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
    async close() {
      await hub.close();
      await testDatabase.drop();
    },
  };
}

/** The codes of a response's errors, in order. */
export const codes = (result: GraphQLResponse) => (result.errors ?? []).map((e) => e.extensions?.code);
