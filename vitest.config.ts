import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// Node loads graphql's CommonJS build for our code and for Apollo's alike: one copy. Vite would hand our source the
// ESM build (package.json "module") instead, a second copy whose schema types the first refuses ("from another
// module or realm") the moment our code inspects the gateway's schema. Tests load the copy node loads.
const GRAPHQL_AS_NODE_LOADS_IT = createRequire(import.meta.url).resolve('graphql');

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: GRAPHQL_AS_NODE_LOADS_IT }] },
  test: {
    include: ['test/**/*.test.ts'],
    env: { APOLLO_TELEMETRY_DISABLED: '1' },
    // Each file starts its own hub over its own database (PGlite takes ~3 s to start): generous hook time.
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
