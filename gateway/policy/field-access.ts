// What one operation may read for one purpose, decided before any subgraph is called: fields the purpose may not
// read are taken out of the operation (so no department ever sends them), masked fields are noted for the answer.
// Pure and cacheable: the result depends on the document, the operation's name and the purpose only.
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  Kind,
  print,
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
import type { Mask } from './masks.js';
import type { Purpose } from './purposes.js';
import type { SchemaPolicy } from './schema-policy.js';

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
  /** The operation to execute: fields the purpose may not read are replaced, so their subgraphs are never asked. */
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

  const denied: DeniedField[] = [];
  const masked: MaskedField[] = [];

  // `spread`: the named fragments already inlined into this selection set (and the fragments merged into it).
  // graphql-js collects a fragment once per selection set, and so does this walk: fragments spread over and over
  // cannot make the plan grow faster than execution would. Once per type too, as a spread under `... on A` does
  // nothing for objects of another type.
  const rewrite = (set: SelectionSetNode, parentType: GraphQLCompositeType, path: ResponsePath, spread: Set<string>): SelectionSetNode => {
    const selections: SelectionNode[] = [];
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        selections.push(rewriteField(selection, parentType, path));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? compositeType(apiSchema, selection.typeCondition.name.value) : parentType;
        selections.push({ ...selection, selectionSet: rewrite(selection.selectionSet, type, path, spread) });
      } else {
        const fragment = fragments.get(selection.name.value);
        const once = `${parentType.name} ${selection.name.value} ${(selection.directives ?? []).map(print).join(' ')}`;
        if (!fragment || spread.has(once)) continue; // unknown fragments were refused by validation
        spread.add(once);
        // Inlined: the fragment's fields get this spread's paths, and the executed document needs no fragments.
        selections.push({
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: fragment.typeCondition,
          directives: selection.directives,
          selectionSet: rewrite(fragment.selectionSet, compositeType(apiSchema, fragment.typeCondition.name.value), path, spread),
        });
      }
    }
    return { ...set, selections };
  };

  const rewriteField = (field: FieldNode, parentType: GraphQLCompositeType, path: ResponsePath): FieldNode => {
    const name = field.name.value;
    // __typename, __schema, __type: answered from the schema, which is public.
    if (name.startsWith('__')) return field;
    const definition = isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[name] : undefined;
    if (!definition) return field; // unknown fields were refused by validation
    const key = field.alias?.value ?? name;
    const fieldPath = [...path, key];
    const decision = decide(apiSchema, policy, purpose, parentType, name);
    if (decision.denied) {
      denied.push({ path: fieldPath, ...decision.denied });
      return standIn(field, key);
    }
    if (decision.mask) masked.push({ path: fieldPath, mask: decision.mask });
    if (!field.selectionSet) return field;
    const childPath = [...fieldPath, ...listMarkers(definition.type)];
    return { ...field, selectionSet: rewrite(field.selectionSet, getNamedType(definition.type) as GraphQLCompositeType, childPath, new Set()) };
  };

  const selectionSet = rewrite(operation.selectionSet, rootType, [], new Set());
  if (denied.length === 0) return { document, denied, masked, unchanged: true };
  return { document: executableDocument(operation, selectionSet), denied, masked, unchanged: false };
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
function decide(schema: GraphQLSchema, policy: SchemaPolicy, purpose: Purpose, parentType: GraphQLCompositeType, fieldName: string): Decision {
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
  for (let t: GraphQLOutputType = type; ; ) {
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
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) throw new Error(operationName ? `No operation named ${operationName}` : 'The document must hold exactly one operation when none is named');
  return operation;
}

/**
 * The operation alone, its fragments inlined. Variables now used nowhere (they fed refused fields' arguments) are
 * dropped: an operation defining unused variables is invalid GraphQL, and nothing should rely on the executor
 * tolerating it.
 */
function executableDocument(operation: OperationDefinitionNode, selectionSet: SelectionSetNode): DocumentNode {
  const used = new Set<string>();
  const collect = { Variable: (node: VariableNode) => void used.add(node.name.value) };
  visit(selectionSet, collect);
  for (const directive of operation.directives ?? []) visit(directive, collect);
  return {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        ...operation,
        variableDefinitions: operation.variableDefinitions?.filter((v) => used.has(v.variable.name.value)),
        selectionSet,
      },
    ],
  };
}
