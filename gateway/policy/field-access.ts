// What one operation may read for one purpose, decided before any subgraph is called: fields the purpose may not
// read are taken out of the operation (so no department is asked for them on the caller's behalf; a field another
// subgraph @requires is still fetched between subgraphs for it, and never reaches the caller), masked fields are
// noted for the answer. Pure and cacheable: the result depends on the document, the operation's name and the
// purpose only, never on variable values, so @skip/@include are kept in the operation rather than decided here.
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  Kind,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type VariableNode,
} from 'graphql';
import type { Mask } from '../../schema/policy/masks.js';
import type { Purpose } from '../../schema/policy/purposes.js';
import type { SchemaPolicy } from '../../schema/policy/schema-policy.js';

/** A path into the response: response keys (alias or name) from the root, "@" for every list level. */
export type ResponsePath = string[];

export interface DeniedField {
  path: ResponsePath;
  /** "Type.field" of the @sensitive rule that refused it. */
  coordinate: string;
  category: string;
}

export interface MaskedField {
  path: ResponsePath;
  mask: Mask;
}

export interface FieldAccess {
  /**
   * The operation to execute, then the fragments it spreads: fields the purpose may not read are replaced, so no
   * subgraph is asked for them on the client's behalf.
   */
  document: DocumentNode;
  /** One entry per occurrence of a refused field in the operation. */
  denied: DeniedField[];
  /** One entry per occurrence of a field the purpose reads masked. */
  masked: MaskedField[];
  /** Nothing refused: `document` is the one given. */
  unchanged: boolean;
}

/** The marker for a list level in a ResponsePath (the Apollo Router's convention). */
export const LIST_MARKER = '@';

export function planFieldAccess(
  apiSchema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  policy: SchemaPolicy,
  purpose: Purpose,
): FieldAccess {
  const operation = findOperation(document, operationName);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const rootType = apiSchema.getRootType(operation.operation);
  if (!rootType) throw new Error(`The schema has no ${operation.operation} type`);
  const fieldOf = (parentType: GraphQLCompositeType, name: string) =>
    isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[name] : undefined;

  // What is refused and what masked, at the response paths where it would be answered. Which fields a fragment
  // holds and where they land depend on the fragment and the path only, not on the spread's @skip/@include or on
  // the conditions around it: a fragment spread again in one selection set adds no path, and is walked once there,
  // as graphql-js collects it. Fragments spread over and over cannot make this walk grow faster than execution would.
  const denied: DeniedField[] = [];
  const masked: MaskedField[] = [];
  const collect = (
    set: SelectionSetNode,
    parentType: GraphQLCompositeType,
    path: ResponsePath,
    walked: Set<string>,
  ): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        // __typename, __schema, __type: answered from the schema, which is public.
        if (name.startsWith('__')) continue;
        const definition = fieldOf(parentType, name);
        if (!definition) continue; // unknown fields were refused by validation
        const fieldPath = [...path, selection.alias?.value ?? name];
        const decision = decide(apiSchema, policy, purpose, parentType, name);
        if (decision.denied) {
          denied.push({ path: fieldPath, ...decision.denied });
          continue;
        }
        if (decision.mask) masked.push({ path: fieldPath, mask: decision.mask });
        if (selection.selectionSet) {
          const childType = getNamedType(definition.type) as GraphQLCompositeType;
          collect(selection.selectionSet, childType, [...fieldPath, ...listMarkers(definition.type)], new Set());
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? compositeType(apiSchema, selection.typeCondition.name.value)
          : parentType;
        collect(selection.selectionSet, type, path, walked);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || walked.has(fragment.name.value)) continue; // unknown fragments were refused by validation
        walked.add(fragment.name.value);
        collect(fragment.selectionSet, compositeType(apiSchema, fragment.typeCondition.name.value), path, walked);
      }
    }
  };
  collect(operation.selectionSet, rootType, [], new Set());
  if (denied.length === 0) return { document, denied, masked, unchanged: true };

  // The operation to run: every selection where the client put it, refused fields replaced by stand-ins. Spreads
  // stay spreads, each with its own @skip/@include, and each fragment is rewritten once: what a fragment holds
  // for a purpose does not depend on where it is spread. (Inlining fragments and skipping a repeated spread, as
  // the paths walk does, would drop fields: a spread under a false @include must not stand for the one beside it.)
  const rewrite = (set: SelectionSetNode, parentType: GraphQLCompositeType): SelectionSetNode => ({
    ...set,
    selections: set.selections.map((selection): SelectionNode => {
      if (selection.kind === Kind.FIELD) return rewriteField(selection, parentType);
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? compositeType(apiSchema, selection.typeCondition.name.value)
          : parentType;
        return { ...selection, selectionSet: rewrite(selection.selectionSet, type) };
      }
      return selection;
    }),
  });
  const rewriteField = (field: FieldNode, parentType: GraphQLCompositeType): FieldNode => {
    const name = field.name.value;
    if (name.startsWith('__')) return field;
    const definition = fieldOf(parentType, name);
    if (!definition) return field;
    if (decide(apiSchema, policy, purpose, parentType, name).denied) return standIn(field, field.alias?.value ?? name);
    if (!field.selectionSet) return field;
    return {
      ...field,
      selectionSet: rewrite(field.selectionSet, getNamedType(definition.type) as GraphQLCompositeType),
    };
  };

  const selectionSet = rewrite(operation.selectionSet, rootType);
  // The fragments the rewritten operation still spreads, in the document's order: one spread only inside a refused
  // field is gone, and an unused fragment would make the document invalid.
  const used = new Map<string, FragmentDefinitionNode>();
  const pending = spreadNames(selectionSet);
  while (pending.length > 0) {
    const fragment = fragments.get(pending.pop()!);
    if (!fragment || used.has(fragment.name.value)) continue;
    const rewritten = {
      ...fragment,
      selectionSet: rewrite(fragment.selectionSet, compositeType(apiSchema, fragment.typeCondition.name.value)),
    };
    used.set(fragment.name.value, rewritten);
    pending.push(...spreadNames(rewritten.selectionSet));
  }
  const kept = [...fragments.keys()].filter((name) => used.has(name)).map((name) => used.get(name)!);
  return { document: executableDocument(operation, selectionSet, kept), denied, masked, unchanged: false };
}

function spreadNames(set: SelectionSetNode): string[] {
  const names: string[] = [];
  visit(set, { FragmentSpread: (node) => void names.push(node.name.value) });
  return names;
}

/**
 * What takes a refused field's place: `key: __typename`, answered by the gateway or the parent's subgraph without
 * reading anything. It keeps the response key where the client asked for it (so the answer's keys stay in the
 * operation's order), and a selection set never ends up empty. Keeping the field's @skip/@include keeps the key
 * away when the field would have been skipped. The answer's post-processing sets the key to null.
 */
function standIn(field: FieldNode, key: string): FieldNode {
  return {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: key },
    name: { kind: Kind.NAME, value: '__typename' },
    directives: field.directives,
  };
}

interface Decision {
  denied?: { coordinate: string; category: string };
  mask?: Mask;
}

/**
 * The schema has no interfaces or unions today; on an abstract type the strictest rule among its possible types
 * applies (refusal over mask), so an annotation on an implementation cannot be read through its interface.
 */
function decide(
  schema: GraphQLSchema,
  policy: SchemaPolicy,
  purpose: Purpose,
  parentType: GraphQLCompositeType,
  fieldName: string,
): Decision {
  const types = isAbstractType(parentType) ? [parentType, ...schema.getPossibleTypes(parentType)] : [parentType];
  let mask: Mask | undefined;
  for (const type of types) {
    const coordinate = `${type.name}.${fieldName}`;
    const rule = policy.fields.get(coordinate);
    if (!rule || rule.purposes.has(purpose)) continue;
    if (rule.mask === null) return { denied: { coordinate, category: rule.category } };
    mask ??= rule.mask;
  }
  return mask ? { mask } : {};
}

function listMarkers(type: GraphQLOutputType): string[] {
  const markers: string[] = [];
  for (let t: GraphQLOutputType = type; ;) {
    if (isNonNullType(t)) t = t.ofType;
    else if (isListType(t)) {
      markers.push(LIST_MARKER);
      t = t.ofType;
    } else return markers;
  }
}

function compositeType(schema: GraphQLSchema, name: string): GraphQLCompositeType {
  const type = schema.getType(name);
  if (!isCompositeType(type)) throw new Error(`${name} is not a composite type`);
  return type;
}

/** The operation the request runs, as the executor picks it; the request was validated, so there is one. */
function findOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName
    ? operations.find((o) => o.name?.value === operationName)
    : operations.length === 1
      ? operations[0]
      : undefined;
  if (!operation)
    throw new Error(
      operationName
        ? `No operation named ${operationName}`
        : 'The document must hold exactly one operation when none is named',
    );
  return operation;
}

/**
 * The operation and the fragments it spreads. Variables now used nowhere (they fed refused fields' arguments) are
 * dropped: an operation defining unused variables is invalid GraphQL, and nothing should rely on the executor
 * tolerating it. The operation comes first (policy-gateway.ts hands it to the executor as such).
 */
function executableDocument(
  operation: OperationDefinitionNode,
  selectionSet: SelectionSetNode,
  fragments: FragmentDefinitionNode[],
): DocumentNode {
  const used = new Set<string>();
  const collect = { Variable: (node: VariableNode) => void used.add(node.name.value) };
  visit(selectionSet, collect);
  for (const directive of operation.directives ?? []) visit(directive, collect);
  for (const fragment of fragments) visit(fragment, collect);
  return {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        ...operation,
        variableDefinitions: operation.variableDefinitions?.filter((v) => used.has(v.variable.name.value)),
        selectionSet,
      },
      ...fragments,
    ],
  };
}
