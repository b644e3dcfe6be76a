// The field policy on its own, against the committed supergraph: what readSchemaPolicy reads and refuses, what
// planFieldAccess takes out of an operation for a purpose, and how the answer is made to say so. Planned operations
// are run by graphql-js over the gateway's own API schema, so the post-processing sees answers of the real shape.
import { ApolloGateway } from '@apollo/gateway';
import {
  execute,
  getNamedType,
  isAbstractType,
  isObjectType,
  isInterfaceType,
  Kind,
  parse,
  print,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFieldAccess } from '../../../../gateway/policy/apply-field-access.js';
import { planFieldAccess, type FieldAccess } from '../../../../gateway/policy/field-access.js';
import { applyMask } from '../../../../schema/policy/masks.js';
import { LruCache } from '../../../../gateway/policy/plan-cache.js';
import { PURPOSES, type Purpose } from '../../../../schema/policy/purposes.js';
import { readSchemaPolicy, type SchemaPolicy } from '../../../../schema/policy/schema-policy.js';
import { readCommittedSupergraph } from '../../../../schema/supergraph.js';

const supergraph = readCommittedSupergraph();
const policy: SchemaPolicy = readSchemaPolicy(supergraph);
let gateway: ApolloGateway;
let apiSchema: GraphQLSchema;

beforeAll(async () => {
  // The API schema as the gateway builds and serves it; a static supergraph needs no subgraph to load.
  gateway = new ApolloGateway({ supergraphSdl: supergraph });
  ({ schema: apiSchema } = await gateway.load());
});
afterAll(async () => {
  await gateway?.stop();
});

const plan = (purpose: Purpose, query: string | DocumentNode, operationName?: string) =>
  planFieldAccess(apiSchema, typeof query === 'string' ? parse(query) : query, operationName, policy, purpose);

const holder = {
  id: 'h1',
  idNumber: '440106199001011234',
  birthDate: '1990-01-01',
  phone: '13812345678',
  name: 'Chen Mei',
  bankAccount: { accountNumber: '6222020200112233445' },
  medicalVisits: {
    nodes: [
      { id: 'v1', diagnoses: ['J45.909'], settlement: null },
      { id: 'v2', diagnoses: ['I10', 'E11.9'], settlement: null },
    ],
  },
  rides: { nodes: [] },
};
const root = { holder, holders: [holder, null], medicalVisit: holder.medicalVisits.nodes[0] };

type Answer = ExecutionResult<Record<string, any>>;

/** Runs the planned operation (graphql-js over the API schema, data from `root`), then the policy's post-processing. */
async function answer(
  access: FieldAccess,
  purpose: Purpose,
  variableValues?: Record<string, unknown>,
  operationName?: string,
) {
  expect(validate(apiSchema, access.document)).toEqual([]);
  const result: Answer = await execute({
    schema: apiSchema,
    document: access.document,
    rootValue: root,
    variableValues,
    operationName,
  });
  expect(result.errors).toBeUndefined();
  return applyFieldAccess(result, access, purpose);
}

describe('readSchemaPolicy', () => {
  it('reads every @sensitive field and every mutation owner from the committed supergraph', () => {
    expect(policy.fields.get('Holder.medicalVisits')).toEqual({
      category: 'HEALTH',
      purposes: new Set(['MEDICAL_SERVICE', 'SOCIAL_INSURANCE', 'HOLDER_SELF_SERVICE']),
      mask: null,
    });
    expect(policy.fields.get('Holder.idNumber')).toMatchObject({ category: 'IDENTITY', mask: 'ID_NUMBER' });
    expect(policy.fields.get('BankAccount.accountNumber')).toMatchObject({ category: 'FINANCIAL', mask: 'LAST4' });
    // Declared by civil affairs and transport alike, composed once.
    expect(policy.fields.get('ConcessionCertificate.disabilityLevel')).toMatchObject({
      category: 'HEALTH',
      mask: null,
    });
    expect([...policy.fields.keys()].sort()).toEqual([
      'BankAccount.accountNumber',
      'Card.transitFunctions',
      'ConcessionCertificate.disabilityLevel',
      'ElectronicLicence.licenceNumber',
      'ElectronicLicence.points',
      'ElectronicLicence.statusReason',
      'Holder.birthDate',
      'Holder.concessionCertificates',
      'Holder.electronicLicences',
      'Holder.employmentPeriods',
      'Holder.healthRecords',
      'Holder.idNumber',
      'Holder.labourContracts',
      'Holder.libraryLoans',
      'Holder.medicalVisits',
      'Holder.phone',
      'Holder.preferentialCertificates',
      'Holder.qualifications',
      'Holder.reliefEntitlements',
      'Holder.rides',
      'Holder.socialInsuranceContributions',
      'Holder.socialInsuranceEnrolments',
      'Holder.trainingRecords',
      'Holder.transitFunctions',
      'Holder.venueAdmissions',
      'Holder.violations',
      'IdentityVerification.idNumber',
      'MedicalVisit.diagnoses',
      'MedicalVisit.settlement',
      'PreferentialCertificate.disabilityLevel',
      'Query.accessLog',
      'Query.anomalies',
      'Query.auditChainStatus',
      'Query.clientActivity',
      'Query.complianceReport',
      'Query.holderAccessReport',
      'Query.medicalVisit',
      'Query.preferentialCertificate',
      'Query.publicCreditFeed',
      'Query.rideAuthorization',
      'Query.verifyCard',
      'Query.verifyCardQr',
      'Query.verifyLicence',
      'SocialInsuranceContribution.employerFen',
      'SocialInsuranceContribution.personalFen',
      'SocialInsuranceContribution.totalFen',
      'Violation.decision',
      'Violation.facts',
      'Violation.fineFen',
      'Violation.kind',
    ]);
    // Contributions for social insurance and the holder; enrolments for HR services too; e-files for HR services.
    expect(policy.fields.get('Holder.socialInsuranceContributions')).toEqual({
      category: 'SOCIAL_INSURANCE',
      purposes: new Set(['SOCIAL_INSURANCE', 'HOLDER_SELF_SERVICE']),
      mask: null,
    });
    expect(policy.fields.get('Holder.labourContracts')).toMatchObject({
      category: 'EMPLOYMENT',
      purposes: new Set(['HR_SERVICE', 'HOLDER_SELF_SERVICE']),
    });
    // The audit trail is for governance; a holder's own share of it also for the holder, through the province.
    expect(policy.fields.get('Query.accessLog')).toEqual({
      category: 'AUDIT',
      purposes: new Set(['GOVERNANCE_AUDIT']),
      mask: null,
    });
    expect(policy.fields.get('Query.holderAccessReport')?.purposes).toEqual(
      new Set(['GOVERNANCE_AUDIT', 'HOLDER_SELF_SERVICE']),
    );
    expect(policy.mutationOwners.get('suspendClient')).toBe('governance');
    expect(policy.mutationOwners.get('grantReliefEntitlement')).toBe('civil-affairs');
    expect(policy.mutationOwners.get('recordMedicalVisit')).toBe('health');
    expect(policy.mutationOwners.get('registerHolder')).toBe('hr');
    expect(policy.mutationOwners.size).toBe(Object.keys(apiSchema.getMutationType()!.getFields()).length);
  });

  const edited = (from: string | RegExp, to: string) => {
    const sdl = supergraph.replace(from, to);
    expect(sdl).not.toBe(supergraph);
    return () => readSchemaPolicy(sdl);
  };

  it('refuses a sensitive field without a mask that is non-null: its null would wipe out the parent', () => {
    expect(
      edited(
        'MedicalVisitConnection @join__field(graph: HEALTH) @sensitive',
        'MedicalVisitConnection! @join__field(graph: HEALTH) @sensitive',
      ),
    ).toThrow(/Holder\.medicalVisits: a sensitive field without a mask must be nullable/);
  });

  it('refuses a mask on a field that is not a String', () => {
    expect(
      edited(
        /disabilityLevel: Int @sensitive\(category: HEALTH, purposes: \[([^\]]*)\]\)/,
        'disabilityLevel: Int @sensitive(category: HEALTH, purposes: [$1], mask: LAST4)',
      ),
    ).toThrow(/disabilityLevel: mask LAST4 on a Int field/);
  });

  it('refuses BASIC on @sensitive: it names the data no annotation marks', () => {
    expect(
      edited('disabilityLevel: Int @sensitive(category: HEALTH', 'disabilityLevel: Int @sensitive(category: BASIC'),
    ).toThrow(/disabilityLevel: @sensitive\(category: BASIC\); mark it with the category of what it holds/);
  });

  it('refuses a Purpose enum that is not the gateway’s list', () => {
    expect(edited('  GOVERNANCE_AUDIT @join__enumValue', '  PUBLIC_INTEREST @join__enumValue')).toThrow(
      /enum Purpose is \[.*HOLDER_SELF_SERVICE, PUBLIC_INTEREST\], but the gateway knows/,
    );
  });

  it('refuses a mutation field owned by two subgraphs', () => {
    expect(
      edited(
        'registerBank(input: RegisterBankInput!): Bank! @join__field(graph: HR)',
        'registerBank(input: RegisterBankInput!): Bank! @join__field(graph: HR) @join__field(graph: HEALTH)',
      ),
    ).toThrow(/Mutation\.registerBank: owned by 2 subgraphs \(HR, HEALTH\)/);
  });
});

describe('planFieldAccess', () => {
  const visits = `query Visits($id: String!, $first: Int) {
    holder(idNumber: $id) { id name medicalVisits(first: $first) { nodes { id diagnoses } } }
  }`;

  it('returns the very document when the purpose may read everything asked', () => {
    const document = parse(visits);
    const access = plan('HOLDER_SELF_SERVICE', document);
    expect(access).toEqual({ document, denied: [], masked: [], unchanged: true });
    expect(access.document).toBe(document);
  });

  it('takes a refused field out of the operation, and the variables only it used', async () => {
    const access = plan('TRANSIT', visits);
    expect(access.unchanged).toBe(false);
    expect(access.denied).toEqual([
      { path: ['holder', 'medicalVisits'], coordinate: 'Holder.medicalVisits', category: 'HEALTH' },
    ]);
    const printed = print(access.document);
    expect(printed).not.toContain('$first');
    expect(printed).not.toContain('diagnoses');
    expect(printed).toContain('medicalVisits: __typename');

    const result = await answer(access, 'TRANSIT', { id: 'x' });
    // The refused key stays where it was asked for, and reads null.
    expect(result.data).toEqual({ holder: { id: 'h1', name: 'Chen Mei', medicalVisits: null } });
    expect(Object.keys(result.data!.holder)).toEqual(['id', 'name', 'medicalVisits']);
    expect(result.errors?.map((e) => ({ message: e.message, path: e.path, extensions: e.extensions }))).toEqual([
      {
        message: 'Purpose TRANSIT may not read Holder.medicalVisits (HEALTH data)',
        path: ['holder', 'medicalVisits'],
        extensions: { code: 'FORBIDDEN', coordinate: 'Holder.medicalVisits', category: 'HEALTH', purpose: 'TRANSIT' },
      },
    ]);
  });

  it('marks list positions with "@" in the path of a field inside a list', async () => {
    const access = plan('SOCIAL_INSURANCE', visits);
    expect(access.denied).toEqual([
      {
        path: ['holder', 'medicalVisits', 'nodes', '@', 'diagnoses'],
        coordinate: 'MedicalVisit.diagnoses',
        category: 'HEALTH',
      },
    ]);
    const result = await answer(access, 'SOCIAL_INSURANCE', { id: 'x', first: 5 });
    expect(result.data!.holder.medicalVisits.nodes).toEqual([
      { id: 'v1', diagnoses: null },
      { id: 'v2', diagnoses: null },
    ]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.path).toEqual(['holder', 'medicalVisits', 'nodes', '@', 'diagnoses']);
  });

  it('paths by alias, through named and inline fragments, once per occurrence', async () => {
    const access = plan(
      'TRANSIT',
      `query {
        people: holders(idNumbers: ["a", "b"]) {
          ...Visits
          ... on Holder { again: medicalVisits { nodes { id } } }
        }
      }
      fragment Visits on Holder { id visits: medicalVisits { nodes { id } } ...More }
      fragment More on Holder { medicalVisits { pageInfo { hasNextPage } } }`,
    );
    expect(access.denied.map((d) => d.path)).toEqual([
      ['people', '@', 'visits'],
      ['people', '@', 'medicalVisits'],
      ['people', '@', 'again'],
    ]);
    // The fragments stay, rewritten: the operation first, then the fragments it spreads.
    expect(
      access.document.definitions.map((d) =>
        d.kind === Kind.OPERATION_DEFINITION ? d.kind : d.kind === Kind.FRAGMENT_DEFINITION ? d.name.value : d.kind,
      ),
    ).toEqual([Kind.OPERATION_DEFINITION, 'Visits', 'More']);
    const printed = print(access.document);
    expect(printed).toContain('visits: __typename');
    expect(printed).not.toContain('nodes'); // every selection under a refused field is gone
    const result = await answer(access, 'TRANSIT');
    expect(result.data).toEqual({ people: [{ id: 'h1', visits: null, medicalVisits: null, again: null }, null] });
    expect(result.errors?.map((e) => e.path)).toEqual([
      ['people', '@', 'visits'],
      ['people', '@', 'medicalVisits'],
      ['people', '@', 'again'],
    ]);
  });

  it('reports a field asked for twice at one path once', async () => {
    const access = plan(
      'TRANSIT',
      `{ holder(idNumber: "x") { ...A ...B } } fragment A on Holder { rides { nodes { id } } medicalVisits { nodes { id } } } fragment B on Holder { medicalVisits { nodes { id } } }`,
    );
    expect(access.denied.map((d) => d.path.join('.'))).toEqual(['holder.medicalVisits', 'holder.medicalVisits']);
    const result = await answer(access, 'TRANSIT');
    expect(result.errors).toHaveLength(1);
  });

  it('walks a fragment spread many times over once per selection set, as execution collects it', () => {
    const levels = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Holder { ...F${i + 1} ...F${i + 1} }`);
    const access = plan(
      'TRANSIT',
      `{ holder(idNumber: "x") { ...F0 } } ${levels.join(' ')} fragment F30 on Holder { medicalVisits { nodes { id } } }`,
    );
    expect(access.denied).toEqual([
      { path: ['holder', 'medicalVisits'], coordinate: 'Holder.medicalVisits', category: 'HEALTH' },
    ]);
    expect(access.document.definitions).toHaveLength(32);
  });

  it('stays as large as the operation when a fragment is spread under ever other conditions', () => {
    // Told apart by their conditions, these spreads would be 2^30 inlined copies; execution collects F1 once.
    const levels = Array.from(
      { length: 30 },
      (_, i) =>
        `fragment F${i} on Holder { ... @include(if: $a${i}) { ...F${i + 1} } ... @skip(if: $a${i}) { ...F${i + 1} } }`,
    );
    const variables = Array.from({ length: 30 }, (_, i) => `$a${i}: Boolean!`).join(', ');
    const query = `query(${variables}) { holder(idNumber: "x") { ...F0 } } ${levels.join(' ')} fragment F30 on Holder { medicalVisits { nodes { id } } }`;
    const started = performance.now();
    const access = plan('TRANSIT', query);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(access.denied).toHaveLength(1);
    expect(print(access.document).length).toBeLessThan(2 * query.length);
  });

  it('keeps a spread beside the same spread under a condition that may be false', async () => {
    const access = plan(
      'TRANSIT',
      `query($id: String!, $no: Boolean!) {
        holder(idNumber: $id) { ... on Holder @include(if: $no) { ...F } ...F medicalVisits { nodes { id } } }
      }
      fragment F on Holder { id name }`,
    );
    expect(access.unchanged).toBe(false);
    // Had the spread under @include(if: $no) stood for the second one too, id and name would be gone here.
    const hidden = await answer(access, 'TRANSIT', { id: 'x', no: false });
    expect(hidden.data).toEqual({ holder: { id: 'h1', name: 'Chen Mei', medicalVisits: null } });
    const shown = await answer(access, 'TRANSIT', { id: 'x', no: true });
    expect(shown.data).toEqual({ holder: { id: 'h1', name: 'Chen Mei', medicalVisits: null } });
  });

  it('keeps each spread’s own @skip/@include, and masks and refuses inside a fragment wherever it is spread', async () => {
    const access = plan(
      'TRANSIT',
      `query($skip: Boolean!) {
        holder(idNumber: "x") { ...F @skip(if: $skip) }
        holders(idNumbers: ["x"]) { ...F }
      }
      fragment F on Holder { idNumber medicalVisits { nodes { id } } }`,
    );
    expect(access.denied.map((d) => d.path)).toEqual([
      ['holder', 'medicalVisits'],
      ['holders', '@', 'medicalVisits'],
    ]);
    expect(access.masked.map((m) => m.path)).toEqual([
      ['holder', 'idNumber'],
      ['holders', '@', 'idNumber'],
    ]);
    const skipped = await answer(access, 'TRANSIT', { skip: true });
    expect(skipped.data).toEqual({
      holder: {},
      holders: [{ idNumber: '440106********1234', medicalVisits: null }, null],
    });
    const kept = await answer(access, 'TRANSIT', { skip: false });
    expect(kept.data!.holder).toEqual({ idNumber: '440106********1234', medicalVisits: null });
  });

  it('leaves out a fragment spread only inside a refused field, and the variables only it used', async () => {
    const access = plan(
      'TRANSIT',
      `query($first: Int) { holder(idNumber: "x") { id medicalVisits(first: $first) { ...Visits } } }
      fragment Visits on MedicalVisitConnection { nodes { id diagnoses } pageInfo { hasNextPage } }`,
    );
    expect(access.document.definitions).toHaveLength(1);
    expect(print(access.document)).toBe('{\n  holder(idNumber: "x") {\n    id\n    medicalVisits: __typename\n  }\n}');
    expect((await answer(access, 'TRANSIT')).data).toEqual({ holder: { id: 'h1', medicalVisits: null } });
  });

  it('answers an operation all of whose fields are refused, with nulls', async () => {
    const access = plan('TRANSIT', `query One { medicalVisit(id: "v1") { id diagnoses } }`);
    expect(print(access.document)).toBe('query One {\n  medicalVisit: __typename\n}');
    const result = await answer(access, 'TRANSIT');
    expect(result.data).toEqual({ medicalVisit: null });
    expect(result.errors?.map((e) => e.extensions)).toEqual([
      { code: 'FORBIDDEN', coordinate: 'Query.medicalVisit', category: 'HEALTH', purpose: 'TRANSIT' },
    ]);
  });

  it('answers a selection set all of whose fields are refused with an empty object', async () => {
    const access = plan(
      'CULTURE_TOURISM',
      `{ holder(idNumber: "x") { medicalVisits { nodes { id } } rides { nodes { id } } } }`,
    );
    expect(access.denied.map((d) => d.coordinate)).toEqual(['Holder.medicalVisits', 'Holder.rides']);
    const result = await answer(access, 'CULTURE_TOURISM');
    expect(result.data).toEqual({ holder: { medicalVisits: null, rides: null } });
  });

  it('masks what the purpose may see masked, through lists, and refuses the rest', async () => {
    const access = plan(
      'TRANSIT',
      `{ holders(idNumbers: ["a"]) { id: idNumber phone bankAccount { accountNumber } medicalVisits { nodes { id } } } }`,
    );
    expect(access.masked).toEqual([
      { path: ['holders', '@', 'id'], mask: 'ID_NUMBER' },
      { path: ['holders', '@', 'phone'], mask: 'PHONE' },
      { path: ['holders', '@', 'bankAccount', 'accountNumber'], mask: 'LAST4' },
    ]);
    const result = await answer(access, 'TRANSIT');
    expect(result.data).toEqual({
      holders: [
        {
          id: '440106********1234',
          phone: '138****5678',
          bankAccount: { accountNumber: '***************3445' },
          medicalVisits: null,
        },
        null,
      ],
    });
  });

  it('masks the birth date wherever it masks the ID number: together they do not give the number back', async () => {
    const access = plan('TRANSIT', `{ holder(idNumber: "x") { idNumber birthDate } }`);
    expect(access.masked).toEqual([
      { path: ['holder', 'idNumber'], mask: 'ID_NUMBER' },
      { path: ['holder', 'birthDate'], mask: 'BIRTH_YEAR' },
    ]);
    const result = await answer(access, 'TRANSIT');
    expect(result.data).toEqual({ holder: { idNumber: '440106********1234', birthDate: '1990-**-**' } });
    expect(JSON.stringify(result.data)).not.toContain('0101');
    // Every purpose reads both whole or both masked.
    const idRule = policy.fields.get('Holder.idNumber')!;
    expect(policy.fields.get('Holder.birthDate')).toEqual({
      category: 'IDENTITY',
      purposes: idRule.purposes,
      mask: 'BIRTH_YEAR',
    });
  });

  it('masks without refusing anything: the document stays, the answer is masked', async () => {
    const document = parse(`{ holder(idNumber: "x") { idNumber phone } }`);
    const access = plan('IDENTITY_VERIFICATION', document);
    expect(access.unchanged).toBe(true);
    expect(access.document).toBe(document);
    const result = await answer(access, 'IDENTITY_VERIFICATION');
    expect(result.data).toEqual({ holder: { idNumber: '440106199001011234', phone: '138****5678' } });
    expect(result.errors).toBeUndefined();
  });

  it('plans the named operation only, and keeps @skip/@include on the refused field', async () => {
    const document = `query Open { holder(idNumber: "x") { id } }
      query Closed($show: Boolean!, $first: Int) { holder(idNumber: "x") { id medicalVisits(first: $first) @include(if: $show) { nodes { id } } } }`;
    expect(plan('TRANSIT', document, 'Open').unchanged).toBe(true);
    const access = plan('TRANSIT', document, 'Closed');
    expect(print(access.document)).toContain('query Closed($show: Boolean!) {');
    const hidden = await answer(access, 'TRANSIT', { show: false }, 'Closed');
    expect(hidden.data).toEqual({ holder: { id: 'h1' } });
    const shown = await answer(access, 'TRANSIT', { show: true }, 'Closed');
    expect(shown.data).toEqual({ holder: { id: 'h1', medicalVisits: null } });
  });

  it('leaves __typename and introspection alone', () => {
    const document = parse(`{ __typename __schema { queryType { name } } __type(name: "Holder") { fields { name } } }`);
    expect(plan('TRANSIT', document)).toEqual({ document, denied: [], masked: [], unchanged: true });
  });

  it('returns data it cannot place untouched: a null parent, no data at all', () => {
    const access = plan('TRANSIT', `{ holder(idNumber: "x") { phone medicalVisits { nodes { id } } } }`);
    const nullHolder = applyFieldAccess<Answer>({ data: { holder: null } }, access, 'TRANSIT');
    expect(nullHolder.data).toEqual({ holder: null });
    expect(nullHolder.errors).toHaveLength(1);
    expect(applyFieldAccess<Answer>({ errors: [] }, access, 'TRANSIT')).toEqual({ errors: [] });
  });
});

describe('routes to sensitive records', () => {
  // Records that are sensitive whole (health, relief, certificates, travel, culture): whatever field a subgraph adds
  // later, no route from Query may reach one without passing a field the policy decides. Mutation results are left
  // out: a department reads there what it just wrote, and every field on the way is decided all the same.
  const RECORDS = [
    'ConcessionCertificate',
    'PreferentialCertificate',
    'MedicalVisit',
    'HealthRecord',
    'ReliefEntitlement',
    'Ride',
    'VenueAdmission',
    'LibraryLoan',
    'RideAuthorization',
    // Credit records (Art 19): a holder's violations, and the public credit feed.
    'Violation',
    'PublicCreditRecord',
  ];
  // What says a holder has a disability certificate: the certificate kinds and the concessions resting on them.
  const DISABILITY = ['CertificateKind', 'Concession', 'AdmissionConcession'];

  /** Every type reachable from Query through fields `open` lets through, each with the shortest route to it. */
  function routes(open: (coordinate: string) => boolean): Map<string, string> {
    const query = apiSchema.getQueryType()!;
    const found = new Map<string, string>([[query.name, query.name]]);
    const queue: GraphQLNamedType[] = [query];
    const reach = (type: GraphQLNamedType, route: string) => {
      if (found.has(type.name)) return;
      found.set(type.name, route);
      queue.push(type);
    };
    while (queue.length > 0) {
      const type = queue.shift()!;
      const route = found.get(type.name)!;
      if (isAbstractType(type))
        for (const possible of apiSchema.getPossibleTypes(type)) reach(possible, `${route}(${possible.name})`);
      if (!isObjectType(type) && !isInterfaceType(type)) continue;
      for (const field of Object.values((type as GraphQLObjectType).getFields())) {
        if (open(`${type.name}.${field.name}`)) reach(getNamedType(field.type), `${route}.${field.name}`);
      }
    }
    return found;
  }

  it('reaches none of them from Query without passing an @sensitive field', () => {
    const open = routes((coordinate) => !policy.fields.has(coordinate));
    expect(RECORDS.filter((type) => apiSchema.getType(type))).toEqual(RECORDS); // a rename must not empty the check
    expect(RECORDS.filter((type) => open.has(type)).map((type) => open.get(type))).toEqual([]);
    // An identity check's answer (name, masked ID, the card) is for the purpose that checks identity alone.
    expect(open.has('IdentityVerification')).toBe(false);
    expect(apiSchema.getType('IdentityVerification')).toBeDefined();
    // The walk does reach what is open, through hr's holder lookups into every department.
    expect(open.get('MedicalInstitution')).toBe('Query.medicalInstitutions');
    expect(open.get('Venue')).toBe('Query.venues');
    expect(open.get('ReliefEntitlement')).toBeUndefined();
  });

  it.each<Purpose>(['GOVERNANCE_AUDIT', 'IDENTITY_VERIFICATION'])(
    'gives %s no route to them, nor to a certificate kind or concession',
    (purpose) => {
      // A field is passable for a purpose when it is unannotated, lists the purpose, or is masked (masks are on strings).
      const open = routes((coordinate) => {
        const rule = policy.fields.get(coordinate);
        return !rule || rule.purposes.has(purpose) || rule.mask !== null;
      });
      expect([...RECORDS, ...DISABILITY].filter((type) => open.has(type)).map((type) => open.get(type))).toEqual([]);
    },
  );

  it('leaves the disability facts reachable where concessions are granted', () => {
    for (const purpose of PURPOSES.filter((p) =>
      ['TRANSIT', 'PREFERENTIAL_TREATMENT', 'HOLDER_SELF_SERVICE'].includes(p),
    )) {
      const open = routes((coordinate) => {
        const rule = policy.fields.get(coordinate);
        return !rule || rule.purposes.has(purpose) || rule.mask !== null;
      });
      expect(open.has('ConcessionCertificate'), purpose).toBe(true);
    }
  });
});

describe('masks', () => {
  it('keeps a resident ID’s division code and last four', () => {
    expect(applyMask('ID_NUMBER', '44010619900101123X')).toBe('440106********123X');
    expect(applyMask('ID_NUMBER', 'H12345678')).toBe('H1*****78');
    expect(applyMask('ID_NUMBER', 'AB12')).toBe('A**2');
    expect(applyMask('ID_NUMBER', 'A1')).toBe('**');
  });

  it('keeps a mobile number’s first three and last four, else the last four', () => {
    expect(applyMask('PHONE', '13812345678')).toBe('138****5678');
    expect(applyMask('PHONE', '020-87654321')).toBe('********4321');
    expect(applyMask('PHONE', '123')).toBe('**3');
  });

  it('keeps a date’s year only, and stars whatever is not a YYYY-MM-DD date whole', () => {
    expect(applyMask('BIRTH_YEAR', '1994-03-07')).toBe('1994-**-**');
    expect(applyMask('BIRTH_YEAR', '19940307')).toBe('********');
    expect(applyMask('BIRTH_YEAR', '07/03/1994')).toBe('**********');
  });

  it('keeps the last four of an account number; null stays null', () => {
    expect(applyMask('LAST4', '6222020200112233445')).toBe('***************3445');
    expect(applyMask('LAST4', null)).toBeNull();
    expect(applyMask('LAST4', ['12345678', null])).toEqual(['****5678', null]);
  });
});

describe('LruCache', () => {
  it('forgets the least recently used entry beyond its capacity', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([1, undefined, 3, 2]);
  });
});
