// gateway/result-shaping.ts against @apollo/gateway's own computeResponse: for operations over the hub's API schema
// (every root field to three levels, with aliases, __typename, fragments, @skip/@include and introspection) and
// merged subgraph data drawn at random, right and wrong (nulls where the schema forbids them, values of the wrong
// type, unknown enum values and __typenames, missing fields, extra fields), the same answer (keys in the same order),
// the same errors with the same paths, or the same exception.
import { createRequire } from 'node:module';
import {
  getNamedType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  Kind,
  parse,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { readCommittedSupergraph } from '../../../../schema/supergraph.js';
import {
  CHECKED_GATEWAY_VERSION,
  computeResponse,
  installResultShaping,
  type ComputeResponse,
  type FedOperation,
} from '../../../../gateway/apollo-patches/result-shaping.js';

const gatewayRequire = createRequire(createRequire(import.meta.url).resolve('@apollo/gateway'));
const fed = gatewayRequire('@apollo/federation-internals') as {
  Supergraph: { build(sdl: string): { apiSchema(): { toGraphQLJSSchema(): GraphQLSchema } } };
  operationFromDocument(schema: unknown, document: unknown, options?: unknown): FedOperation;
};

/** Apollo's computeResponse from a copy of its module of its own, whatever installResultShaping did to the shared one. */
function apolloComputeResponse(): ComputeResponse {
  const path = gatewayRequire.resolve('@apollo/gateway/dist/resultShaping.js');
  const shared = gatewayRequire.cache[path];
  delete gatewayRequire.cache[path];
  try {
    return (gatewayRequire(path) as { computeResponse: ComputeResponse }).computeResponse;
  } finally {
    if (shared) gatewayRequire.cache[path] = shared;
  }
}
const apollo = apolloComputeResponse();

const apiSchema = fed.Supergraph.build(readCommittedSupergraph()).apiSchema();
const schema = apiSchema.toGraphQLJSSchema();

// ---- a seeded generator ---------------------------------------------------------------------------------------------

let seed = 1;
const random = () => {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const chance = (p: number) => random() < p;
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

// ---- operations -----------------------------------------------------------------------------------------------------

interface Built {
  query: string;
  variables: Record<string, unknown>;
}

/** Every field of `type` to `depth` levels, with arguments as variables, aliases, conditions and fragments. */
function selectionOf(
  type: GraphQLObjectType,
  depth: number,
  vars: Map<string, string>,
  fragments: string[],
  flags: string[],
): string {
  const parts: string[] = [];
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    const composite = isObjectType(named) || isInterfaceType(named) || isUnionType(named);
    if (composite && depth <= 1) continue;
    const args = field.args
      .filter((a) => isNonNullType(a.type) || chance(0.2))
      .map((a) => {
        const name = `v${vars.size}`;
        vars.set(name, String(a.type));
        return `${a.name}: $${name}`;
      });
    const alias = chance(0.15) ? `a_${field.name}: ` : '';
    const condition = chance(0.15)
      ? pick([
          ' @skip(if: true)',
          ' @include(if: false)',
          ' @include(if: true)',
          ` @skip(if: $${pick(flags)})`,
          ` @include(if: $${pick(flags)})`,
        ])
      : '';
    const sub = composite ? ` { ${selectionOf(named as GraphQLObjectType, depth - 1, vars, fragments, flags)} }` : '';
    let text = `${alias}${field.name}${args.length ? `(${args.join(', ')})` : ''}${condition}${sub}`;
    if (chance(0.1))
      text += ` ${alias ? 'b_' : 'c_'}${field.name}: ${field.name}${args.length ? `(${args.join(', ')})` : ''}${sub}`; // the same field twice, under another key
    if (chance(0.1)) text = `... on ${type.name}${chance(0.3) ? ` @include(if: $${pick(flags)})` : ''} { ${text} }`;
    else if (chance(0.08)) {
      const name = `F${fragments.length}`;
      fragments.push(`fragment ${name} on ${type.name} { ${text} }`);
      text = `...${name}`;
    }
    parts.push(text);
  }
  if (parts.length === 0 || chance(0.5))
    parts.splice(Math.floor(random() * (parts.length + 1)), 0, pick(['__typename', 't: __typename', 'id: __typename']));
  // A field asked twice in one selection (through a fragment) merges into one key.
  if (parts.length > 0 && chance(0.2)) parts.push(`... { ${pick(parts)} }`);
  return parts.join(' ');
}

function buildOperation(rootField: GraphQLField<unknown, unknown>, depth: number): Built {
  const vars = new Map<string, string>();
  const fragments: string[] = [];
  const flags = ['f0', 'f1'];
  const root = schema.getQueryType()!;
  const single = { [rootField.name]: rootField };
  const fake = Object.assign(Object.create(Object.getPrototypeOf(root)), root, {
    getFields: () => single,
  }) as GraphQLObjectType;
  let selection = selectionOf(fake, depth + 1, vars, fragments, flags);
  if (chance(0.3)) selection += ' __schema { queryType { name } } __type(name: "Holder") { name kind }';
  const defs = [
    ...flags.map((f, i) => `$${f}: Boolean${i === 1 ? ' = true' : '!'}`),
    ...[...vars].map(([name, type]) => `$${name}: ${type}`),
  ];
  return {
    query: `query Q(${defs.join(', ')}) { ${selection} } ${fragments.join(' ')}`,
    variables: { f0: chance(0.5), ...(chance(0.5) ? { f1: chance(0.5) } : {}) },
  };
}

// ---- merged subgraph data, right and wrong ------------------------------------------------------------------------------

function leaf(type: GraphQLNamedType): unknown {
  if (chance(0.04)) return pick([42, 1.5, 'text', true, { odd: 1 }, ['x']]); // the wrong type
  if (isEnumType(type)) return chance(0.05) ? 'NOT_A_VALUE' : pick(type.getValues()).name;
  switch (type.name) {
    case 'Int':
      return chance(0.1) ? 2.5 : Math.floor(random() * 100);
    case 'Float':
      return random() * 100;
    case 'Boolean':
      return chance(0.5);
    default:
      return `s${Math.floor(random() * 1000)}`;
  }
}

/** How often a value has no GraphQL shape at all (a string for a list or an object): set per sample. */
let oddShapes = 0;

function valueOf(
  type: GraphQLOutputType,
  selectionSet: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
): unknown {
  if (chance(0.03)) return null;
  if (chance(oddShapes)) return pick(['not a list', 7, { not: 'a list' }]); // a value of no GraphQL shape: Apollo throws
  if (isNonNullType(type)) return valueOf(type.ofType, selectionSet, fragments);
  if (isListType(type))
    return Array.from({ length: Math.floor(random() * 3) }, () => valueOf(type.ofType, selectionSet, fragments));
  const named = type as GraphQLNamedType;
  if (isScalarType(named) || isEnumType(named) || !selectionSet) return leaf(named);
  const object: Record<string, unknown> = {};
  if (chance(0.6)) object.__typename = chance(0.05) ? pick(['Nope', 'Query', 'String']) : named.name;
  fill(object, selectionSet, named as GraphQLObjectType, fragments);
  object.extra = 'not asked';
  return object;
}

/** Data for what the selection asks of an object of `type`, under its response keys, some missing. */
function fill(
  object: Record<string, unknown>,
  selectionSet: SelectionSetNode,
  type: GraphQLObjectType,
  fragments: Map<string, FragmentDefinitionNode>,
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) fill(object, selection.selectionSet, type, fragments);
    else if (selection.kind === Kind.FRAGMENT_SPREAD)
      fill(object, fragments.get(selection.name.value)!.selectionSet, type, fragments);
    else {
      const key = selection.alias?.value ?? selection.name.value;
      if (selection.name.value.startsWith('__')) {
        if (selection.name.value === '__typename' && chance(0.3))
          object[key] = chance(0.3) ? pick(['Nope', 'String', 'Query']) : type.name;
        continue;
      }
      if (key in object || chance(0.03)) continue; // asked twice, or missing
      object[key] = valueOf(type.getFields()[selection.name.value]!.type, selection.selectionSet, fragments);
    }
  }
}

function inputFor(query: string): Record<string, unknown> | null {
  if (chance(0.02)) return null;
  const document = parse(query);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const object: Record<string, unknown> = {};
  fill(object, (document.definitions[0] as OperationDefinitionNode).selectionSet, schema.getQueryType()!, fragments);
  return object;
}

// ---- the comparison -------------------------------------------------------------------------------------------------

const introspectionHandling = (selection: unknown) => ({
  introspected: (selection as { element: { responseName(): string } }).element.responseName(),
});

function outcome(
  shape: ComputeResponse,
  operation: FedOperation,
  variables: Record<string, unknown>,
  input: Record<string, unknown> | null,
) {
  try {
    const { data, errors } = shape({
      operation,
      variables,
      input: input === null ? input : structuredClone(input),
      introspectionHandling,
    });
    return {
      data: JSON.stringify(data),
      errors: errors.map((e) => ({
        message: e.message,
        path: (e as { path?: unknown }).path,
        code: (e as { extensions?: { code?: unknown } }).extensions?.code,
      })),
    };
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

describe('result shaping', () => {
  it('is installed over the @apollo/gateway it was checked against', () => {
    expect((gatewayRequire('@apollo/gateway/package.json') as { version: string }).version).toBe(
      CHECKED_GATEWAY_VERSION,
    );
    expect(installResultShaping()).toBe(true);
    expect(
      (gatewayRequire('@apollo/gateway/dist/resultShaping.js') as { computeResponse: unknown }).computeResponse,
    ).toBe(computeResponse);
  });

  it('builds an operation once per operation node for executeQueryPlan’s call, and leaves the planner’s call alone', () => {
    installResultShaping();
    const document = parse('query A($v: String!) { holder(idNumber: $v) { ...N } } fragment N on Holder { name }');
    const [operationNode, fragment] = document.definitions;
    const executorCall = (fragments = [fragment]) =>
      fed.operationFromDocument(
        apiSchema,
        { kind: Kind.DOCUMENT, definitions: [operationNode, ...fragments] },
        { validate: false },
      );
    const kept = executorCall();
    expect(executorCall()).toBe(kept);
    // The same operation node with other fragment nodes (a document parsed again) is another operation.
    expect(executorCall([structuredClone(fragment)])).not.toBe(kept);
    expect(fed.operationFromDocument(apiSchema, document, { operationName: 'A' })).not.toBe(kept);
    expect(fed.operationFromDocument(apiSchema, document, { operationName: 'A' })).not.toBe(
      fed.operationFromDocument(apiSchema, document, { operationName: 'A' }),
    );
  });

  it('answers as Apollo’s computeResponse does, right and wrong data alike', () => {
    let compared = 0;
    let withErrors = 0;
    let threw = 0;
    for (const rootField of Object.values(schema.getQueryType()!.getFields())) {
      for (let round = 0; round < 12; round++) {
        const { query, variables } = buildOperation(rootField, 1 + (round % 3));
        const operation = fed.operationFromDocument(apiSchema, parse(query), { validate: false });
        for (let sample = 0; sample < 4; sample++) {
          oddShapes = chance(0.3) ? 0.05 : 0;
          const input = inputFor(query);
          const expected = outcome(apollo, operation, variables, input);
          // Twice over the same operation: the second walk reads the digests the first made.
          expect(outcome(computeResponse, operation, variables, input), query).toEqual(expected);
          expect(outcome(computeResponse, operation, variables, input), query).toEqual(expected);
          compared++;
          if ('threw' in expected) threw++;
          else if (expected.errors.length > 0) withErrors++;
        }
      }
    }
    // Response keys an ordinary object would inherit or take as its prototype.
    const query =
      'query Q($v: String!) { __proto__: holder(idNumber: $v) { toString: name constructor: id __proto__: registeredCity } valueOf: holder(idNumber: $v) { id } }';
    const operation = fed.operationFromDocument(apiSchema, parse(query), { validate: false });
    for (const input of [
      {},
      { __proto__: null, valueOf: null },
      JSON.parse('{"__proto__": {"toString": "x", "__proto__": "440100"}, "valueOf": {"id": "1"}}'),
    ]) {
      const expected = outcome(apollo, operation, { v: 'x' }, input);
      expect(outcome(computeResponse, operation, { v: 'x' }, input)).toEqual(expected);
    }
    expect(
      outcome(
        computeResponse,
        operation,
        { v: 'x' },
        JSON.parse(
          '{"__proto__": {"toString": "x", "constructor": "1", "__proto__": "440100"}, "valueOf": {"id": "1"}}',
        ),
      ).data,
    ).toBe('{"__proto__":{"toString":"x","constructor":"1","__proto__":"440100"},"valueOf":{"id":"1"}}');
    // The draws must exercise the error paths, not only the happy one.
    expect(compared).toBeGreaterThan(500);
    expect(withErrors).toBeGreaterThan(compared / 10);
    expect(compared - withErrors - threw).toBeGreaterThan(compared / 10);
    expect(threw).toBeGreaterThan(10);
  });
});
