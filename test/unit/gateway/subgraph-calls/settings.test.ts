// The subgraph calls' settings as the gateway reads them: one timeout for all (reads, and mutations apart),
// overridden per subgraph, and a bad value refused naming its variable.
import { describe, expect, it } from 'vitest';
import { readSubgraphCallSettings } from '../../../../gateway/config.js';

describe('readSubgraphCallSettings', () => {
  it('gives every subgraph the defaults, SUBGRAPH_TIMEOUT_MS, or its own SUBGRAPH_TIMEOUT_MS_<DOMAIN>', () => {
    expect(readSubgraphCallSettings({}).hr).toEqual({
      timeoutMs: 5_000,
      mutationTimeoutMs: 30_000,
      maxSockets: 64,
      breakerResetMs: 1_000,
      breakerMinCalls: 20,
    });
    const settings = readSubgraphCallSettings({
      SUBGRAPH_TIMEOUT_MS: '2000',
      SUBGRAPH_TIMEOUT_MS_CIVIL_AFFAIRS: '700',
      SUBGRAPH_MUTATION_TIMEOUT_MS: '40000',
      SUBGRAPH_MUTATION_TIMEOUT_MS_TRANSPORT: '90000',
      SUBGRAPH_MAX_SOCKETS: '8',
      SUBGRAPH_BREAKER_RESET_MS: '250',
      SUBGRAPH_BREAKER_MIN_CALLS: '50',
    });
    const shared = { maxSockets: 8, breakerResetMs: 250, breakerMinCalls: 50 };
    expect(settings['civil-affairs']).toEqual({ timeoutMs: 700, mutationTimeoutMs: 40_000, ...shared });
    expect(settings.transport).toEqual({ timeoutMs: 2_000, mutationTimeoutMs: 90_000, ...shared });
    expect(settings.hr).toEqual({ timeoutMs: 2_000, mutationTimeoutMs: 40_000, ...shared });
  });

  it('refuses a value that is not a positive whole number, naming the variable', () => {
    expect(() => readSubgraphCallSettings({ SUBGRAPH_TIMEOUT_MS_HR: '5s' })).toThrow(/SUBGRAPH_TIMEOUT_MS_HR/);
    expect(() => readSubgraphCallSettings({ SUBGRAPH_MUTATION_TIMEOUT_MS: '0' })).toThrow(
      /SUBGRAPH_MUTATION_TIMEOUT_MS/,
    );
    expect(() => readSubgraphCallSettings({ SUBGRAPH_BREAKER_MIN_CALLS: 'x' })).toThrow(/SUBGRAPH_BREAKER_MIN_CALLS/);
  });
});
