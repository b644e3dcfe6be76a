// Limits the gateway enforces before any subgraph is called: how deeply an operation may nest.
import { getIntrospectionQuery } from 'graphql';
import { describe, expect } from 'vitest';
import { readGatewayConfig } from '../../gateway/config.js';
import { readHubConfig } from '../../hub/config.js';
import { hubTest } from '../support/fixtures.js';
import { READER } from '../support/hub.js';
import { holderWithActiveCard, registerBank } from '../support/hr.js';

const it = hubTest();
let cardNumber: string;

it.beforeAll(async ({ hub }) => {
  await registerBank(hub, 'ICBC');
  ({ cardNumber } = await holderWithActiveCard(hub));
});

/** `card { holder { cards { holder { … } } } }` nesting `depth` fields deep, ending on a scalar. */
function nestedQuery(depth: number): string {
  // Level 1 is `card`, a Card; then Holder and Card alternate: odd levels are Cards, even levels Holders.
  const fields = [`card(cardNumber: "${cardNumber}")`];
  for (let level = 2; level < depth; level++) fields.push(level % 2 === 0 ? 'holder' : 'cards');
  const leaf = (depth - 1) % 2 === 1 ? 'cardNumber' : 'name';
  return `{ ${fields.join(' { ')} { ${leaf} ${' }'.repeat(fields.length)} }`;
}

describe('query depth', () => {
  it('refuses an operation 13 levels deep with QUERY_TOO_DEEP and HTTP 400, calling no subgraph', async ({ hub }) => {
    const before = hub.statementCount();
    const { status, body } = await hub.as(READER).post(nestedQuery(13));
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: 'The operation nests 13 levels deep; at most 12 are allowed',
        extensions: { code: 'QUERY_TOO_DEEP', maxDepth: 12 },
      },
    ]);
    expect(hub.statementCount()).toBe(before);
  });

  it('serves an operation at the limit', async ({ hub }) => {
    const { status, body } = await hub.as(READER).post(nestedQuery(12));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    // The leaf, eleven levels down, came back with a value.
    let node: any = body.data.card;
    for (let level = 2; level < 12; level++) node = level % 2 === 0 ? node.holder : node.cards[0];
    expect(Object.values(node)).toEqual([expect.any(String)]);
  });

  it('serves an ordinary query', async ({ hub }) => {
    const { status, body } = await hub
      .as(READER)
      .post(`{ card(cardNumber: "${cardNumber}") { status holder { name cards { cardNumber kind } } } }`);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.card.status).toBe('ACTIVE');
  });

  it('counts the fields inside fragments, named or inline', async ({ hub }) => {
    const query = `
      query { card(cardNumber: "${cardNumber}") { ...Deep } }
      fragment Deep on Card { holder { cards { ... on Card { holder { ...Deeper } } } } }
      fragment Deeper on Holder { cards { holder { cards { holder { cards { holder { cards { holder { name } } } } } } } } }`;
    const { status, body } = await hub.as(READER).post(query);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
  });

  it('leaves introspection to tools: the standard introspection query nests 15 levels and is served', async ({
    hub,
  }) => {
    // To a client whose register entry allows introspection (platforms may not: operation-limits.test.ts).
    const { status, body } = await hub.as({ client: 'dept-hr', purpose: 'HR_SERVICE' }).post(getIntrospectionQuery());
    expect(status).toBe(200);
    expect(body.data.__schema.queryType.name).toBe('Query');
  });
});

describe('GATEWAY_MAX_DEPTH', () => {
  it('defaults to 12 and is validated, naming the variable', () => {
    expect(readGatewayConfig({}).maxDepth).toBe(12);
    expect(readHubConfig({ GATEWAY_MAX_DEPTH: '20' }).maxDepth).toBe(20);
    for (const bad of ['0', '-1', '2.5', 'deep']) {
      expect(() => readGatewayConfig({ GATEWAY_MAX_DEPTH: bad })).toThrow(
        `Configuration error in GATEWAY_MAX_DEPTH: expected a positive whole number, got "${bad}"`,
      );
    }
  });
});
