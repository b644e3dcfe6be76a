// The pure measures behind the gateway's operation limits (gateway/limits/operation-size.ts): fields after
// fragments are spread, and the holders an operation's root fields look up, each linear in the document's size.
import { ApolloGateway } from '@apollo/gateway';
import {
  getNamedType,
  isInputObjectType,
  isObjectType,
  Kind,
  parse,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandedFieldCount, identifiersRequested } from '../../../../gateway/limits/operation-size.js';
import { readCommittedSupergraph } from '../../../../schema/supergraph.js';

let gateway: ApolloGateway;
let schema: GraphQLSchema;
beforeAll(async () => {
  gateway = new ApolloGateway({ supergraphSdl: readCommittedSupergraph() });
  ({ schema } = await gateway.load());
});
afterAll(() => gateway.stop());

const operationOf = (document: ReturnType<typeof parse>) =>
  document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;

const fields = (text: string) => {
  const document = parse(text);
  return expandedFieldCount(operationOf(document), document);
};

/** `levels` fragments, each spreading the next under `fan` aliases: fan^(levels-1) copies of the last. */
function fragmentBomb(levels: number, fan: number): string {
  const fragments: string[] = [];
  for (let i = 0; i < levels; i++) {
    const onCard = i % 2 === 0;
    const inner =
      i === levels - 1 ? (onCard ? 'cardNumber' : 'name') : `${onCard ? 'holder' : 'cards'} { ...F${i + 1} }`;
    const selection = i === levels - 1 ? inner : Array.from({ length: fan }, (_, k) => `a${k}: ${inner}`).join(' ');
    fragments.push(`fragment F${i} on ${onCard ? 'Card' : 'Holder'} { ${selection} }`);
  }
  return `{ card(cardNumber: "L00000001") { ...F0 } } ${fragments.join(' ')}`;
}

describe('expandedFieldCount', () => {
  it('counts every field, nested ones included', () => {
    expect(fields('{ a { b c } }')).toBe(3);
    expect(fields('{ banks { code name } banks2: banks { code } }')).toBe(5);
  });

  it('counts a fragment once for every place it is spread, named or inline', () => {
    expect(fields('{ x { ...F } y { ...F } z { ... on T { a } } } fragment F on T { a b }')).toBe(3 + 4 + 1);
    // Spread twice in one selection set: counted twice, never less than execution walks.
    expect(fields('{ x { ...F ...F } } fragment F on T { a }')).toBe(3);
  });

  it('measures a 2^20-way fan-out in a 2 KB document in milliseconds', () => {
    const bomb = fragmentBomb(11, 4);
    expect(bomb.length).toBeLessThan(2_048);
    const started = performance.now();
    // 1 (card) + Σ 4^k × (1 field + …): every level's four aliases, down to 4^10 leaves.
    const count = fields(bomb);
    expect(performance.now() - started).toBeLessThan(50);
    expect(count).toBeGreaterThan(2 ** 20);
  });

  it('stops at a fragment cycle (which validation refuses) instead of recursing forever', () => {
    expect(fields('{ x { ...A } } fragment A on T { a ...B } fragment B on T { b ...A }')).toBe(3);
  });

  it('ignores an unknown fragment (validation refuses it)', () => {
    expect(fields('{ x { ...Nowhere } }')).toBe(1);
  });
});

describe('identifiersRequested', () => {
  const ids = (text: string, variables?: Record<string, unknown>) => {
    const document = parse(text);
    return identifiersRequested(schema, operationOf(document), document, variables);
  };

  it('counts the items of a literal list argument and of a variable', () => {
    expect(ids('{ holders(idNumbers: ["a", "b", "c"]) { id } }')).toBe(3);
    expect(ids('query($ids: [String!]!) { holders(idNumbers: $ids) { id } }', { ids: ['a', 'b'] })).toBe(2);
    // A single value for a list variable is coerced to a list of one.
    expect(ids('query($ids: [String!]!) { holders(idNumbers: $ids) { id } }', { ids: 'a' })).toBe(1);
    expect(ids('query($ids: [String!]!) { holders(idNumbers: $ids) { id } }', {})).toBe(0);
  });

  it('sums over aliases and over every spread of a root fragment', () => {
    const list = `[${Array.from({ length: 100 }, (_, i) => `"${i}"`).join(', ')}]`;
    const aliases = Array.from({ length: 50 }, (_, i) => `h${i}: holders(idNumbers: ${list}) { id }`).join(' ');
    expect(ids(`{ ${aliases} }`)).toBe(5_000);
    expect(
      ids(
        `{ ...A ...B } fragment A on Query { ...C } fragment B on Query { ...C } fragment C on Query { holders(idNumbers: ["x", "y"]) { id } }`,
      ),
    ).toBe(4);
  });

  it('counts no unknown fields and no arguments that name no holder', () => {
    expect(ids('{ nowhere(idNumbers: ["a"]) { id } }')).toBe(0);
    expect(ids('{ venue(code: "T-MUS-SZ") { name } banks { code } venues(city: "440100") { code } }')).toBe(0);
  });

  // Review 12, item 4: a variable's default value counted 0 when the client sent no variables.
  it("counts a variable's default value when the variable is not sent, at each of its uses", () => {
    const list = `[${Array.from({ length: 100 }, (_, i) => `"${i}"`).join(', ')}]`;
    const aliases = Array.from({ length: 100 }, (_, i) => `h${i}: holders(idNumbers: $ids) { id }`).join(' ');
    expect(ids(`query($ids: [String!]! = ${list}) { ${aliases} }`)).toBe(10_000);
    expect(ids(`query($ids: [String!]! = ${list}) { ${aliases} }`, {})).toBe(10_000);
    // What the client sends wins over the default; null names nobody.
    expect(ids(`query($ids: [String!] = ${list}) { holders(idNumbers: $ids) { id } }`, { ids: ['a'] })).toBe(1);
    expect(ids(`query($ids: [String!] = ${list}) { holders(idNumbers: $ids) { id } }`, { ids: null })).toBe(0);
    expect(
      ids('query($n: String! = "L1") { a: card(cardNumber: $n) { status } b: card(cardNumber: $n) { status } }'),
    ).toBe(2);
  });

  // Review 12, item 11: single-identifier lookups counted 0, so 100 aliases touched no budget.
  it('counts one holder for each root lookup by a single identifier, per alias and per fragment spread', () => {
    expect(ids('{ holder(idNumber: "a") { id } card(cardNumber: "b") { cardNumber } }')).toBe(2);
    const aliases = Array.from({ length: 100 }, (_, i) => `h${i}: holderByCard(cardNumber: "L${i}") { name }`).join(
      ' ',
    );
    expect(ids(`{ ${aliases} }`)).toBe(100);
    expect(
      ids(
        '{ ...A ...A } fragment A on Query { holderAccessReport(idNumber: "x") { idNumber } medicalVisit(id: "7") { id } preferentialCertificate(certificateNumber: "C1") { kind } rideAuthorization(cardNumber: "L1", city: "440100", mode: METRO) { allowed } accessLog(filter: { idNumber: "y" }) { totalCount } }',
      ),
    ).toBe(10);
    expect(ids('query($n: String!) { holderByCard(cardNumber: $n) { name } }', { n: 'L1' })).toBe(1);
  });

  // Review 12, item 11: identifiers inside input objects (1,000 rows under each of 100 aliases) counted 0.
  it('counts the identifiers inside input objects and their lists, distinct within one argument', () => {
    const rows = (n: number, distinct = true) =>
      Array.from({ length: n }, (_, i) => ({ cardNumber: distinct ? `L${i}` : 'L0', venueCode: 'V' }));
    const query = (aliases: number) =>
      `mutation($input: RecordAdmissionsInput!) { ${Array.from({ length: aliases }, (_, i) => `a${i}: recordAdmissions(input: $input) { recorded }`).join(' ')} }`;
    expect(ids(query(1), { input: { idempotencyKey: 'k', admissions: rows(1_000) } })).toBe(1_000);
    expect(ids(query(100), { input: { idempotencyKey: 'k', admissions: rows(1_000) } })).toBe(100_000);
    // 1,001 rows of one card name one holder: the subgraph, not the gateway, refuses the batch's size.
    expect(ids(query(1), { input: { idempotencyKey: 'k', admissions: rows(1_001, false) } })).toBe(1);
    expect(
      ids(
        'mutation { recordRides(input: { idempotencyKey: "k", rides: [{ cardNumber: "L1", mode: METRO, city: "440100", line: "1", station: "S", occurredAt: "t", fare: "2" }, { cardNumber: "L2", mode: METRO, city: "440100", line: "1", station: "S", occurredAt: "t", fare: "2" }] }) { recorded } }',
      ),
    ).toBe(2);
    // A holder reference and a variable inside a literal object.
    expect(
      ids(
        'mutation($c: String) { recordHealthRecord(input: { idempotencyKey: "k", holder: { cardNumber: $c }, type: CHECKUP, institutionCode: "I", recordedAt: "t", summary: "s" }) { id } }',
        { c: 'L1' },
      ),
    ).toBe(1);
    // Not identifiers: a visit's diagnoses, a venue code.
    expect(
      ids(
        'mutation { recordMedicalVisit(input: { idempotencyKey: "k", holder: { id: "h1" }, institutionCode: "I", kind: OUTPATIENT, department: "d", visitedAt: "t", diagnoses: ["J00", "J01", "J02"] }) { id } }',
      ),
    ).toBe(1);
  });

  it('measures a variable once however many aliases use it', () => {
    const many = Array.from({ length: 200_000 }, (_, i) => `${i}`);
    const aliases = Array.from({ length: 1_000 }, (_, i) => `h${i}: holders(idNumbers: $ids) { id }`).join(' ');
    const started = performance.now();
    expect(ids(`query($ids: [String!]!) { ${aliases} }`, { ids: many })).toBe(200_000_000);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('finds every lookup by identifier at the root: no other field of the schema takes one', () => {
    const names = /^(idNumber|cardNumber|certificateNumber)s?$/;
    const nested: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (
        !isObjectType(type) ||
        type.name.startsWith('__') ||
        type === schema.getQueryType() ||
        type === schema.getMutationType()
      )
        continue;
      for (const field of Object.values(type.getFields()))
        for (const argument of field.args)
          if (
            getNamedType(argument.type).name === 'ID' ||
            names.test(argument.name) ||
            isInputObjectType(getNamedType(argument.type))
          )
            nested.push(`${type.name}.${field.name}(${argument.name})`);
    }
    expect(nested).toEqual([]);
  });
});
