// Holder lists batched across fields (subgraphs/shared/holder-lists.ts) whatever the operation: a statement stays
// within the database's limits however many lists a client's aliases make, and what a list primes never outlives a
// write of the same operation.
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { hubTest } from '../support/fixtures.js';
import { counter, holderWithActiveCard, key, registerBank } from '../support/hr.js';

// The first test checks the subgraphs' list batching behind a gateway whose limits a deployment raised: its 662
// aliases, ~11,000 tokens, 2,000-odd fields and page sizes are all far past the gateway's defaults (README "Limits"),
// which would refuse it before any subgraph saw it.
const it = hubTest({
  seedHolders: 100,
  env: {
    GATEWAY_MAX_TOKENS: '20000',
    GATEWAY_MAX_ALIASES: '1000',
    GATEWAY_MAX_EXPANDED_FIELDS: '10000',
    GATEWAY_MAX_COST: '100000000',
  },
});
let idNumbers: string[];

it.beforeAll(async ({ hub }) => {
  const rows = await hub.rows<{ id_number: string }>(
    sql`select id_number from hr.holders order by id_number limit 100`,
  );
  idNumbers = rows.map((r) => r.id_number);
  await registerBank(hub, 'ICBC');
});

type Page = { nodes: { id: string; occurredAt: string }[]; pageInfo: { hasNextPage: boolean } };

it('answers every field when aliases make hundreds of lists over 100 holders', async ({ hub }) => {
  // One list per distinct set of paging arguments: 660 lists of 100 holders each, with real pages among them. As one
  // statement they were 66,000 parameters (past PostgreSQL's 65,535: every list of the request failed), and a union
  // of 660 branches overflowed PGlite's stack, which left the embedded database dead for every later request.
  const empty = Array.from(
    { length: 660 },
    (_, i) => `e${i}: rides(first: ${(i % 500) + 1}, to: "190${1 + Math.floor(i / 500)}-01-01") { nodes { id } }`,
  );
  const result = await hub.query(
    `query($ids: [String!]!) { holders(idNumbers: $ids) {
    id transitFunctions { city operator }
    a: rides(first: 2) { nodes { id occurredAt } pageInfo { hasNextPage } }
    b: rides(first: 5) { nodes { id occurredAt } pageInfo { hasNextPage } }
    ${empty.join(' ')}
  } }`,
    { ids: idNumbers },
  );
  expect(result.errors).toBeUndefined();
  const holders = result.data.holders as Record<string, any>[];
  expect(holders).toHaveLength(100);

  // The same pages, and transit functions, as a query of a few lists gives them.
  const plain = await hub.ok(
    `query($ids: [String!]!) { holders(idNumbers: $ids) {
    id transitFunctions { city operator } rides(first: 5) { nodes { id occurredAt } pageInfo { hasNextPage } }
  } }`,
    { ids: idNumbers },
  );
  holders.forEach((holder, i) => {
    const expected = plain.holders[i];
    expect(holder.id).toBe(expected.id);
    expect(holder.transitFunctions).toEqual(expected.transitFunctions);
    expect(holder.b).toEqual(expected.rides);
    expect((holder.a as Page).nodes).toEqual((expected.rides as Page).nodes.slice(0, 2));
    expect((holder.a as Page).pageInfo.hasNextPage).toBe((expected.rides as Page).nodes.length > 2);
    for (let e = 0; e < empty.length; e++) expect(holder[`e${e}`]).toEqual({ nodes: [] });
  });
  expect(holders.some((h) => (h.b as Page).nodes.length > 2)).toBe(true);
  expect(holders.some((h) => h.transitFunctions.length > 0)).toBe(true);
}, 90_000);

it("answers a mutation with what the operation's earlier mutations wrote, not with what a holder's cards primed", async ({
  hub,
}) => {
  const { cardNumber } = await holderWithActiveCard(hub);
  const input = { cardNumber, servedAt: counter() };
  // One request to hr: listing the holder's cards in `lost` brings every card's events with them.
  const data = await hub.ok(
    `mutation($lost: ReportCardLossInput!, $found: CardStepInput!) {
    lost: reportCardLoss(input: $lost) { status holder { cards { cardNumber status } } }
    found: cancelCardLossReport(input: $found) { status events { type } holder { cards { cardNumber status } } }
  }`,
    { lost: { ...input, idempotencyKey: key() }, found: { ...input, idempotencyKey: key() } },
  );
  expect(data.lost).toEqual({ status: 'LOST', holder: { cards: [{ cardNumber, status: 'LOST' }] } });
  expect(data.found).toEqual({
    status: 'ACTIVE',
    events: [{ type: 'APPLIED' }, { type: 'ISSUED' }, { type: 'LOSS_REPORTED' }, { type: 'LOSS_CANCELLED' }],
    holder: { cards: [{ cardNumber, status: 'ACTIVE' }] },
  });
});
