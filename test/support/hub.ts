// A real hub for a test file: every subgraph and the gateway on port 0 over the file's own database.
import { SUBGRAPHS } from '../../subgraphs/index.js';
import { readMaxDepth } from '../../gateway/config.js';
import { startHub, type RunningHub } from '../../gateway/hub.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestHub extends RunningHub {
  /** POSTs a GraphQL operation to the gateway. */
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Like `query`, but fails the test on any error. */
  ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  testDatabase: TestDatabase;
}

export async function startTestHub(options: { seedHolders?: number; env?: Record<string, string> } = {}): Promise<TestHub> {
  const env = { ...process.env, ...options.env };
  const testDatabase = await createTestDatabase();
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
      },
      { env },
    );
  } catch (error) {
    // startHub has closed what it opened; the test database is ours to drop.
    await testDatabase.drop().catch((e: unknown) => console.error('test database drop failed', e));
    throw error;
  }
  const query = async (q: string, variables?: Record<string, unknown>) => {
    const res = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: q, variables }),
    });
    return (await res.json()) as GraphQLResponse;
  };
  return {
    ...hub,
    testDatabase,
    query,
    async ok(q, variables) {
      const result = await query(q, variables);
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data;
    },
    async close() {
      await hub.close();
      await testDatabase.drop();
    },
  };
}

/** The codes of a response's errors, in order. */
export const codes = (result: GraphQLResponse) => (result.errors ?? []).map((e) => e.extensions?.code);
