// Two steps @apollo/gateway takes on every request that depend on the operation alone, done once per operation
// instead (for a big answer they were a fifth of the gateway's CPU, and most of its garbage).
//
// - executeQueryPlan builds the operation's federation form (operationFromDocument) from the document on every
//   request; it is kept per operation AST node (Apollo Server keeps one parsed document per query text, and the
//   field policy one rewritten document per operation and purpose), so the same operation gets the same object.
// - computeResponse, which shapes the merged subgraph data into the answer the operation asked for, reads each
//   selection's directives, names and types through the federation model for every object of the answer (100
//   holders: every selection a hundred times). It is replaced by the same walk over a digest of each selection set,
//   made once: the same answer, the same errors (messages and paths), the same null propagation.
//
// Both are module functions of the installed @apollo/gateway, reached by their files, so they are installed only
// over the version they were checked against (test/unit/gateway/apollo-patches/result-shaping.test.ts compares the
// answers with Apollo's own computeResponse); any other version keeps Apollo's own, and says so once.
import { createRequire } from 'node:module';
import { Kind, type DocumentNode, type OperationDefinitionNode } from 'graphql';

// Resolved as @apollo/gateway resolves them, so the very modules its executeQueryPlan calls into.
const require = createRequire(createRequire(import.meta.url).resolve('@apollo/gateway'));

/** The @apollo/gateway release whose executeQueryPlan and resultShaping these replacements were checked against. */
export const CHECKED_GATEWAY_VERSION = '2.14.4';

// ---- the parts of the federation model read here ------------------------------------------------------------------

interface FedType {
  kind: string;
  name?: string;
  ofType?: FedType;
  value?(name: string): unknown;
  toString(): string;
}
interface FedSchema {
  type(name: string): FedType | undefined;
  skipDirective(): unknown;
  includeDirective(): unknown;
  booleanType(): FedType;
  intType(): FedType;
  idType(): FedType;
  floatType(): FedType;
  schemaDefinition: { rootType(kind: string): FedType };
}
interface FedDirective {
  arguments(): { if?: unknown };
}
interface FedElement {
  appliedDirectivesOf(definition: unknown): FedDirective[];
}
interface FedField extends FedElement {
  name: string;
  responseName(): string;
  definition: { type: FedType; isSchemaIntrospectionField(): boolean };
}
interface FedFragment extends FedElement {
  typeCondition?: FedType;
}
interface FedSelection {
  kind: 'FieldSelection' | 'FragmentSelection';
  element: FedField | FedFragment;
  selectionSet?: FedSelectionSet;
}
interface FedSelectionSet {
  selections(): readonly FedSelection[];
}
export interface FedOperation {
  schema(): FedSchema;
  rootKind: string;
  selectionSet: FedSelectionSet;
  collectDefaultedVariableValues(): Record<string, unknown>;
}
interface FederationInternals {
  Variable: new (...args: never[]) => { name: string };
  isSubtype(type: FedType, maybeSubType: FedType): boolean;
  isValidLeafValue(schema: FedSchema, value: unknown, type: FedType): boolean;
  isCustomScalarType(type: FedType): boolean;
  assert(condition: unknown, message: string | (() => string)): asserts condition;
  ERRORS: { INVALID_GRAPHQL: { err(message: string, options: { path: (string | number)[] }): Error } };
}

export interface ComputeResponseArgs {
  operation: FedOperation;
  variables: Record<string, unknown> | undefined;
  input: Record<string, unknown> | null | undefined;
  introspectionHandling: (selection: FedSelection) => unknown;
}
export type ComputeResponse = (args: ComputeResponseArgs) => { data: unknown; errors: Error[] };
type OperationFromDocument = (
  schema: unknown,
  document: DocumentNode,
  options?: { operationName?: string; validate?: boolean },
) => FedOperation;

const fed = require('@apollo/federation-internals') as FederationInternals;
const assert: FederationInternals['assert'] = fed.assert;
// Apollo's assert(condition, () => message) makes a closure per call, checked or not: for a big answer that was most
// of the walk's garbage. The same check and the same error, the message made only on failure.
function fail(message: string): never {
  throw new Error(message);
}
const { ERRORS } = fed;
const TYPENAME = '__typename';

// ---- the digest of a selection set ---------------------------------------------------------------------------------

const NON_NULL = 0;
const LIST = 1;
const COMPOSITE = 2;
const LEAF = 3;

/** A field's type as the walk reads it for every value: its kind, what it wraps, and for a leaf its check. */
interface Shape {
  type: FedType;
  kind: typeof NON_NULL | typeof LIST | typeof COMPOSITE | typeof LEAF;
  of: Shape | undefined;
  leaf: ((value: unknown) => boolean) | undefined;
}

const COMPOSITE_KINDS = new Set(['ObjectType', 'InterfaceType', 'UnionType']);
const shapes = new WeakMap<FedType, Shape>();

function shapeOf(type: FedType, schema: FedSchema): Shape {
  let shape = shapes.get(type);
  if (!shape) {
    const kind =
      type.kind === 'NonNullType'
        ? NON_NULL
        : type.kind === 'ListType'
          ? LIST
          : COMPOSITE_KINDS.has(type.kind)
            ? COMPOSITE
            : LEAF;
    shape = {
      type,
      kind,
      of: kind === NON_NULL || kind === LIST ? shapeOf(type.ofType!, schema) : undefined,
      leaf: kind === LEAF ? leafCheck(schema, type) : undefined,
    };
    shapes.set(type, shape);
  }
  return shape;
}

/** @skip(if:) or @include(if:): a constant, or the variable to read. */
type Condition = { variable: string } | { value: unknown } | undefined;

interface FieldStep {
  field: true;
  selection: FedSelection;
  responseName: string;
  shape: Shape;
  selectionSet: FedSelectionSet | undefined;
  introspection: boolean;
  typename: boolean;
  skip: Condition;
  include: Condition;
}
interface FragmentStep {
  field: false;
  typeCondition: FedType | undefined;
  selectionSet: FedSelectionSet;
  skip: Condition;
  include: Condition;
  /** isSubtype(typeCondition, type) by the type it is asked of, the parent's or the object's __typename. */
  applies: Map<FedType, boolean>;
}
type Step = FieldStep | FragmentStep;

interface Digest {
  steps: Step[];
  /** Makes the objects this selection set answers with (answerObjects). */
  make: new () => Record<string, any>;
}

const digests = new WeakMap<FedSelectionSet, Digest>();

function conditionOf(element: FedElement, directive: unknown): Condition {
  const applied = element.appliedDirectivesOf(directive)[0];
  if (!applied) return undefined;
  const value = applied.arguments().if;
  return value instanceof fed.Variable ? { variable: value.name } : { value };
}

function digestOf(selectionSet: FedSelectionSet, schema: FedSchema): Digest {
  let digest = digests.get(selectionSet);
  if (digest) return digest;
  const steps = selectionSet.selections().map((selection): Step => {
    const skip = conditionOf(selection.element, schema.skipDirective());
    const include = conditionOf(selection.element, schema.includeDirective());
    if (selection.kind === 'FieldSelection') {
      const field = selection.element as FedField;
      return {
        field: true,
        selection,
        responseName: field.responseName(),
        shape: shapeOf(field.definition.type, schema),
        selectionSet: selection.selectionSet,
        introspection: field.definition.isSchemaIntrospectionField(),
        typename: field.name === TYPENAME,
        skip,
        include,
      };
    }
    return {
      field: false,
      typeCondition: (selection.element as FedFragment).typeCondition,
      selectionSet: selection.selectionSet!,
      skip,
      include,
      applies: new Map(),
    };
  });
  digests.set(selectionSet, (digest = { steps, make: answerObjects() }));
  return digest;
}

// ---- the walk (resultShaping.js of @apollo/gateway, step for step) --------------------------------------------------

interface Parameters {
  schema: FedSchema;
  variables: Record<string, unknown>;
  errors: Error[];
  introspectionHandling: ComputeResponseArgs['introspectionHandling'];
}

const OK = 0;
const NULL_BUBBLE_UP = 1;

function ifValue(condition: NonNullable<Condition>, variables: Record<string, unknown>, name: string): unknown {
  if ('variable' in condition) {
    const value = variables[condition.variable];
    if (!(value !== undefined && typeof value === 'boolean'))
      fail(`Unexpected value ${value} for variable $${condition.variable} of @${name}`);
    return value;
  }
  return condition.value;
}

function skipped(step: Step, variables: Record<string, unknown>): unknown {
  return (
    (step.skip && ifValue(step.skip, variables, 'skip')) ||
    (step.include && !ifValue(step.include, variables, 'include'))
  );
}

const hasOwn = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

function typeConditionApplies(
  step: FragmentStep,
  schema: FedSchema,
  typename: string | undefined,
  parentType: FedType,
): boolean {
  if (!step.typeCondition) return true;
  const type = typename ? schema.type(typename) : parentType;
  if (!type) return false;
  let applies = step.applies.get(type);
  if (applies === undefined) step.applies.set(type, (applies = fed.isSubtype(step.typeCondition, type)));
  return applies;
}

function applySelectionSet(
  input: Record<string, any>,
  selectionSet: FedSelectionSet,
  output: Record<string, any>,
  parameters: Parameters,
  path: (string | number)[],
  parentType: FedType,
): number {
  const { schema, variables } = parameters;
  for (const step of digestOf(selectionSet, schema).steps) {
    if (skipped(step, variables)) continue;
    if (step.field) {
      const { responseName } = step;
      const outputValue = output[responseName];
      if (step.introspection) {
        if (outputValue === undefined) output[responseName] = parameters.introspectionHandling(step.selection);
        continue;
      }
      let inputValue = (hasOwn(input, responseName) ? input[responseName] : undefined) ?? null;
      if (step.typename) {
        if (outputValue === undefined) {
          if (inputValue === null && responseName !== TYPENAME) inputValue = input[TYPENAME] ?? null;
          const type =
            inputValue !== null && typeof inputValue === 'string'
              ? (schema.type(inputValue) ?? parentType)
              : parentType;
          if (type.kind !== 'ObjectType') return NULL_BUBBLE_UP;
          output[responseName] = type.name;
        }
        continue;
      }
      path.push(responseName);
      const updated = updateOutputValue(
        outputValue,
        step.shape,
        inputValue,
        step.selectionSet,
        path,
        parameters,
        parentType,
      );
      output[responseName] = updated;
      path.pop();
      if (invalid) return NULL_BUBBLE_UP;
    } else {
      const typename = input[TYPENAME];
      if (!(!typename || typeof typename === 'string')) fail(`Got unexpected value for __typename: ${typename}`);
      if (typeConditionApplies(step, schema, typename, parentType)) {
        if (
          applySelectionSet(input, step.selectionSet, output, parameters, path, step.typeCondition ?? parentType) ===
          NULL_BUBBLE_UP
        )
          return NULL_BUBBLE_UP;
      }
    }
  }
  return OK;
}

function pathLastElementDescription(path: (string | number)[], currentType: FedType, parentType: FedType): string {
  const element = path[path.length - 1];
  assert(element !== undefined, 'Should not have been called on an empty path');
  return typeof element === 'string'
    ? `field ${parentType}.${element}`
    : `array element of type ${currentType} at index ${element}`;
}

// The answer's objects have no prototype, as Apollo makes them (no response key reads an inherited member, and
// "__proto__" is a key like any other), but come from a constructor rather than Object.create(null): V8 keeps them
// in fast mode instead of making each a dictionary, and JSON.stringify writes them two to three times faster. One
// constructor per selection set, so V8 sizes each kind of object for its own fields.
const NO_PROTOTYPE = Object.create(null) as object;
function answerObjects(): new () => Record<string, any> {
  const make = function AnswerObject() {} as unknown as new () => Record<string, any>;
  make.prototype = NO_PROTOTYPE;
  return make;
}

// updateOutputValue answers { updated, isInvalid, hasErrors } in Apollo's walk; here the value is returned and the
// two flags are left in these, read by the caller at once (the walk is synchronous), so no object is made per value.
let invalid = false;
let hasErrors = false;

function updateOutputValue(
  outputValue: any,
  shape: Shape,
  inputValue: any,
  selectionSet: FedSelectionSet | undefined,
  path: (string | number)[],
  parameters: Parameters,
  parentType: FedType,
): any {
  assert(inputValue !== undefined, 'Should not pass undefined for `inputValue` to this method');
  if (outputValue === null || (outputValue !== undefined && !selectionSet)) {
    invalid = hasErrors = false;
    return outputValue;
  }
  const { type } = shape;
  if (shape.kind === NON_NULL) {
    const updated = updateOutputValue(outputValue, shape.of!, inputValue, selectionSet, path, parameters, parentType);
    if (updated === null) {
      if (!hasErrors) {
        parameters.errors.push(
          ERRORS.INVALID_GRAPHQL.err(
            `Cannot return null for non-nullable ${pathLastElementDescription(path, type.ofType!, parentType)}.`,
            { path: Array.from(path) },
          ),
        );
      }
      invalid = hasErrors = true;
      return updated;
    }
    invalid = hasErrors = false;
    return updated;
  }
  if (inputValue === null) {
    invalid = hasErrors = false;
    return null;
  }
  if (shape.kind === LIST) {
    if (!Array.isArray(inputValue))
      fail(`Invalid non-list value ${inputValue} returned by subgraph for list type ${type}`);
    if (!(outputValue === undefined || Array.isArray(outputValue)))
      fail(`Invalid non-list value ${outputValue} returned by subgraph for list type ${type}`);
    // Apollo maps over a list of undefined made for the purpose when nothing was there yet; the items are the same.
    const outputList: any[] | undefined = outputValue;
    if (!(outputList === undefined || inputValue.length === outputList.length))
      fail(`[${inputValue}].length (${inputValue.length}) !== [${outputList}].length (${outputList!.length})`);
    let shouldNullify = false;
    let anyErrors = false;
    // A copy of the input list, each item then replaced: an array of the right length and kind at once.
    const updated: any[] = inputValue.slice();
    for (let index = 0; index < inputValue.length; index++) {
      path.push(index);
      updated[index] = updateOutputValue(
        outputList?.[index],
        shape.of!,
        inputValue[index],
        selectionSet,
        path,
        parameters,
        parentType,
      );
      path.pop();
      shouldNullify ||= invalid;
      anyErrors ||= hasErrors;
    }
    invalid = false;
    hasErrors = anyErrors;
    return shouldNullify ? null : updated;
  }
  if (shape.kind === COMPOSITE) {
    if (!selectionSet) fail(`Invalid empty selection set for composite type ${type}`);
    if (typeof inputValue !== 'object')
      fail(`Invalid non-object value ${inputValue} returned by subgraph for composite type ${type}`);
    if (!(outputValue === undefined || typeof outputValue === 'object'))
      fail(`Invalid non-object value ${inputValue} returned by subgraph for composite type ${type}`);
    const inputTypename = inputValue[TYPENAME];
    if (!(inputTypename === undefined || typeof inputTypename === 'string'))
      fail(`Invalid non-string value ${inputTypename} for __typename at ${path}`);
    let objectType = type;
    if (inputTypename) {
      const typenameType = parameters.schema.type(inputTypename);
      if (!typenameType || !COMPOSITE_KINDS.has(typenameType.kind)) {
        parameters.errors.push(
          ERRORS.INVALID_GRAPHQL.err(
            `Invalid __typename found for object at ${pathLastElementDescription(path, type, parentType)}.`,
            { path: Array.from(path) },
          ),
        );
        invalid = false;
        hasErrors = true;
        return null;
      }
      objectType = typenameType;
    }
    const outputObject =
      outputValue === undefined ? new (digestOf(selectionSet, parameters.schema).make)() : outputValue;
    const bubbled =
      applySelectionSet(inputValue, selectionSet, outputObject, parameters, path, objectType) === NULL_BUBBLE_UP;
    invalid = false;
    hasErrors = bubbled;
    return bubbled ? null : outputObject;
  }
  if (outputValue !== undefined) fail(`Excepted output to be undefined but got ${type} for type ${type}`);
  const valid = shape.leaf!(inputValue);
  if (!valid)
    parameters.errors.push(
      ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${pathLastElementDescription(path, type, parentType)}.`, {
        path: Array.from(path),
      }),
    );
  invalid = false;
  hasErrors = !valid;
  return valid ? inputValue : null;
}

// isValidLeafValue, decided per type once for strings (most leaves): a custom scalar takes anything, an enum its values,
// any other type a string unless it is Boolean, Int or Float. Other values go to Apollo's own check.
const leafChecks = new WeakMap<FedType, (value: unknown) => boolean>();
function leafCheck(schema: FedSchema, type: FedType): (value: unknown) => boolean {
  let check = leafChecks.get(type);
  if (!check) {
    if (fed.isCustomScalarType(type)) check = () => true;
    else {
      const enumType = type.kind === 'EnumType';
      const stringOk =
        !enumType && type !== schema.booleanType() && type !== schema.intType() && type !== schema.floatType();
      check = (value) =>
        typeof value === 'string'
          ? enumType
            ? type.value!(value) !== undefined
            : stringOk
          : fed.isValidLeafValue(schema, value, type);
    }
    leafChecks.set(type, check);
  }
  return check;
}

/** resultShaping.computeResponse of @apollo/gateway, over the digests. */
export const computeResponse: ComputeResponse = ({ operation, variables, input, introspectionHandling }) => {
  if (!input) return { data: input, errors: [] };
  const schema = operation.schema();
  const parameters: Parameters = {
    schema,
    variables: Object.assign(Object.create(null), operation.collectDefaultedVariableValues(), variables),
    errors: [],
    introspectionHandling,
  };
  const data = new (digestOf(operation.selectionSet, schema).make)();
  const result = applySelectionSet(
    input,
    operation.selectionSet,
    data,
    parameters,
    [],
    schema.schemaDefinition.rootType(operation.rootKind),
  );
  return { data: result === NULL_BUBBLE_UP ? null : data, errors: parameters.errors };
};

// ---- the operation, once per operation node ------------------------------------------------------------------------

interface Built {
  schema: unknown;
  fragments: readonly unknown[];
  operation: FedOperation;
}
const built = new WeakMap<OperationDefinitionNode, Built[]>();
/** Schemas an operation node is kept for: the gateway serves one; a few, in case it ever moves to another. */
const MAX_SCHEMAS_PER_NODE = 4;

/**
 * operationFromDocument, kept for the call executeQueryPlan makes: the operation node first, then its fragments,
 * validation off, no operation name. Any other call (the query planner's) is passed through.
 */
function keptOperationFromDocument(original: OperationFromDocument): OperationFromDocument {
  return (schema, document, options) => {
    const [first, ...fragments] = document.definitions;
    if (options?.validate !== false || options.operationName !== undefined || first?.kind !== Kind.OPERATION_DEFINITION)
      return original(schema, document, options);
    let entries = built.get(first);
    const found = entries?.find(
      (e) =>
        e.schema === schema &&
        e.fragments.length === fragments.length &&
        e.fragments.every((f, i) => f === fragments[i]),
    );
    if (found) return found.operation;
    const operation = original(schema, document, options);
    if (!entries) built.set(first, (entries = []));
    if (entries.length < MAX_SCHEMAS_PER_NODE) entries.push({ schema, fragments, operation });
    return operation;
  };
}

let installed: boolean | undefined;

/**
 * Installs both over the installed @apollo/gateway, once; true when they are in place. Idempotent; with another
 * version of @apollo/gateway nothing is changed.
 */
export function installResultShaping(): boolean {
  if (installed !== undefined) return installed;
  const version = (require('@apollo/gateway/package.json') as { version: string }).version;
  if (version !== CHECKED_GATEWAY_VERSION) {
    console.warn(
      `gateway: @apollo/gateway ${version} is not ${CHECKED_GATEWAY_VERSION}, the version gateway/apollo-patches/result-shaping.ts was checked against: its own result shaping is used`,
    );
    return (installed = false);
  }
  const shaping = require('@apollo/gateway/dist/resultShaping.js') as { computeResponse: ComputeResponse };
  const operations = require('@apollo/federation-internals/dist/operations.js') as {
    operationFromDocument: OperationFromDocument;
  };
  shaping.computeResponse = computeResponse;
  operations.operationFromDocument = keptOperationFromDocument(operations.operationFromDocument);
  return (installed = true);
}
