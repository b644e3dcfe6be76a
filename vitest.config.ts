import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    env: { APOLLO_TELEMETRY_DISABLED: '1' },
    // Each file starts its own hub over its own database (PGlite takes ~3 s to start): generous hook time.
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
