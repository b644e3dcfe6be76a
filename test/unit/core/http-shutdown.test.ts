// Closing a server lets the requests it is answering finish: a mutation that commits must reach its caller, not
// end in a reset connection.
import { ApolloServer } from '@apollo/server';
import { request } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { listen, type RunningServer } from '../../../core/http.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server whose one field answers when `release()` is called, and says when it has been asked. */
async function slowServer() {
  let entered!: () => void;
  const asked = new Promise<void>((resolve) => (entered = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const apollo = new ApolloServer({
    typeDefs: 'type Query { slow: String! } type Mutation { commit: String! }',
    resolvers: {
      Query: { slow: () => 'fast enough' },
      Mutation: {
        commit: async () => {
          entered();
          await released;
          return 'committed';
        },
      },
    },
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  server = await listen({ apollo, context: async () => ({}), ready: async () => ({}) }, 0, '127.0.0.1');
  const close = server.close;
  server.close = async () => {
    await close();
    await apollo.stop();
  };
  return { server, asked, release };
}

const post = (url: string, query: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });

it('answers a request in flight before closing, and takes no new connection meanwhile', async () => {
  const { server, asked, release } = await slowServer();
  const inFlight = post(server.url, 'mutation { commit }');
  await asked;

  let closed = false;
  const closing = server.close().then(() => (closed = true));
  // Closing waits for the request; new connections are refused already.
  await new Promise((r) => setTimeout(r, 100));
  expect(closed).toBe(false);
  await expect(
    new Promise((resolve, reject) =>
      request(server.url, { method: 'POST', agent: false }).on('error', reject).on('response', resolve).end(),
    ),
  ).rejects.toThrow(/ECONNREFUSED/);

  release();
  const res = await inFlight;
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ data: { commit: 'committed' } });
  await closing;
  expect(closed).toBe(true);
});

it('closes at once when nothing is in flight, idle keep-alive connections included', async () => {
  const { server } = await slowServer();
  const res = await post(server.url, '{ slow }'); // leaves a keep-alive connection open
  expect(await res.json()).toEqual({ data: { slow: 'fast enough' } });
  const started = Date.now();
  await server.close();
  expect(Date.now() - started).toBeLessThan(1_000);
});
