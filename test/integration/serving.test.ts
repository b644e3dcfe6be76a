// The hub as an operator sees it: health, readiness, the backend it really runs on, the committed supergraph.
import { describe, expect } from 'vitest';
import { redisCheck } from '../../gateway/readiness.js';
import { openSharedState } from '../../core/shared-state.js';
import { composeSupergraph } from '../../schema/compose.js';
import { readCommittedSupergraph } from '../../schema/supergraph.js';
import { SUBGRAPHS } from '../../schema/manifest.js';
import { hubTest } from '../support/fixtures.js';
import { READER, type TestHub } from '../support/hub.js';

const it = hubTest();

const base = (hub: TestHub) => new URL('/', hub.gatewayUrl).toString();

describe('serving', () => {
  it('answers /health and /ready, naming the database each subgraph really uses', async ({ hub }) => {
    expect(await (await fetch(`${base(hub)}health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base(hub)}ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as Record<string, string>;
    // CI runs the suite with DATABASE_URL and REDIS_URL and without: a silent fall-back to PGlite fails here.
    const backend = process.env.DATABASE_URL ? 'postgres' : 'pglite';
    expect(body).toMatchObject({
      status: 'ready',
      supergraph: 'loaded',
      gateway: backend,
      ...Object.fromEntries(SUBGRAPHS.map((s) => [s.name, backend])),
      degraded: [],
    });
    if (process.env.REDIS_URL) expect(body.redis).toBe('redis');
    else expect(body.redis).toBeUndefined();
  });

  it('serves no landing page and 404s unknown paths', async ({ hub }) => {
    // A browser's GET, from a caller the gateway admits: no page, but Apollo's GraphQL error (406: HTML is all
    // it accepts).
    const { 'content-type': _none, ...headers } = await hub.headers(READER);
    const landing = await fetch(hub.gatewayUrl, { headers: { ...headers, accept: 'text/html' } });
    expect(landing.status).toBe(406);
    expect(landing.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await landing.text()).not.toMatch(/<script|https?:\/\//);
    expect((await fetch(`${base(hub)}nothing-here`)).status).toBe(404);
  });
});

describe('when parts fail', () => {
  it('names the service when a subgraph is down', async ({ hub }) => {
    const subgraph = hub.subgraphs.find((s) => s.name === 'culture-tourism')!;
    await subgraph.close();
    const result = await hub.query('{ venues { code } }');
    expect(result.errors).toEqual([
      {
        message: `The ${subgraph.name} service is unavailable; try again shortly`,
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: subgraph.name },
      },
    ]);
    // The instance still serves the other departments: ready, and the department named as degraded.
    const ready = await fetch(`${base(hub)}ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', degraded: [subgraph.name] });
    expect((await hub.query('{ banks { code } }')).errors).toBeUndefined();
  });

  it('reports not ready and hides the cause when a database fails', async ({ hub }) => {
    const subgraph = hub.subgraphs[0]!;
    expect((await fetch(`${new URL('/', subgraph.url)}ready`)).status).toBe(200);

    await hub.databases[0]!.database.close();
    // /ready names the failing component and nothing else: no driver message, no SQL, no parameters.
    const subgraphReady = await fetch(`${new URL('/', subgraph.url)}ready`);
    expect(subgraphReady.status).toBe(503);
    const subgraphBody = await subgraphReady.text();
    expect(JSON.parse(subgraphBody)).toEqual({ status: 'not ready', reason: 'database unreachable' });
    const notReady = await fetch(`${base(hub)}ready`);
    expect(notReady.status).toBe(503);
    const notReadyBody = await notReady.text();
    // The gateway's own database (its audit trail) is that one too: this instance cannot serve, and says so by
    // naming the component only.
    expect(JSON.parse(notReadyBody)).toEqual({ status: 'not ready', reason: 'database unreachable' });
    // The gateway's audit trail is on that database too: with no record, no answer (and nothing about the
    // database or its SQL).
    const failed = await hub.query('{ banks { code name } }');
    expect(failed).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'AUDIT_UNAVAILABLE' } }] });
    for (const text of [subgraphBody, notReadyBody, JSON.stringify(failed)])
      expect(text).not.toMatch(/select|params|insert/i);
  });
});

describe('readiness checks', () => {
  it("names only Redis when Redis is unreachable, not the driver's message", async () => {
    const state = openSharedState('redis://127.0.0.1:1');
    try {
      await expect(redisCheck(state.redis!).check()).rejects.toMatchObject({
        message: 'redis unreachable',
        detail: expect.stringMatching(/^redis unreachable: ./),
      });
    } finally {
      await state.close();
    }
  });
});

describe('the committed supergraph', () => {
  it('is what composing the subgraphs yields now (run `npm run compose` after changing a schema.graphql)', () => {
    expect(readCommittedSupergraph()).toBe(composeSupergraph());
  });
});
