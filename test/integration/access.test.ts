// Who may read what, through the real gateway over the real subgraphs: tokens, purposes, field policy and
// masking, regions, write domains, suspension, rate limits, and subgraphs that answer the gateway only.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describe, expect } from 'vitest';
import { openClientChanges } from '../../store/clients/changes.js';
import { setClientStatus } from '../../store/clients/commands.js';
import { startGateway, type RunningGateway } from '../../gateway/server.js';
import { CALLER_HEADER, encodeClaims, signatureFor, SIGNATURE_HEADER } from '../../core/protocol/gateway-proof.js';
import { hubTest } from '../support/fixtures.js';
import {
  codes,
  identityHeaders,
  postTo,
  TEST_AUDIENCE,
  TEST_JWT_SECRET,
  type GraphQLResponse,
  type Identity,
  type TestHub,
} from '../support/hub.js';
import { counter, holderWithActiveCard, registerBank, registerHolder } from '../support/hr.js';
import { idNumber, randomBirth } from '../support/identities.js';
import { rowsOf } from '../support/sql.js';
import { callSubgraph, GATEWAY_CLAIMS } from '../support/subgraph.js';

const it = hubTest();
/** A Guangzhou holder with a card, a medical visit and a ride; a Shenzhen holder with a card. */
let gz: { id: string; idNumber: string; cardNumber: string };
let sz: { id: string; idNumber: string; cardNumber: string };

const HEALTH: Identity = { client: 'dept-health', purpose: 'MEDICAL_SERVICE' };
const TRANSIT: Identity = { client: 'dept-transport', purpose: 'TRANSIT', operator: null, caseRef: null };
const HR: Identity = { client: 'dept-hr', purpose: 'HR_SERVICE' };
const INSURANCE: Identity = { client: 'dept-hr', purpose: 'SOCIAL_INSURANCE' };
const GUANGZHOU: Identity = { client: 'city-440100', purpose: 'IDENTITY_VERIFICATION' };

it.beforeAll(async ({ hub }) => {
  await registerBank(hub, 'ICBC');
  const guangzhou = await holderWithActiveCard(hub);
  gz = { ...guangzhou.holder, cardNumber: guangzhou.cardNumber };
  const shenzhenHolder = await registerHolder(hub, {
    idNumber: idNumber('440304', randomBirth()),
    registeredCity: '440300',
  });
  const applied = await hub.ok(`mutation($input: ApplyForCardInput!) { applyForCard(input: $input) { cardNumber } }`, {
    input: {
      idempotencyKey: randomUUID(),
      idNumber: shenzhenHolder.idNumber,
      servedAt: counter('440300'),
      bankCode: 'ICBC',
      accountNumber: '6217000099998888777',
    },
  });
  sz = { ...shenzhenHolder, cardNumber: applied.applyForCard.cardNumber };
  await hub.ok(
    `mutation($input: RegisterMedicalInstitutionInput!) { registerMedicalInstitution(input: $input) { code } }`,
    {
      input: {
        idempotencyKey: randomUUID(),
        code: 'H44010090001',
        name: '广州市测试医院',
        city: '440100',
        level: 'TERTIARY_A',
      },
    },
  );
  await hub.ok(`mutation($input: RecordMedicalVisitInput!) { recordMedicalVisit(input: $input) { id } }`, {
    input: {
      idempotencyKey: randomUUID(),
      holder: { cardNumber: gz.cardNumber },
      institutionCode: 'H44010090001',
      kind: 'OUTPATIENT',
      department: '呼吸内科',
      visitedAt: '2024-03-07T09:30:00+08:00',
      diagnoses: ['J45.909'],
    },
  });
  await hub.ok(`mutation($input: LoadTransitFunctionInput!) { loadTransitFunction(input: $input) { loaded } }`, {
    input: { idempotencyKey: randomUUID(), cardNumber: gz.cardNumber, city: '440100', operator: '羊城通' },
  });
  await hub.ok(`mutation($input: RecordRidesInput!) { recordRides(input: $input) { recorded } }`, {
    input: {
      idempotencyKey: randomUUID(),
      rides: [
        {
          cardNumber: gz.cardNumber,
          mode: 'METRO',
          city: '440100',
          line: '3号线',
          station: '体育西路',
          occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
          fare: '4.00',
        },
      ],
    },
  });
});

describe('authentication', () => {
  const query = '{ banks { code } }';
  const withAuthorization = async (hub: TestHub, authorization: string | null) => {
    const headers = await identityHeaders({ client: 'province', purpose: 'HOLDER_SELF_SERVICE' });
    if (authorization === null) delete headers.authorization;
    else headers.authorization = authorization;
    return postTo(hub.gatewayUrl, headers, { query });
  };
  const secret = new TextEncoder().encode(TEST_JWT_SECRET);
  const signed = (claims: (jwt: SignJWT) => SignJWT, key: Uint8Array = secret) =>
    claims(
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('province')
        .setAudience(TEST_AUDIENCE)
        .setIssuedAt(),
    ).sign(key);

  it.for<[string, () => Promise<string | null>]>([
    ['no Authorization header', async () => null],
    ['another scheme', async () => `Basic ${Buffer.from('province:secret').toString('base64')}`],
    ['a malformed token', async () => 'Bearer not.a-token'],
    [
      'an expired token',
      async () => `Bearer ${await signed((j) => j.setExpirationTime(Math.floor(Date.now() / 1000) - 120))}`,
    ],
    ['a token without exp', async () => `Bearer ${await signed((j) => j)}`],
    [
      'a token signed with another key',
      async () =>
        `Bearer ${await signed((j) => j.setExpirationTime('1h'), new TextEncoder().encode('another-secret-0123456789abcdef0123456789'))}`,
    ],
    [
      'a token for another audience',
      async () => `Bearer ${await signed((j) => j.setAudience('another-hub').setExpirationTime('1h'))}`,
    ],
    [
      'an unsigned token (alg none)',
      async () => {
        const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `Bearer ${part({ alg: 'none' })}.${part({ sub: 'province', aud: TEST_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
      },
    ],
    [
      'a token for an unknown client',
      async () => `Bearer ${await signed((j) => j.setSubject('nobody').setExpirationTime('1h'))}`,
    ],
  ])('refuses %s with 401 UNAUTHENTICATED, calling no subgraph', async ([, authorization], { hub }) => {
    const before = hub.statementCount();
    const { status, headers, body } = await withAuthorization(hub, await authorization());
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(body.data).toBeUndefined();
    expect(codes(body)).toEqual(['UNAUTHENTICATED']);
    expect(body.errors![0]!.message).not.toMatch(/Context creation/);
    expect(hub.statementCount()).toBe(before);
  });

  it('serves a valid token', async ({ hub }) => {
    const { status, body } = await withAuthorization(hub, `Bearer ${await signed((j) => j.setExpirationTime('5m'))}`);
    expect(status).toBe(200);
    expect(body.data).toEqual({ banks: [{ code: 'ICBC' }] });
  });

  it('verifies tokens against a JWKS file of public keys, refusing HS256 there', async ({ hub }) => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const dir = mkdtempSync(path.join(tmpdir(), 'ykt-jwks-'));
    const file = path.join(dir, 'jwks.json');
    writeFileSync(
      file,
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] }),
    );
    let gateway: RunningGateway | undefined;
    try {
      gateway = await startGateway(
        {
          ...hub.gatewayConfig(),
          tokens: { keys: { kind: 'jwks-file', path: file, variable: 'GATEWAY_JWKS_FILE' }, audience: TEST_AUDIENCE },
        },
        { database: hub.gateway.database },
      );
      const ask = async (token: string) => {
        const headers = {
          ...(await identityHeaders({ client: 'province', purpose: 'HOLDER_SELF_SERVICE' })),
          authorization: `Bearer ${token}`,
        };
        return postTo(gateway!.url, headers, { query });
      };
      const good = await new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject('province')
        .setAudience(TEST_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      expect((await ask(good)).body.data).toEqual({ banks: [{ code: 'ICBC' }] });
      expect((await ask(await hub.token('province'))).status).toBe(401);
    } finally {
      await gateway?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tokens from an identity provider', () => {
  it('verifies tokens against a JWKS URL, fetching the provider’s keys', async ({ hub }) => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwks = JSON.stringify({
      keys: [{ ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' }],
    });
    let fetched = 0;
    const provider = createServer((_req, res) => {
      fetched++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/.well-known/jwks.json`;
    let gateway: RunningGateway | undefined;
    try {
      const tokens = {
        keys: { kind: 'jwks-url' as const, url, variable: 'GATEWAY_JWKS_URL' },
        audience: TEST_AUDIENCE,
        issuer: 'https://idp.gd.gov.cn',
      };
      gateway = await startGateway({ ...hub.gatewayConfig(), tokens }, { database: hub.gateway.database });
      const ask = async (token: string) => {
        const headers = {
          ...(await identityHeaders({ client: 'province', purpose: 'HOLDER_SELF_SERVICE' })),
          authorization: `Bearer ${token}`,
        };
        return (await postTo(gateway!.url, headers, { query: '{ banks { code } }' })).status;
      };
      const sign = (issuer: string) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
          .setSubject('province')
          .setAudience(TEST_AUDIENCE)
          .setIssuer(issuer)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey);
      expect(await ask(await sign('https://idp.gd.gov.cn'))).toBe(200);
      expect(fetched).toBeGreaterThan(0);
      // Signed by the provider's key, but naming another issuer.
      expect(await ask(await sign('https://elsewhere.example'))).toBe(401);
    } finally {
      await gateway?.close();
      await new Promise((resolve) => provider.close(resolve));
    }
  });
});

describe('purposes', () => {
  it('refuses a purpose outside the client’s list with 403 FORBIDDEN', async ({ hub }) => {
    const before = hub.statementCount();
    const { status, body } = await hub
      .as({ client: 'dept-transport', purpose: 'MEDICAL_SERVICE' })
      .post('{ banks { code } }');
    expect(status).toBe(403);
    expect(body.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'FORBIDDEN', purpose: 'MEDICAL_SERVICE' }),
      }),
    ]);
    expect(hub.statementCount()).toBe(before);
    // No operation ran, but the attempt is on the audit trail, as a refusal.
    const attempts = () =>
      rowsOf(
        hub.gateway.database.db,
        sql`select outcome, error_codes from gateway.audit_records
      where client_id = 'dept-transport' and purpose = 'MEDICAL_SERVICE'`,
      );
    for (let i = 0; i < 50 && (await attempts()).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await attempts()).toEqual([{ outcome: 'REFUSED', error_codes: ['FORBIDDEN'] }]);
  });

  it('needs a declared, known purpose', async ({ hub }) => {
    const headers = await identityHeaders({ client: 'province', purpose: 'HOLDER_SELF_SERVICE' });
    delete headers['x-purpose'];
    const missing = await postTo(hub.gatewayUrl, headers, { query: '{ banks { code } }' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors![0]).toMatchObject({
      message: expect.stringContaining('X-Purpose'),
      extensions: { code: 'BAD_REQUEST' },
    });
    const unknown = await postTo(
      hub.gatewayUrl,
      { ...headers, 'x-purpose': 'CURIOSITY' },
      { query: '{ banks { code } }' },
    );
    expect(unknown.status).toBe(400);
    expect(codes(unknown.body)).toEqual(['BAD_REQUEST']);
  });

  it('needs the operator, and the case where the purpose serves one', async ({ hub }) => {
    const noCase = await hub.as({ ...HEALTH, caseRef: null }).post('{ banks { code } }');
    expect(noCase.status).toBe(400);
    expect(noCase.body.errors![0]).toMatchObject({ extensions: { code: 'BAD_REQUEST', header: 'x-case-ref' } });
    const noOperator = await hub.as({ ...HR, operator: null }).post('{ banks { code } }');
    expect(noOperator.body.errors![0]).toMatchObject({ extensions: { code: 'BAD_REQUEST', header: 'x-operator' } });
    const badOperator = await hub.as({ ...HR, operator: 'clerk 1; drop table' }).post('{ banks { code } }');
    expect(codes(badOperator.body)).toEqual(['BAD_REQUEST']);
    // A turnstile has no operator and serves no case.
    expect((await hub.as(TRANSIT).post('{ banks { code } }')).status).toBe(200);
  });
});

describe('field policy', () => {
  const VISITS = `query($n: String!) { holderByCard(cardNumber: $n) { name
    medicalVisits { nodes { kind department diagnoses } }
    rides { nodes { line station fare } } } }`;

  it('gives a health department the medical visits, diagnoses included', async ({ hub }) => {
    const data = await hub.as(HEALTH).query(VISITS, { n: gz.cardNumber });
    expect(codes(data)).toEqual(['FORBIDDEN']); // rides are travel data, not for MEDICAL_SERVICE
    expect(data.data.holderByCard.medicalVisits.nodes).toEqual([
      { kind: 'OUTPATIENT', department: '呼吸内科', diagnoses: ['J45.909'] },
    ]);
    expect(data.data.holderByCard.rides).toBeNull();
  });

  it('gives a transport operator its rides, and null with FORBIDDEN for medical visits, never asking health', async ({
    hub,
  }) => {
    const before = hub.statementCount('health');
    const result = await hub.as(TRANSIT).query(VISITS, { n: gz.cardNumber });
    expect(result.data.holderByCard).toEqual({
      name: expect.any(String),
      medicalVisits: null,
      rides: { nodes: [{ line: '3号线', station: '体育西路', fare: '4.00' }] },
    });
    expect(result.errors).toEqual([
      {
        message: expect.stringContaining('Holder.medicalVisits'),
        path: ['holderByCard', 'medicalVisits'],
        extensions: expect.objectContaining({
          code: 'FORBIDDEN',
          coordinate: 'Holder.medicalVisits',
          category: 'HEALTH',
          purpose: 'TRANSIT',
        }),
      },
    ]);
    expect(hub.statementCount('health')).toBe(before);
  });

  it('denies diagnoses alone where a purpose may see visits but not what they were for', async ({ hub }) => {
    const result = await hub
      .as(INSURANCE)
      .query(
        `query($n: String!) { holderByCard(cardNumber: $n) { medicalVisits { nodes { department diagnoses } } } }`,
        { n: gz.cardNumber },
      );
    expect(result.data.holderByCard.medicalVisits.nodes).toEqual([{ department: '呼吸内科', diagnoses: null }]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        path: ['holderByCard', 'medicalVisits', 'nodes', '@', 'diagnoses'],
        extensions: expect.objectContaining({ code: 'FORBIDDEN', coordinate: 'MedicalVisit.diagnoses' }),
      }),
    ]);
  });

  it('keeps which cities’ transit operators a holder rides with to transit and the holder', async ({ hub }) => {
    const query = `query($n: String!) { holderByCard(cardNumber: $n) { transitFunctions { city operator } } }`;
    expect((await hub.as(TRANSIT).ok(query, { n: gz.cardNumber })).holderByCard.transitFunctions).toEqual([
      { city: '440100', operator: '羊城通' },
    ]);
    const other = await hub.as(GUANGZHOU).query(query, { n: gz.cardNumber });
    expect(other.data.holderByCard.transitFunctions).toBeNull();
    expect(other.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({
          code: 'FORBIDDEN',
          coordinate: 'Holder.transitFunctions',
          category: 'TRAVEL',
        }),
      }),
    ]);
  });

  it('masks ID, phone and account numbers unless the purpose grants them', async ({ hub }) => {
    const query = `query($n: String!) { holderByCard(cardNumber: $n) { idNumber phone bankAccount { accountNumber } } }`;
    const masked = (await hub.as(TRANSIT).query(query, { n: gz.cardNumber })).data.holderByCard;
    expect(masked).toEqual({
      idNumber: `${gz.idNumber.slice(0, 6)}********${gz.idNumber.slice(-4)}`,
      phone: '138****8000',
      bankAccount: { accountNumber: '***************8901' },
    });
    const full = (await hub.as(HR).ok(query, { n: gz.cardNumber })).holderByCard;
    expect(full).toEqual({
      idNumber: gz.idNumber,
      phone: '13800138000',
      bankAccount: { accountNumber: '6217000012345678901' },
    });
  });
});

describe('regions', () => {
  it('serves a city platform its own city’s holders by ID number, and answers another city’s as unknown', async ({
    hub,
  }) => {
    const own = await hub
      .as(GUANGZHOU)
      .query(`query($id: String!) { holder(idNumber: $id) { name registeredCity } }`, { id: gz.idNumber });
    expect(own.errors).toBeUndefined();
    expect(own.data.holder.registeredCity).toBe('440100');
    const other = await hub
      .as(GUANGZHOU)
      .query(`query($id: String!) { holder(idNumber: $id) { name } }`, { id: sz.idNumber });
    expect(other.data.holder).toBeNull();
    // As for a number nobody holds: no refusal tells "registered in another city" from "not registered".
    expect(other.errors).toEqual([
      expect.objectContaining({ path: ['holder'], extensions: expect.objectContaining({ code: 'HOLDER_NOT_FOUND' }) }),
    ]);
    expect(JSON.stringify(other)).not.toContain('440300');
  });

  it('serves another city’s holder looked up by the card they present', async ({ hub }) => {
    const result = await hub
      .as(GUANGZHOU)
      .ok(`query($n: String!) { holderByCard(cardNumber: $n) { registeredCity } }`, { n: sz.cardNumber });
    expect(result.holderByCard.registeredCity).toBe('440300');
  });

  it('answers another city’s holder as unknown (null) at its own position in a list', async ({ hub }) => {
    const result = await hub
      .as(GUANGZHOU)
      .query(`query($ids: [String!]!) { holders(idNumbers: $ids) { registeredCity } }`, {
        ids: [gz.idNumber, sz.idNumber],
      });
    expect(result.data.holders).toEqual([{ registeredCity: '440100' }, null]);
    expect(result.errors).toBeUndefined();
  });
});

describe('write domains', () => {
  it('refuses a department another domain’s mutation, writing nothing', async ({ hub }) => {
    const before = hub.statementCount();
    const { status, body } = await hub
      .as(TRANSIT)
      .post(
        `mutation { registerBank(input: { idempotencyKey: "refused-write-01", code: "EVIL", name: "不该有" }) { code } }`,
      );
    expect(status).toBe(403);
    expect(body.errors).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({ code: 'FORBIDDEN', coordinate: 'Mutation.registerBank', domain: 'hr' }),
      }),
    ]);
    expect(hub.statementCount()).toBe(before);
    expect((await hub.ok('{ banks { code } }')).banks).toEqual([{ code: 'ICBC' }]);
  });

  it('lets a city platform serve a holder at its counter (hr), but not write transit data', async ({ hub }) => {
    const city = hub.as({ client: 'city-440300', purpose: 'HR_SERVICE' });
    const step = await city.query(`mutation($input: CardStepInput!) { issueCard(input: $input) { status } }`, {
      input: { idempotencyKey: randomUUID(), cardNumber: sz.cardNumber, servedAt: counter('440300') },
    });
    expect(step.errors).toBeUndefined();
    const transit = await hub
      .as({ client: 'city-440300', purpose: 'TRANSIT' })
      .query(`mutation($input: LoadTransitFunctionInput!) { loadTransitFunction(input: $input) { loaded } }`, {
        input: { idempotencyKey: randomUUID(), cardNumber: sz.cardNumber, city: '440300', operator: '深圳通' },
      });
    expect(codes(transit)).toEqual(['FORBIDDEN']);
  });
});

describe('subgraphs', () => {
  const query = { query: '{ card(cardNumber: "Z00000000") { status } }' };

  it('refuse calls without the gateway’s proof, with 401', async ({ hub }) => {
    for (const subgraph of hub.subgraphs) {
      const res = await fetch(subgraph.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(res.status, subgraph.name).toBe(401);
      expect(((await res.json()) as GraphQLResponse).errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    }
  });

  it('refuse a signature made for another body, caller, method or time, or used twice', async ({ hub }) => {
    const hr = hub.subgraphs.find((s) => s.name === 'hr')!;
    const secret = hub.gatewayConfig().subgraphSecret;
    const caller = encodeClaims(GATEWAY_CLAIMS);
    const body = JSON.stringify(query);
    const call = { method: 'POST', target: '/graphql', caller, body };
    const send = (headers: Record<string, string>, init: { method?: string; url?: string } = {}) =>
      fetch(init.url ?? hr.url, {
        method: init.method ?? 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        ...(init.method === 'GET' ? {} : { body }),
      }).then((r) => r.status);
    const signed = (overrides: Partial<typeof call> = {}, at?: number) => ({
      [CALLER_HEADER]: caller,
      [SIGNATURE_HEADER]: signatureFor(secret, { ...call, ...overrides }, at),
    });
    expect(await send(signed({ body: '{"query":"{ banks { code } }"}' }))).toBe(401);
    expect(
      await send({ ...signed(), [CALLER_HEADER]: encodeClaims({ ...GATEWAY_CLAIMS, kind: 'CITY', city: '440100' }) }),
    ).toBe(401);
    expect(await send(signed({}, Date.now() - 3_600_000))).toBe(401);
    expect(await send({ [CALLER_HEADER]: caller, [SIGNATURE_HEADER]: signatureFor('x'.repeat(40), call) })).toBe(401);
    // A POST's headers replayed as a GET carrying its query in the URL, where Apollo ignores the body.
    const getUrl = `${hr.url}?query=${encodeURIComponent('{ banks { code } }')}`;
    expect(await send(signed(), { method: 'GET', url: getUrl })).toBe(401);
    // The same signed call twice: the first is served, the copy refused.
    const once = signed();
    expect(await send(once)).toBe(200);
    expect(await send(once)).toBe(401);
    expect((await callSubgraph(hr.url, query)).body.errors![0]!.extensions).toMatchObject({ code: 'CARD_NOT_FOUND' });
  });
});

describe('suspension', () => {
  it('refuses a suspended client on every gateway within one second, and serves it again once reactivated', async ({
    hub,
  }) => {
    const second = await startGateway(hub.gatewayConfig(), { database: hub.gateway.database });
    // Suspended from elsewhere (another instance, the command line): only the change channel tells these two.
    const changes = openClientChanges(process.env.REDIS_URL || undefined);
    const client = 'city-445300';
    const headers = await identityHeaders({ client, purpose: 'IDENTITY_VERIFICATION' });
    const statusOn = (url: string) =>
      fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: '{ banks { code } }' }) }).then(
        (r) => r.status,
      );
    const within = async (ms: number, expected: number) => {
      const start = Date.now();
      while (Date.now() - start < ms) {
        if ((await statusOn(hub.gatewayUrl)) === expected && (await statusOn(second.url)) === expected)
          return Date.now() - start;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`not ${expected} on both gateways within ${ms} ms`);
    };
    try {
      expect(await statusOn(hub.gatewayUrl)).toBe(200);
      expect(await statusOn(second.url)).toBe(200);
      await setClientStatus(hub.gateway.database.db, changes, client, 'SUSPENDED', 'test: leaked token');
      await within(1_000, 401);
      await setClientStatus(hub.gateway.database.db, changes, client, 'ACTIVE', 'test: token rotated');
      await within(1_000, 200);
    } finally {
      await setClientStatus(hub.gateway.database.db, changes, client, 'ACTIVE', 'test: cleanup').catch(() => {});
      await changes.close();
      await second.close();
    }
  });
});

describe('rate limits', () => {
  it('refuses a client over its limit with RATE_LIMITED, HTTP 429 and a retry hint', async ({ hub }) => {
    const id = `test-limited-${randomUUID().slice(0, 8)}`;
    await hub.gateway.database.db
      .execute(sql`insert into gateway.clients (id, kind, name, purposes, status, requests_per_minute)
      values (${id}, 'PROVINCE', 'rate limit test', array['HOLDER_SELF_SERVICE'], 'ACTIVE', 3)`);
    await hub.gateway.register.refresh(id);
    // Limits count per clock minute: start clear of a minute's end, so all four fall in one window.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    const limited = hub.as({ client: id, purpose: 'HOLDER_SELF_SERVICE' });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limited.post('{ banks { code } }'));
    expect(results.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
    const refused = results[3]!;
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfter } }),
    ]);
    // Other clients are not held back.
    expect(
      (await hub.as({ client: 'province', purpose: 'HOLDER_SELF_SERVICE' }).post('{ banks { code } }')).status,
    ).toBe(200);
  });
});
