// What an operation asks for, measured on its text before anything is planned: how many fields it expands to once
// its fragments are spread, and how many holders its root fields look up (`holders(idNumbers: [...])`, `card(…)`). Both
// count each fragment once and reuse the count wherever it is spread, so measuring a document that expands to
// millions of fields costs no more than reading it: the walk is linear in the document's size.
import {
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return fragments;
}

/**
 * A selection set's size as a function of itself, each fragment measured once (memoised by name). A fragment that
 * spreads itself (validation refuses the cycle, but this may run on anything) counts 0 where it recurs.
 */
function memoisedSum(
  document: DocumentNode,
  fieldSize: (field: FieldNode, measure: (set: SelectionSetNode) => number) => number,
): (set: SelectionSetNode) => number {
  const fragments = fragmentsOf(document);
  const sizes = new Map<string, number>();
  const measure = (set: SelectionSetNode): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) total += fieldSize(selection, measure);
      else if (selection.kind === Kind.INLINE_FRAGMENT) total += measure(selection.selectionSet);
      else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment) continue;
        if (!sizes.has(name)) {
          sizes.set(name, 0); // a cycle's recurrence counts 0
          sizes.set(name, measure(fragment.selectionSet));
        }
        total += sizes.get(name)!;
      }
    }
    return total;
  };
  return measure;
}

/**
 * How many fields `operation` holds once every fragment is spread where it is spread: `{ a { b c } }` is 3, and
 * a fragment of 10 fields spread in 4 places adds 40. A fragment spread twice in one selection set counts twice
 * (graphql-js would merge the two), so the count never falls below what execution walks.
 */
export function expandedFieldCount(operation: OperationDefinitionNode, document: DocumentNode): number {
  const measure = memoisedSum(document, (field, inner) => 1 + (field.selectionSet ? inner(field.selectionSet) : 0));
  return measure(operation.selectionSet);
}

/**
 * Whether an argument or input field of this name and type names a holder, by itself or as a list: any `ID`
 * (an opaque id of a holder or of one of their records: `medicalVisit(id:)`, `HolderRef.id`, `loanId`), and a
 * `String` named as the schema names a holder's identity document, card or certificate number (`idNumber`,
 * `cardNumbers`…). Read off the schema's names and types, so a new lookup field is counted without being listed.
 */
const IDENTIFIER_NAME = /^(idNumber|cardNumber|certificateNumber)s?$/;
function namesHolder(name: string, type: GraphQLInputType): boolean {
  const leaf = getNamedType(type).name;
  return leaf === 'ID' || (leaf === 'String' && IDENTIFIER_NAME.test(name));
}

type Variables = Readonly<Record<string, unknown>> | undefined;

/** Adds to `into` the identifiers a JSON value (a variable's, or a schema default) holds at a position of `type`. */
function collectValue(type: GraphQLInputType, identifier: boolean, value: unknown, into: Set<string>): void {
  if (value === null || value === undefined) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    // A single value where a list is expected is coerced to a list of one.
    for (const item of Array.isArray(value) ? value : [value]) collectValue(nullable.ofType, identifier, item, into);
  } else if (isInputObjectType(nullable)) {
    if (typeof value !== 'object' || Array.isArray(value)) return;
    const given = value as Record<string, unknown>;
    for (const field of Object.values(nullable.getFields()))
      collectValue(field.type, namesHolder(field.name, field.type), given[field.name] ?? field.defaultValue, into);
  } else if (identifier) into.add(`${nullable.name}:${String(value)}`);
}

/**
 * The identifiers one argument's value holds, distinct within it (a batch of 1,000 rides of one card names one
 * holder). A variable counts what the client sent for it, else its definition's default value; its identifiers
 * are collected once per position type (`cache`), so `$ids` reused under 100 aliases costs one walk of it.
 */
function argumentIdentifiers(
  type: GraphQLInputType,
  identifier: boolean,
  node: ValueNode,
  variables: Variables,
  defaults: ReadonlyMap<string, ValueNode>,
  cache: Map<string, number>,
): number {
  const literal = new Set<string>();
  let fromVariables = 0;
  const walk = (type: GraphQLInputType, identifier: boolean, node: ValueNode): void => {
    if (node.kind === Kind.VARIABLE) {
      const name = node.name.value;
      const key = `${name}\u0000${String(type)}\u0000${identifier}`;
      let count = cache.get(key);
      if (count === undefined) {
        const found = new Set<string>();
        if (variables && Object.hasOwn(variables, name)) collectValue(type, identifier, variables[name], found);
        else {
          const fallback = defaults.get(name);
          // A default value holds no variables, so walking it on its own cannot recurse.
          if (fallback) count = argumentIdentifiers(type, identifier, fallback, undefined, new Map(), new Map());
        }
        count ??= found.size;
        cache.set(key, count);
      }
      fromVariables += count;
      return;
    }
    if (node.kind === Kind.NULL) return;
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      for (const item of node.kind === Kind.LIST ? node.values : [node]) walk(nullable.ofType, identifier, item);
    } else if (isInputObjectType(nullable)) {
      if (node.kind !== Kind.OBJECT) return;
      const fields = nullable.getFields();
      const given = new Set<string>();
      for (const field of node.fields) {
        const definition = fields[field.name.value];
        if (!definition) continue;
        given.add(definition.name);
        walk(definition.type, namesHolder(definition.name, definition.type), field.value);
      }
      for (const definition of Object.values(fields))
        if (!given.has(definition.name))
          collectValue(
            definition.type,
            namesHolder(definition.name, definition.type),
            definition.defaultValue,
            literal,
          );
    } else if (identifier && (node.kind === Kind.STRING || node.kind === Kind.INT)) {
      literal.add(`${nullable.name}:${node.value}`);
    }
  };
  walk(type, identifier, node);
  return literal.size + fromVariables;
}

/**
 * How many holders `operation` looks up: each identifier its root fields' arguments carry (a holder's ID number,
 * card number, certificate number, a record's id), in scalar arguments (`holder(idNumber:)`, `card(cardNumber:)`:
 * one each), lists (`holders(idNumbers:)`: each item) and input objects at any depth (`recordAdmissions`' rows),
 * distinct within one argument, summed over every place a field occurs: aliases and fragment spreads each count,
 * and so does each use of one variable. A variable counts what the client sent, else its default value.
 * Fields the schema does not know (refused by validation) count nothing.
 */
export function identifiersRequested(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  document: DocumentNode,
  variables: Variables,
): number {
  const rootType = schema.getRootType(operation.operation);
  const defaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? [])
    if (definition.defaultValue) defaults.set(definition.variable.name.value, definition.defaultValue);
  const cache = new Map<string, number>();
  const argumentsOf = (field: FieldNode): number => {
    const definition = rootType?.getFields()[field.name.value];
    if (!definition) return 0;
    let count = 0;
    for (const argument of definition.args) {
      const identifier = namesHolder(argument.name, argument.type);
      const given = field.arguments?.find((a) => a.name.value === argument.name);
      if (given) count += argumentIdentifiers(argument.type, identifier, given.value, variables, defaults, cache);
      else {
        const found = new Set<string>();
        collectValue(argument.type, identifier, argument.defaultValue, found);
        count += found.size;
      }
    }
    return count;
  };
  // Only root fields' arguments count (every lookup by identifiers in the schema is a root field: the unit test
  // checks the schema for it); root fields come only from the operation's root selection and the fragments
  // spread there, all on the root type.
  const measure = memoisedSum(document, (field) => argumentsOf(field));
  return measure(operation.selectionSet);
}
