// Departments check holders and cards with hr. When hr cannot answer, or answers only in part, the check must
// say hr is unavailable, never "no such card": that refusal would be stored under the write's idempotency key.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect } from 'vitest';
import { HrClient } from '../../subgraphs/kit/hr-client.js';
import { hubTest } from '../support/fixtures.js';
import { TEST_SUBGRAPH_SECRET } from '../support/hub.js';
import { holderWithActiveCard, registerBank } from '../support/hr.js';

const it = hubTest();
let failing: Server;
let failingUrl: string;

it.beforeAll(async ({ hub }) => {
  await registerBank(hub, 'ICBC');
  // hr's answer when resolving an entity failed inside it: data with a null, and an error beside it.
  failing = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: { _entities: [null] }, errors: [{ message: 'Internal server error' }] }));
  });
  await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
  failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  await new Promise((resolve) => failing?.close(resolve));
});

describe('HrClient', () => {
  it('finds real cards and holders in hr, and leaves unknown ones out', async ({ hub }) => {
    const { holder, cardNumber } = await holderWithActiveCard(hub);
    const hr = new HrClient(hub.subgraphs.find((s) => s.name === 'hr')!.url, TEST_SUBGRAPH_SECRET, 'test');
    const cards = await hr.cards([cardNumber.toLowerCase(), 'Z00000000', 'garbage']);
    expect([...cards.values()]).toEqual([
      {
        cardNumber,
        kind: 'PHYSICAL',
        status: 'ACTIVE',
        expiresOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        holderId: holder.id,
      },
    ]);
    expect(await hr.existingHolders([holder.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid'])).toEqual(
      new Set([holder.id]),
    );
  });

  it('reports hr unavailable on a partial answer and when hr is unreachable', async () => {
    await expect(new HrClient(failingUrl, TEST_SUBGRAPH_SECRET, 'test').cards(['Z00000000'])).rejects.toMatchObject({
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'hr' },
    });
    await expect(
      new HrClient('http://127.0.0.1:1/graphql', TEST_SUBGRAPH_SECRET, 'test').existingHolders([
        '00000000-0000-4000-8000-000000000000',
      ]),
    ).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
  });
});
