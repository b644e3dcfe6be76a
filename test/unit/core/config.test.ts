// Configuration is read in one place and refused at start with a message naming the variable.
import { describe, expect, it } from 'vitest';
import { readGatewayConfig } from '../../../gateway/config.js';
import { readHubConfig } from '../../../hub/config.js';
import { readDatabaseConfig, readHrSettings } from '../../../core/config.js';

describe('configuration', () => {
  it('has working defaults on a bare machine', () => {
    const hub = readHubConfig({});
    expect(hub).toMatchObject({ host: '127.0.0.1', gatewayPort: 4000, redisUrl: undefined, seedHolders: 1000 });
    expect(hub.subgraphs.map((s) => [s.name, s.port])).toEqual([
      ['hr', 4001],
      ['health', 4002],
      ['civil-affairs', 4004],
      ['transport', 4003],
      ['culture-tourism', 4005],
      ['public-security', 4007],
      ['catalog', 4008],
      ['governance', 4006],
    ]);
    expect(readDatabaseConfig('hr', {})).toMatchObject({
      kind: 'pglite',
      dataDir: expect.stringMatching(/\.data\/pglite$/),
    });
    expect(readDatabaseConfig('hr', { PGLITE_DATA_DIR: 'memory' })).toEqual({ kind: 'pglite', dataDir: null });
    expect(readHrSettings({})).toEqual({ temporaryLossDays: 5 });
  });

  it('reads each setting from its variable', () => {
    expect(readHrSettings({ HR_TEMPORARY_LOSS_DAYS: '7' })).toEqual({ temporaryLossDays: 7 });
    const gateway = readGatewayConfig({
      GATEWAY_PORT: '0',
      TRANSPORT_URL: 'http://10.0.0.3:9000/graphql',
      REDIS_URL: 'redis://r:6379',
    });
    expect(gateway).toMatchObject({ port: 0, redisUrl: 'redis://r:6379' });
    expect(gateway.subgraphUrls).toMatchObject({
      transport: 'http://10.0.0.3:9000/graphql',
      hr: 'http://127.0.0.1:4001/graphql',
    });
    expect(readHubConfig({ SEED_HOLDERS: '0' }).seedHolders).toBe(0);
    const secrets = { GATEWAY_JWT_SECRET: 's'.repeat(32), SUBGRAPH_SECRET: 'g'.repeat(32) };
    expect(
      readGatewayConfig({
        ...secrets,
        GATEWAY_JWT_ISSUER: 'https://idp.gd.gov.cn',
        GATEWAY_DATABASE_URL: 'postgres://h/gw',
      }),
    ).toMatchObject({
      tokens: {
        keys: { kind: 'secret', secret: 's'.repeat(32) },
        audience: 'ykt-hub',
        issuer: 'https://idp.gd.gov.cn',
      },
      subgraphSecret: 'g'.repeat(32),
      database: { kind: 'postgres', url: 'postgres://h/gw', source: 'GATEWAY_DATABASE_URL' },
    });
    expect(
      readGatewayConfig({ ...secrets, GATEWAY_JWT_SECRET: '', GATEWAY_JWKS_FILE: '/etc/ykt/jwks.json' }).tokens.keys,
    ).toEqual({ kind: 'jwks-file', path: '/etc/ykt/jwks.json', variable: 'GATEWAY_JWKS_FILE' });
  });

  it.each([
    [{ GATEWAY_PORT: '70000' }, 'GATEWAY_PORT'],
    [{ HR_PORT: 'http' }, 'HR_PORT'],
    [{ DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL'],
    [{ HEALTH_DATABASE_URL: 'not a url' }, 'HEALTH_DATABASE_URL'],
    [{ REDIS_URL: 'http://r' }, 'REDIS_URL'],
    [{ SEED_HOLDERS: '-3' }, 'SEED_HOLDERS'],
    [{ HOST: 'a b' }, 'HOST'],
    [{ GATEWAY_MAX_DEPTH: '0' }, 'GATEWAY_MAX_DEPTH'],
    [{ GATEWAY_JWT_SECRET: 'short' }, 'GATEWAY_JWT_SECRET'],
    [{ GATEWAY_JWT_SECRET: 'x'.repeat(32), GATEWAY_JWKS_URL: 'https://idp/jwks' }, 'GATEWAY_JWKS_URL'],
    [{ GATEWAY_JWKS_URL: 'ftp://idp/jwks' }, 'GATEWAY_JWKS_URL'],
    [{ GATEWAY_JWT_AUDIENCE: 'a b' }, 'GATEWAY_JWT_AUDIENCE'],
    [{ GATEWAY_JWT_ISSUER: 'a b' }, 'GATEWAY_JWT_ISSUER'],
    [{ SUBGRAPH_SECRET: 'too-short' }, 'SUBGRAPH_SECRET'],
  ])('refuses %o naming the variable', (env, variable) => {
    expect(() => readHubConfig(env)).toThrow(new RegExp(`^Configuration error in ${variable}: `));
  });

  it('refuses a bad HR_TEMPORARY_LOSS_DAYS and a bad subgraph URL', () => {
    expect(() => readHrSettings({ HR_TEMPORARY_LOSS_DAYS: '1.5' })).toThrow(
      /^Configuration error in HR_TEMPORARY_LOSS_DAYS: /,
    );
    expect(() => readGatewayConfig({ CIVIL_AFFAIRS_URL: 'ftp://x' })).toThrow(
      /^Configuration error in CIVIL_AFFAIRS_URL: /,
    );
  });
});
