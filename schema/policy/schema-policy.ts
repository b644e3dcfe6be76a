// The field policy as the subgraphs declared it: @sensitive on field definitions (schema/policy.graphql), and which
// subgraph owns each mutation. Read from the supergraph SDL text because the gateway's API schema drops directive
// uses. Read once, at start (and by composition): an annotation the gateway could not enforce stops both.
import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type ConstValueNode,
  type FieldDefinitionNode,
  type ObjectTypeDefinitionNode,
  type ObjectTypeExtensionNode,
  type TypeNode,
} from 'graphql';
import { isMask, MASKS, type Mask } from './masks.js';
import { PURPOSES, type Purpose } from './purposes.js';

export interface FieldRule {
  /** A DataCategory value, e.g. HEALTH. */
  category: string;
  /** The purposes that read the full value. */
  purposes: ReadonlySet<Purpose>;
  /** What other purposes read instead; null: they are refused the field (null and FORBIDDEN). */
  mask: Mask | null;
}

export interface SchemaPolicy {
  /** By schema coordinate, "Type.field"; fields absent here are open to every purpose. */
  fields: Map<string, FieldRule>;
  /** Mutation field name → the subgraph that owns it, by the name it was composed under (e.g. "civil-affairs"). */
  mutationOwners: Map<string, string>;
}

const SENSITIVE = 'sensitive';

/** The DataCategory of personal information no @sensitive marks (a name, a card's status): never on an annotation. */
export const UNANNOTATED_CATEGORY = 'BASIC';

/** The category a schema coordinate's data falls under: its @sensitive category, else BASIC. */
export function categoryOf(policy: SchemaPolicy, coordinate: string): string {
  return policy.fields.get(coordinate)?.category ?? UNANNOTATED_CATEGORY;
}

export function readSchemaPolicy(supergraphSdl: string): SchemaPolicy {
  const document = parse(supergraphSdl);
  const problems: string[] = [];

  const objectTypes = new Map<string, (ObjectTypeDefinitionNode | ObjectTypeExtensionNode)[]>();
  const enumValues = new Map<string, { name: string; directives: readonly ConstDirectiveNode[] }[]>();
  let mutationType = 'Mutation';
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION) {
      objectTypes.set(definition.name.value, [...(objectTypes.get(definition.name.value) ?? []), definition]);
    } else if (definition.kind === Kind.ENUM_TYPE_DEFINITION || definition.kind === Kind.ENUM_TYPE_EXTENSION) {
      const values = (definition.values ?? []).map((v) => ({ name: v.name.value, directives: v.directives ?? [] }));
      enumValues.set(definition.name.value, [...(enumValues.get(definition.name.value) ?? []), ...values]);
    } else if (definition.kind === Kind.SCHEMA_DEFINITION || definition.kind === Kind.SCHEMA_EXTENSION) {
      const mutation = definition.operationTypes?.find((o) => o.operation === 'mutation');
      if (mutation) mutationType = mutation.type.name.value;
    }
  }

  // The gateway decides by the names in schema/policy/purposes.ts; a schema naming others would grant or refuse
  // purposes the gateway does not know. Same order too, so the list reads the same in both places.
  const declaredPurposes = (enumValues.get('Purpose') ?? []).map((v) => v.name);
  if (declaredPurposes.join() !== PURPOSES.join()) {
    problems.push(
      `enum Purpose is [${declaredPurposes.join(', ')}], but the gateway knows [${PURPOSES.join(', ')}] (schema/policy/purposes.ts)`,
    );
  }
  const declaredMasks = (enumValues.get('Mask') ?? []).map((v) => v.name);
  if ([...declaredMasks].sort().join() !== [...MASKS].sort().join()) {
    problems.push(
      `enum Mask is [${declaredMasks.join(', ')}], but the gateway masks [${MASKS.join(', ')}] (schema/policy/masks.ts)`,
    );
  }

  const fields = new Map<string, FieldRule>();
  for (const [typeName, nodes] of objectTypes) {
    for (const field of nodes.flatMap((n) => n.fields ?? [])) {
      const coordinate = `${typeName}.${field.name.value}`;
      const directive = field.directives?.find((d) => d.name.value === SENSITIVE);
      if (!directive) continue;
      if (typeName === mutationType) {
        // Refusing a mutation after the fact cannot undo it; who may write is the client register's check.
        problems.push(`${coordinate}: @sensitive on a mutation; writes are checked by owner, not by purpose`);
        continue;
      }
      const rule = readRule(coordinate, field, directive, problems);
      if (rule) fields.set(coordinate, rule);
    }
  }

  const graphNames = new Map<string, string>();
  for (const value of enumValues.get('join__Graph') ?? []) {
    const name = stringArgument(
      value.directives.find((d) => d.name.value === 'join__graph'),
      'name',
    );
    if (name) graphNames.set(value.name, name);
  }
  const mutationOwners = new Map<string, string>();
  const mutationNodes = objectTypes.get(mutationType) ?? [];
  // A type defined by one subgraph only may leave its fields without @join__field: the type's graph owns them.
  const typeGraphs = unique(mutationNodes.flatMap((n) => graphsIn(n.directives, 'join__type')));
  for (const field of mutationNodes.flatMap((n) => n.fields ?? [])) {
    const fieldGraphs = unique(graphsIn(field.directives, 'join__field'));
    const graphs = fieldGraphs.length > 0 ? fieldGraphs : typeGraphs;
    const owner = graphs.length === 1 ? graphNames.get(graphs[0]!) : undefined;
    if (graphs.length !== 1) {
      // A write must go to one department: the one whose data it changes and whose clients may make it.
      problems.push(
        `${mutationType}.${field.name.value}: owned by ${graphs.length === 0 ? 'no subgraph' : `${graphs.length} subgraphs (${graphs.join(', ')})`}; a mutation needs exactly one owner`,
      );
    } else if (!owner) {
      problems.push(`${mutationType}.${field.name.value}: owned by ${graphs[0]}, which join__Graph does not name`);
    } else {
      mutationOwners.set(field.name.value, owner);
    }
  }

  if (problems.length > 0) {
    throw new Error(`The supergraph's field policy cannot be enforced:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  }
  return { fields, mutationOwners };
}

function readRule(
  coordinate: string,
  field: FieldDefinitionNode,
  directive: ConstDirectiveNode,
  problems: string[],
): FieldRule | null {
  const argument = (name: string) => directive.arguments?.find((a) => a.name.value === name)?.value;
  const category = enumValue(argument('category'));
  const purposeNodes = argument('purposes');
  const purposes = purposeNodes?.kind === Kind.LIST ? purposeNodes.values.map(enumValue) : [];
  const maskNode = argument('mask');
  const mask = maskNode === undefined || maskNode.kind === Kind.NULL ? null : enumValue(maskNode);

  const before = problems.length;
  if (!category) problems.push(`${coordinate}: @sensitive without a category`);
  // BASIC is what access reports call the fields no @sensitive marks; on an annotation it would blur the two.
  if (category === UNANNOTATED_CATEGORY)
    problems.push(
      `${coordinate}: @sensitive(category: ${UNANNOTATED_CATEGORY}); mark it with the category of what it holds`,
    );
  const unknown = purposes.filter((p) => !p || !(PURPOSES as readonly string[]).includes(p));
  if (unknown.length > 0) problems.push(`${coordinate}: @sensitive names unknown purposes ${unknown.join(', ')}`);
  if (mask !== null && !isMask(mask)) problems.push(`${coordinate}: unknown mask ${mask}`);
  if (mask !== null && namedType(field.type) !== 'String') {
    problems.push(`${coordinate}: mask ${mask} on a ${namedType(field.type)} field; masks apply to String fields only`);
  }
  if (mask === null && field.type.kind === Kind.NON_NULL_TYPE) {
    // Refused purposes read null here; on a non-null field that null would wipe out the whole parent object.
    problems.push(`${coordinate}: a sensitive field without a mask must be nullable (refused purposes read null)`);
  }
  if (problems.length > before) return null;
  return { category: category!, purposes: new Set(purposes as Purpose[]), mask: mask as Mask | null };
}

const enumValue = (value: ConstValueNode | undefined): string | null =>
  value?.kind === Kind.ENUM ? value.value : null;

function stringArgument(directive: ConstDirectiveNode | undefined, name: string): string | null {
  const value = directive?.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : null;
}

function graphsIn(directives: readonly ConstDirectiveNode[] | undefined, name: string): string[] {
  return (directives ?? [])
    .filter((d) => d.name.value === name)
    .map((d) => enumValue(d.arguments?.find((a) => a.name.value === 'graph')?.value))
    .filter((g): g is string => g !== null);
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}
