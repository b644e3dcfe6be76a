// An operation's variables as the audit record keeps them: enough to see what was asked (which kind of loss, which
// city, which page, when), never a value that may say who or what about a person. The audit trail is read by
// governance staff and shown to holders; it must not become a second copy of the data it watches over (PIPL Art 51).
//
// Deny by default, as Vault's audit log is: every value is replaced by its keyed hash (audit-hash.ts) unless the
// schema says the place it stands in is safe to keep. Decided by types, never by names or by how a value looks (a
// name spelled ZHANG_WEI looks like an enum value; "HIV" like a code):
// - an enum value of the enum the schema expects there, and a Boolean, are kept;
// - a String, ID, Int or Float is kept only at an input coordinate listed in kept-coordinates.ts, and only when it
//   has the shape that coordinate's kind has (a city code, a date, a page size);
// - an input object is walked field by field, each field by its declared type and its coordinate (`ServedAt.city`);
//   a top-level variable's coordinate is where the operation uses it (`Query.venues(city:)`), every use agreeing;
// - anything the operation does not declare, or the schema does not know, is hashed leaf by leaf, member names too.
// Governance matches a value it already knows by hashing it the same way (`npm run audit:hash -- <value>`).
// Strings are also made storable: PostgreSQL refuses NUL characters and unpaired surrogates, and one such record
// would fail the insert of every record batched with it.
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isInputType,
  isNonNullType,
  typeFromAST,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { KEPT_COORDINATES, KEPT_SHAPES, type KeptShape } from './kept-coordinates.js';

/** Nesting beyond this is cut: variables are JSON from a bounded request body, but need not be shallow. */
const MAX_DEPTH = 32;

const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A string PostgreSQL stores as given (text and jsonb), so its hash reads back the same. */
export const storable = (value: string): string => value.replace(UNSTORABLE, '\uFFFD');

/** What the record needs to know of the request to decide what to keep. */
export interface VariableScope {
  /** The API schema the operation ran against; without it everything is hashed. */
  schema: GraphQLSchema | undefined;
  /** The whole document (fragments use variables too) and the operation chosen from it. */
  document: DocumentNode | undefined;
  operation: OperationDefinitionNode | undefined;
  /** The audit's keyed hash of a value's text (audit-hash.ts). */
  hash: (text: string) => string;
}

const MIXED = Symbol('mixed');
type Shapes = Map<string, KeptShape | typeof MIXED>;

/** Per parsed document (Apollo keeps them in its document cache, so a document sent again is the same object). */
const shapesByDocument = new WeakMap<DocumentNode, { schema: GraphQLSchema; shapes: Shapes }>();

function shapesOf(schema: GraphQLSchema, document: DocumentNode): Shapes {
  const known = shapesByDocument.get(document);
  if (known?.schema === schema) return known.shapes;
  const shapes = usageShapes(schema, document);
  shapesByDocument.set(document, { schema, shapes });
  return shapes;
}

/**
 * For each variable, the kept shape of every place the document uses it, when all agree; MIXED when they do not or
 * a place is not listed. Every operation of the document counts: a variable of the same name used unsafely in
 * another one only makes this one hashed.
 */
function usageShapes(schema: GraphQLSchema, document: DocumentNode): Shapes {
  const shapes: Shapes = new Map();
  const typeInfo = new TypeInfo(schema);
  const coordinates: (string | undefined)[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument: {
        enter(node) {
          const parent = typeInfo.getParentType();
          const field = typeInfo.getFieldDef();
          const directive = typeInfo.getDirective();
          coordinates.push(
            directive
              ? `@${directive.name}(${node.name.value}:)`
              : parent && field
                ? `${parent.name}.${field.name}(${node.name.value}:)`
                : undefined,
          );
        },
        leave: () => void coordinates.pop(),
      },
      ObjectField: {
        enter(node) {
          const owner = typeInfo.getParentInputType();
          coordinates.push(owner ? `${getNamedType(owner).name}.${node.name.value}` : undefined);
        },
        leave: () => void coordinates.pop(),
      },
      VariableDefinition: () => false, // its own $name is no use
      Variable(node) {
        const coordinate = coordinates[coordinates.length - 1];
        const shape = coordinate === undefined ? undefined : KEPT_COORDINATES.get(coordinate);
        const name = node.name.value;
        const seen = shapes.get(name);
        shapes.set(name, shape === undefined || (seen !== undefined && seen !== shape) ? MIXED : shape);
      },
    }),
  );
  return shapes;
}

/** Leaf by leaf, member names included: what nothing in the schema vouches for. */
function hashAll(value: unknown, scope: VariableScope, depth: number): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') return scope.hash(String(value));
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.map((item) => hashAll(item, scope, depth + 1));
  const hashed: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) hashed[scope.hash(key)] = hashAll(member, scope, depth + 1);
  return hashed;
}

const keepsShape = (value: unknown, shape: KeptShape | undefined): boolean =>
  shape !== undefined &&
  (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) &&
  KEPT_SHAPES[shape].test(String(value));

function classify(
  value: unknown,
  type: GraphQLInputType,
  shape: KeptShape | undefined,
  scope: VariableScope,
  depth: number,
): unknown {
  if (value === null || value === undefined) return null;
  if (depth >= MAX_DEPTH) return null;
  if (isNonNullType(type)) return classify(value, type.ofType, shape, scope, depth);
  if (isListType(type)) {
    // A single value where a list is expected is coerced to a list of one: judged as an item.
    if (!Array.isArray(value)) return classify(value, type.ofType, shape, scope, depth);
    return value.map((item) => classify(item, type.ofType, shape, scope, depth + 1));
  }
  if (isEnumType(type)) return typeof value === 'string' && type.getValue(value) ? value : hashAll(value, scope, depth);
  if (isInputObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) return hashAll(value, scope, depth);
    const fields = type.getFields();
    const kept: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
      if (!field) kept[scope.hash(key)] = hashAll(member, scope, depth + 1);
      else kept[key] = classify(member, field.type, KEPT_COORDINATES.get(`${type.name}.${key}`), scope, depth + 1);
    }
    return kept;
  }
  if (type.name === 'Boolean' && typeof value === 'boolean') return value;
  if (keepsShape(value, shape)) return typeof value === 'string' ? storable(value) : value;
  return hashAll(value, scope, depth);
}

/** The variables to record; `{}` when there are none. */
export function auditVariables(
  variables: Record<string, unknown> | null | undefined,
  scope: VariableScope,
): Record<string, unknown> {
  if (!variables || typeof variables !== 'object' || Array.isArray(variables)) return {};
  if (Object.keys(variables).length === 0) return {};
  const { schema, document, operation } = scope;
  const shapes: Shapes = schema && document ? shapesOf(schema, document) : new Map();
  // A batch write repeats its values (the same station on a thousand rides): each is hashed once per request.
  const hashes = new Map<string, string>();
  const keyed = scope.hash;
  const hash = (text: string) => {
    let hashed = hashes.get(text);
    if (hashed === undefined) hashes.set(text, (hashed = keyed(text)));
    return hashed;
  };
  scope = { ...scope, hash };
  const recorded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(variables)) {
    const definition = operation?.variableDefinitions?.find((d) => d.variable.name.value === name);
    const type = schema && definition ? typeFromAST(schema, definition.type) : undefined;
    if (!type || !isInputType(type)) {
      recorded[scope.hash(name)] = hashAll(value, scope, 1);
      continue;
    }
    const shape = shapes.get(name);
    recorded[storable(name)] = classify(value, type, shape === MIXED ? undefined : shape, scope, 1);
  }
  return recorded;
}
