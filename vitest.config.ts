import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// Node loads graphql's CommonJS build for our code and for Apollo's alike: one copy. Vite would hand our source the
// ESM build (package.json "module") instead, a second copy whose schema types the first refuses ("from another
// module or realm") the moment our code inspects the gateway's schema. Tests load the copy node loads.
const GRAPHQL_AS_NODE_LOADS_IT = createRequire(import.meta.url).resolve('graphql');

// Two projects: `npx vitest run --project unit` runs in seconds (no database, no hub); `--project integration`
// runs the real hub over real databases; `npx vitest run` runs both. Each project inherits the alias and env below.
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: GRAPHQL_AS_NODE_LOADS_IT }] },
  test: {
    env: { APOLLO_TELEMETRY_DISABLED: '1' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Pure functions and in-process servers on port 0: a unit test that needs more is waiting on something.
          testTimeout: 5_000,
          hookTimeout: 10_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Each file starts its own hub over its own database (PGlite takes ~3 s to start, a seeded hub longer on a
          // busy 2-core machine): generous hook time.
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
