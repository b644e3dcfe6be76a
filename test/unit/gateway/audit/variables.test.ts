// What an audit record keeps of an operation's variables (gateway/audit/variables.ts): decided by the schema's types
// and input coordinates, never by names or shapes. Run against the committed supergraph's API schema.
import { Supergraph } from '@apollo/federation-internals';
import {
  getNamedType,
  isInputObjectType,
  isObjectType,
  isScalarType,
  parse,
  type OperationDefinitionNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { auditHash } from '../../../../gateway/audit/audit-hash.js';
import { KEPT_COORDINATES } from '../../../../gateway/audit/kept-coordinates.js';
import { auditVariables } from '../../../../gateway/audit/variables.js';
import { readCommittedSupergraph } from '../../../../schema/supergraph.js';

const schema = Supergraph.build(readCommittedSupergraph()).schema.toAPISchema().toGraphQLJSSchema();
const KEY = 'unit-test-audit-key-0123456789abcdef';
const h = (text: string) => auditHash(KEY, text);

function recorded(query: string, variables: Record<string, unknown>, operationName?: string) {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === 'OperationDefinition' && (!operationName || d.name?.value === operationName),
  );
  return auditVariables(variables, { schema, document, operation, hash: h });
}

describe('audit variables', () => {
  it('hashes free text whatever it looks like, keeps enums, cities and dates where the schema has them', () => {
    const vars = recorded(`mutation($input: RecordMedicalVisitInput!) { recordMedicalVisit(input: $input) { id } }`, {
      input: {
        idempotencyKey: '0b6a1f2e-7c1d-4e3a-9f0b-2a4c6e8d0f12',
        holder: { cardNumber: 'L00100718' },
        institutionCode: 'H44010090001',
        kind: 'OUTPATIENT',
        department: 'HIV',
        visitedAt: '2024-03-07T09:30:00+08:00',
        diagnoses: ['B20', 'F32.2'],
        settlement: { total: '100.00', fundPaid: '80.00', selfPaid: '20.00', cardPaid: '0.00' },
      },
    });
    expect(vars).toEqual({
      input: {
        idempotencyKey: h('0b6a1f2e-7c1d-4e3a-9f0b-2a4c6e8d0f12'),
        holder: { cardNumber: h('L00100718') },
        institutionCode: 'H44010090001',
        kind: 'OUTPATIENT',
        department: h('HIV'),
        visitedAt: '2024-03-07T09:30:00+08:00',
        diagnoses: [h('B20'), h('F32.2')],
        settlement: { total: h('100.00'), fundPaid: h('80.00'), selfPaid: h('20.00'), cardPaid: h('0.00') },
      },
    });
    expect(JSON.stringify(vars)).not.toContain('HIV');
  });

  it('hashes a name that looks like an enum value, and a kept coordinate holding something else', () => {
    const vars = recorded(`mutation($input: RegisterHolderInput!) { registerHolder(input: $input) { id } }`, {
      input: {
        idType: 'RESIDENT_ID',
        idNumber: '44010619900307123X',
        name: 'ZHANG_WEI',
        gender: 'ZHANG_WEI', // not a value of Gender
        birthDate: '1990-03-07',
        phone: '13812345678',
        registeredCity: 'CHANWAIMAN', // a city's place, not a city's shape
      },
    });
    expect(vars).toEqual({
      input: {
        idType: 'RESIDENT_ID',
        idNumber: h('44010619900307123X'),
        name: h('ZHANG_WEI'),
        gender: h('ZHANG_WEI'),
        birthDate: h('1990-03-07'),
        phone: h('13812345678'),
        registeredCity: h('CHANWAIMAN'),
      },
    });
  });

  it('judges a top-level variable by where the operation uses it, every use agreeing', () => {
    const query = `query Q($city: String, $n: String!, $first: Int, $mode: RideMode!) {
      venues(city: $city) { code }
      rideAuthorization(cardNumber: $n, city: $city, mode: $mode) { allowed }
      holderByCard(cardNumber: $n) { rides(first: $first) { nodes { fare } } }
    }`;
    expect(recorded(query, { city: '440100', n: 'L00100718', first: 20, mode: 'METRO' })).toEqual({
      city: '440100',
      n: h('L00100718'),
      first: 20,
      mode: 'METRO',
    });
    // The same variable also used where nothing may be kept: hashed.
    const mixed = `query($c: String!) { venues(city: $c) { code } holderByCard(cardNumber: $c) { name } }`;
    expect(recorded(mixed, { c: '440100' })).toEqual({ c: h('440100') });
    // A page size must look like one.
    expect(recorded(query, { city: '440100', n: 'x', first: 123456, mode: 'METRO' }).first).toBe(h('123456'));
  });

  it('follows variables into fragments and into input objects written in the document', () => {
    const query = `mutation($city: String!, $card: String!) {
      reportCardLoss(input: { cardNumber: $card, servedAt: { channel: COUNTER, city: $city } }) { status }
    }`;
    expect(recorded(query, { city: '440300', card: 'L00100718' })).toEqual({ city: '440300', card: h('L00100718') });
    const fragment = `query($from: String) { holderByCard(cardNumber: "L1") { ...R } }
      fragment R on Holder { rides(from: $from) { nodes { fare } } }`;
    expect(recorded(fragment, { from: '2026-01-01' })).toEqual({ from: '2026-01-01' });
  });

  it('hashes what the operation does not declare or the schema does not know, member names too', () => {
    const vars = recorded(`query($n: String!) { holderByCard(cardNumber: $n) { name } }`, {
      n: 'L00100718',
      extra: { 'ZHANG WEI': ['HIV', 3, true, null] },
    });
    expect(vars).toEqual({
      n: h('L00100718'),
      [h('extra')]: { [h('ZHANG WEI')]: [h('HIV'), h('3'), h('true'), null] },
    });
    const unknownField = recorded(
      `mutation($input: ReportCardLossInput!) { reportCardLoss(input: $input) { status } }`,
      { input: { cardNumber: 'L1', servedAt: { channel: 'COUNTER', city: '440100' }, note: 'HIV' } },
    );
    expect(unknownField).toEqual({
      input: { cardNumber: h('L1'), servedAt: { channel: 'COUNTER', city: '440100' }, [h('note')]: h('HIV') },
    });
    // No schema (a document that did not parse): everything hashed.
    expect(
      auditVariables({ a: 'METRO' }, { schema: undefined, document: undefined, operation: undefined, hash: h }),
    ).toEqual({ [h('a')]: h('METRO') });
  });

  it('lists only coordinates the schema has, each of a scalar type', () => {
    for (const coordinate of KEPT_COORDINATES.keys()) {
      const argument = /^(\w+)\.(\w+)\((\w+):\)$/.exec(coordinate);
      const field = /^(\w+)\.(\w+)$/.exec(coordinate);
      if (argument) {
        const type = schema.getType(argument[1]!);
        expect(isObjectType(type), coordinate).toBe(true);
        const arg = isObjectType(type)
          ? type.getFields()[argument[2]!]?.args.find((a) => a.name === argument[3])
          : undefined;
        expect(arg && isScalarType(getNamedType(arg.type)), coordinate).toBe(true);
      } else {
        const type = schema.getType(field![1]!);
        expect(isInputObjectType(type), coordinate).toBe(true);
        const input = isInputObjectType(type) ? type.getFields()[field![2]!] : undefined;
        expect(input && isScalarType(getNamedType(input.type)), coordinate).toBe(true);
      }
    }
  });

  it('hashes with the key: another key, another hash', () => {
    expect(auditHash(KEY, 'HIV')).toMatch(/^hmac:[0-9a-f]{32}$/);
    expect(auditHash(`${KEY}x`, 'HIV')).not.toBe(auditHash(KEY, 'HIV'));
  });
});
