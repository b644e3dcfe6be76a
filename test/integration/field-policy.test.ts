// The field policy's routes to a holder's facts, through the real gateway over the real subgraphs: a disability
// certificate is read where concessions are granted and paid, by no other purpose through any route; a birth date
// is masked wherever the ID number is, so the two together do not give the number back.
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { hubTest } from '../support/fixtures.js';
import { codes, type GraphQLResponse, type Identity, type TestHub } from '../support/hub.js';
import { holderWithActiveCard, registerBank } from '../support/hr.js';

const it = hubTest();
/** A Guangzhou holder with a card carrying the transit function, a disability certificate, a ride and an admission. */
let rider: { id: string; idNumber: string; cardNumber: string; certificateNumber: string };

const TRANSPORT: Identity = { client: 'dept-transport', purpose: 'TRANSIT', operator: null, caseRef: null };
const CIVIL_AFFAIRS: Identity = { client: 'dept-civil-affairs', purpose: 'PREFERENTIAL_TREATMENT' };
const CULTURE: Identity = { client: 'dept-culture-tourism', purpose: 'CULTURE_TOURISM', operator: null, caseRef: null };
const HR_IDENTITY: Identity = { client: 'dept-hr', purpose: 'IDENTITY_VERIFICATION' };
/** Purposes with no business knowing who holds a disability certificate. */
const OUTSIDERS: Identity[] = [
  { client: 'governance', purpose: 'GOVERNANCE_AUDIT' },
  { client: 'dept-civil-affairs', purpose: 'IDENTITY_VERIFICATION' },
  { client: 'dept-health', purpose: 'IDENTITY_VERIFICATION' },
  { client: 'city-440100', purpose: 'IDENTITY_VERIFICATION' },
];

it.beforeAll(async ({ hub }) => {
  await registerBank(hub, 'ICBC');
  const { holder, cardNumber } = await holderWithActiveCard(hub);
  const certificateNumber = `D-${randomUUID().slice(0, 12)}`;
  rider = { id: holder.id, idNumber: holder.idNumber, cardNumber, certificateNumber };
  // Each write by the department owning it (support/hub.ts picks the identity).
  await hub.ok(
    `mutation($input: IssueCertificateInput!) { issuePreferentialCertificate(input: $input) { certificateNumber } }`,
    {
      input: {
        idempotencyKey: randomUUID(),
        holder: { cardNumber },
        certificateNumber,
        kind: 'DISABILITY',
        disabilityLevel: 2,
        issuer: '440100',
        validFrom: '2020-01-01',
      },
    },
  );
  await hub.ok(`mutation($input: LoadTransitFunctionInput!) { loadTransitFunction(input: $input) { loaded } }`, {
    input: { idempotencyKey: randomUUID(), cardNumber, city: '440100', operator: '羊城通' },
  });
  await hub.ok(`mutation($input: RecordRidesInput!) { recordRides(input: $input) { recorded } }`, {
    input: {
      idempotencyKey: randomUUID(),
      rides: [
        {
          cardNumber,
          mode: 'BUS',
          city: '440100',
          line: 'B1',
          station: '天河客运站',
          occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
          fare: '0.00',
          concession: 'DISABILITY',
        },
      ],
    },
  });
  await hub.ok(`mutation($input: RegisterVenueInput!) { registerVenue(input: $input) { code } }`, {
    input: { idempotencyKey: randomUUID(), code: 'FP-MUS-GZ', name: '测试博物馆', kind: 'MUSEUM', city: '440100' },
  });
  const admitted = await hub.ok(
    `mutation($input: RecordAdmissionsInput!) { recordAdmissions(input: $input) { recorded } }`,
    {
      input: {
        idempotencyKey: randomUUID(),
        admissions: [{ cardNumber, venueCode: 'FP-MUS-GZ', concession: 'DISABILITY' }],
      },
    },
  );
  expect(admitted.recordAdmissions.recorded).toBe(1);
});

/** Every route to the certificate, in one operation: the holder's fields, the root lookups, the concessions. */
const EVERY_ROUTE = `query($n: String!, $c: String!) {
  holderByCard(cardNumber: $n) {
    name
    concessionCertificates { kind disabilityLevel }
    preferentialCertificates { nodes { certificateNumber kind disabilityLevel } }
    rides { nodes { concession } }
    venueAdmissions { nodes { concession } }
  }
  preferentialCertificate(certificateNumber: $c) { kind disabilityLevel holder { id } }
  rideAuthorization(cardNumber: $n, city: "440100", mode: BUS) { allowed concession discountPercent }
}`;
const everyRoute = (hub: TestHub, identity: Identity) =>
  hub.as(identity).query(EVERY_ROUTE, { n: rider.cardNumber, c: rider.certificateNumber });

/** The coordinates the answer's FORBIDDEN errors name, sorted; fails on any other error. */
function refused(result: GraphQLResponse): string[] {
  expect(codes(result).filter((c) => c !== 'FORBIDDEN')).toEqual([]);
  return (result.errors ?? []).map((e) => String(e.extensions?.coordinate)).sort();
}

describe('a disability certificate', () => {
  it.for(OUTSIDERS)('is read through no route by $client for $purpose', async (identity, { hub }) => {
    const result = await everyRoute(hub, identity);
    expect(result.data).toEqual({
      holderByCard: {
        name: expect.any(String),
        concessionCertificates: null,
        preferentialCertificates: null,
        rides: null,
        venueAdmissions: null,
      },
      preferentialCertificate: null,
      rideAuthorization: null,
    });
    expect(refused(result)).toEqual([
      'Holder.concessionCertificates',
      'Holder.preferentialCertificates',
      'Holder.rides',
      'Holder.venueAdmissions',
      'Query.preferentialCertificate',
      'Query.rideAuthorization',
    ]);
    for (const error of result.errors!) expect(error.extensions).toMatchObject({ purpose: identity.purpose });
    expect(JSON.stringify(result.data)).not.toMatch(/DISABILITY|discount/);
  });

  it('is read by a turnstile: the concession certificates and the ride decision resting on them', async ({ hub }) => {
    const result = await everyRoute(hub, TRANSPORT);
    expect(result.data).toEqual({
      holderByCard: {
        name: expect.any(String),
        concessionCertificates: [{ kind: 'DISABILITY', disabilityLevel: 2 }],
        preferentialCertificates: null,
        rides: { nodes: [{ concession: 'DISABILITY' }] },
        venueAdmissions: null,
      },
      preferentialCertificate: null,
      rideAuthorization: { allowed: true, concession: 'DISABILITY', discountPercent: 100 },
    });
    expect(refused(result)).toEqual([
      'Holder.preferentialCertificates',
      'Holder.venueAdmissions',
      'Query.preferentialCertificate',
    ]);
  });

  it('is read by civil affairs for preferential treatment, by the holder and by number, but not as a ride decision', async ({
    hub,
  }) => {
    const result = await everyRoute(hub, CIVIL_AFFAIRS);
    expect(result.data).toEqual({
      holderByCard: {
        name: expect.any(String),
        concessionCertificates: [{ kind: 'DISABILITY', disabilityLevel: 2 }],
        preferentialCertificates: {
          nodes: [{ certificateNumber: rider.certificateNumber, kind: 'DISABILITY', disabilityLevel: 2 }],
        },
        rides: null,
        venueAdmissions: null,
      },
      preferentialCertificate: { kind: 'DISABILITY', disabilityLevel: 2, holder: { id: rider.id } },
      rideAuthorization: null,
    });
    expect(refused(result)).toEqual(['Holder.rides', 'Holder.venueAdmissions', 'Query.rideAuthorization']);
  });

  it('is read by a venue gate as the concession it grants', async ({ hub }) => {
    const result = await everyRoute(hub, CULTURE);
    expect(result.data.holderByCard.concessionCertificates).toEqual([{ kind: 'DISABILITY', disabilityLevel: 2 }]);
    expect(result.data.holderByCard.venueAdmissions).toEqual({ nodes: [{ concession: 'DISABILITY' }] });
    expect(result.data.rideAuthorization).toBeNull();
  });

  it('is not read through another department’s mutation result either', async ({ hub }) => {
    await hub.ok(
      `mutation($input: RegisterMedicalInstitutionInput!) { registerMedicalInstitution(input: $input) { code } }`,
      {
        input: {
          idempotencyKey: randomUUID(),
          code: 'H44010090002',
          name: '广州市测试医院',
          city: '440100',
          level: 'TERTIARY_A',
        },
      },
    );
    const result = await hub.query(
      `mutation($input: RecordMedicalVisitInput!) { recordMedicalVisit(input: $input) {
      kind holder { concessionCertificates { kind } preferentialCertificates { nodes { kind } } } } }`,
      {
        input: {
          idempotencyKey: randomUUID(),
          holder: { cardNumber: rider.cardNumber },
          institutionCode: 'H44010090002',
          kind: 'OUTPATIENT',
          department: '康复科',
          visitedAt: '2024-03-07T09:30:00+08:00',
        },
      },
    );
    expect(result.data.recordMedicalVisit).toEqual({
      kind: 'OUTPATIENT',
      holder: { concessionCertificates: null, preferentialCertificates: null },
    });
    expect(refused(result)).toEqual(['Holder.concessionCertificates', 'Holder.preferentialCertificates']);
  });
});

describe('rideAuthorization', () => {
  const AUTHORIZE = `query($n: String!, $mode: RideMode!) { rideAuthorization(cardNumber: $n, city: "440300", mode: $mode) {
    cardNumber allowed refusal concession discountPercent } }`;

  it('answers a turnstile, its concession required from civil affairs though the turnstile asked for no certificate', async ({
    hub,
  }) => {
    const bus = await hub.as(TRANSPORT).ok(AUTHORIZE, { n: rider.cardNumber, mode: 'BUS' });
    expect(bus.rideAuthorization).toEqual({
      cardNumber: rider.cardNumber,
      allowed: true,
      refusal: null,
      concession: 'DISABILITY',
      discountPercent: 100,
    });
    const train = await hub.as(TRANSPORT).ok(AUTHORIZE, { n: rider.cardNumber, mode: 'HIGH_SPEED_RAIL' });
    expect(train.rideAuthorization).toMatchObject({ allowed: true, concession: 'NONE', discountPercent: 0 });
  });

  it('is refused whole to other purposes, the certificates it requires never in the answer', async ({ hub }) => {
    const result = await hub.as(HR_IDENTITY).query(AUTHORIZE, { n: rider.cardNumber, mode: 'BUS' });
    expect(result.data).toEqual({ rideAuthorization: null });
    expect(result.errors).toEqual([
      expect.objectContaining({
        path: ['rideAuthorization'],
        extensions: expect.objectContaining({
          code: 'FORBIDDEN',
          coordinate: 'Query.rideAuthorization',
          category: 'TRAVEL',
          purpose: 'IDENTITY_VERIFICATION',
        }),
      }),
    ]);
  });
});

describe('fragments', () => {
  it('keep their fields beside the same fragment under a false @include, refused fields taken out of both', async ({
    hub,
  }) => {
    const result = await hub.as(TRANSPORT).query(
      `query($n: String!, $no: Boolean!) {
      holderByCard(cardNumber: $n) { ... on Holder @include(if: $no) { ...F } ...F }
    }
    fragment F on Holder { name medicalVisits { nodes { id } } concessionCertificates { kind } }`,
      { n: rider.cardNumber, no: false },
    );
    expect(result.data).toEqual({
      holderByCard: { name: expect.any(String), medicalVisits: null, concessionCertificates: [{ kind: 'DISABILITY' }] },
    });
    expect(refused(result)).toEqual(['Holder.medicalVisits']);
  });
});

describe('the birth date', () => {
  const IDENTITY = `query($n: String!) { holderByCard(cardNumber: $n) { idNumber birthDate } }`;

  it('is masked to its year where the ID number is masked, so the two do not give the number back', async ({ hub }) => {
    const { idNumber, birthDate } = (await hub.as(TRANSPORT).ok(IDENTITY, { n: rider.cardNumber })).holderByCard;
    const digits = rider.idNumber.slice(6, 14);
    expect(idNumber).toBe(`${rider.idNumber.slice(0, 6)}********${rider.idNumber.slice(-4)}`);
    expect(birthDate).toBe(`${digits.slice(0, 4)}-**-**`);
    // What a caller would splice together: the masked number with the birth date where the stars are.
    const spliced = idNumber.replace('********', String(birthDate).replaceAll('-', ''));
    expect(spliced).not.toBe(rider.idNumber);
    expect(spliced.slice(10, 14)).toBe('****'); // the month and day are nowhere in the answer
  });

  it('is read whole where the ID number is', async ({ hub }) => {
    const whole = (await hub.as(HR_IDENTITY).ok(IDENTITY, { n: rider.cardNumber })).holderByCard;
    const digits = rider.idNumber.slice(6, 14);
    expect(whole).toEqual({
      idNumber: rider.idNumber,
      birthDate: `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}`,
    });
  });
});

describe('a driving licence', () => {
  // Both routes to it: the holder's licences, and the office's check of the card presented (public-security).
  const LICENCE_ROUTES = `query($n: String!) {
    holderByCard(cardNumber: $n) { electronicLicences { kind vehicleClass validUntil licenceNumber points } }
    verifyLicence(cardNumber: $n, kind: DRIVING_LICENCE) { valid vehicleClass validUntil }
  }`;
  const licenceNumber = String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));

  it.beforeAll(async ({ hub }) => {
    await hub.ok(`mutation($input: RecordDrivingLicenceInput!) { recordDrivingLicence(input: $input) { kind } }`, {
      input: {
        idempotencyKey: randomUUID(),
        holder: { cardNumber: rider.cardNumber },
        licenceNumber,
        vehicleClass: 'C1',
        issuer: '440100',
        validFrom: '2022-03-01',
        validUntil: '2032-03-01',
        points: 4,
      },
    });
  });

  it.for([TRANSPORT, CIVIL_AFFAIRS, CULTURE, { client: 'governance', purpose: 'GOVERNANCE_AUDIT' }])(
    'is read through no route by $client for $purpose',
    async (identity, { hub }) => {
      const result = await hub.as(identity).query(LICENCE_ROUTES, { n: rider.cardNumber });
      expect(result.data).toEqual({ holderByCard: { electronicLicences: null }, verifyLicence: null });
      expect(refused(result)).toEqual(['Holder.electronicLicences', 'Query.verifyLicence']);
    },
  );

  it('is read for identity verification as its validity and classes, its number and points by the holder alone', async ({
    hub,
  }) => {
    const valid = { valid: true, vehicleClass: 'C1', validUntil: '2032-03-01' };
    const checked = await hub.as(HR_IDENTITY).query(LICENCE_ROUTES, { n: rider.cardNumber });
    expect(checked.data).toEqual({
      holderByCard: {
        electronicLicences: [
          { kind: 'DRIVING_LICENCE', vehicleClass: 'C1', validUntil: '2032-03-01', licenceNumber: null, points: null },
        ],
      },
      verifyLicence: valid,
    });
    expect(refused(checked)).toEqual(['ElectronicLicence.licenceNumber', 'ElectronicLicence.points']);
    const own = await hub.ok(LICENCE_ROUTES, { n: rider.cardNumber });
    expect(own.holderByCard.electronicLicences).toEqual([
      { kind: 'DRIVING_LICENCE', vehicleClass: 'C1', validUntil: '2032-03-01', licenceNumber, points: 4 },
    ]);
    expect(own.verifyLicence).toEqual(valid);
  });
});

describe('social insurance and the e-file', () => {
  // Every route to them: the holder's lists, and the amounts in a contribution's own answer.
  const SI_ROUTES = `query($n: String!) { holderByCard(cardNumber: $n) {
    socialInsuranceEnrolments { nodes { scheme } }
    socialInsuranceContributions { nodes { employerFen personalFen totalFen } }
    employmentPeriods { nodes { kind } } trainingRecords { nodes { kind } }
    qualifications { nodes { kind } } labourContracts { nodes { documentSha256 } } } }`;
  const CONTRIBUTIONS = 'Holder.socialInsuranceContributions';
  const ENROLMENTS = 'Holder.socialInsuranceEnrolments';
  const E_FILE = [
    'Holder.employmentPeriods',
    'Holder.labourContracts',
    'Holder.qualifications',
    'Holder.trainingRecords',
  ];
  const SI: Identity = { client: 'dept-hr', purpose: 'SOCIAL_INSURANCE' };

  it.beforeAll(async ({ hub }) => {
    const { enrolSocialInsurance: enrolment } = await hub.ok(
      `mutation($input: EnrolSocialInsuranceInput!) { enrolSocialInsurance(input: $input) { id } }`,
      {
        input: {
          idempotencyKey: randomUUID(),
          idNumber: rider.idNumber,
          scheme: 'MEDICAL',
          city: '440100',
          startDate: '2024-01-01',
        },
      },
    );
    await hub
      .as(SI)
      .ok(`mutation($input: RecordContributionInput!) { recordSocialInsuranceContribution(input: $input) { id } }`, {
        input: {
          idempotencyKey: randomUUID(),
          enrolmentId: enrolment.id,
          month: '2024-02',
          employerFen: 0,
          personalFen: 51_000,
        },
      });
    await hub.ok(`mutation($input: RecordEmploymentPeriodInput!) { recordEmploymentPeriod(input: $input) { id } }`, {
      input: {
        idempotencyKey: randomUUID(),
        idNumber: rider.idNumber,
        kind: 'UNEMPLOYED',
        city: '440100',
        startDate: '2023-01-01',
      },
    });
  });

  it.for([
    { identity: { client: 'province', purpose: 'HOLDER_SELF_SERVICE' }, denied: [] },
    { identity: SI, denied: E_FILE },
    { identity: { client: 'dept-hr', purpose: 'HR_SERVICE' }, denied: [CONTRIBUTIONS] },
    ...[
      TRANSPORT,
      CIVIL_AFFAIRS,
      CULTURE,
      HR_IDENTITY,
      ...OUTSIDERS,
      { client: 'dept-health', purpose: 'MEDICAL_SERVICE' },
    ].map((identity) => ({ identity, denied: [CONTRIBUTIONS, ENROLMENTS, ...E_FILE].sort() })),
  ])(
    'is read by $identity.client for $identity.purpose only where its purpose is listed',
    async ({ identity, denied }, { hub }) => {
      const result = await hub.as(identity).query(SI_ROUTES, { n: rider.cardNumber });
      expect(refused(result)).toEqual(denied);
      const holder = result.data.holderByCard;
      for (const coordinate of denied) expect(holder[coordinate.slice('Holder.'.length)]).toBeNull();
      if (!denied.includes(CONTRIBUTIONS))
        expect(holder.socialInsuranceContributions.nodes).toEqual([
          { employerFen: 0, personalFen: 51_000, totalFen: 51_000 },
        ]);
      if (!denied.includes(ENROLMENTS)) expect(holder.socialInsuranceEnrolments.nodes).toEqual([{ scheme: 'MEDICAL' }]);
      if (!denied.includes('Holder.employmentPeriods'))
        expect(holder.employmentPeriods.nodes).toEqual([{ kind: 'UNEMPLOYED' }]);
    },
  );
});

describe('a holder’s violations (credit records)', () => {
  const ROUTES = `query($n: String!) { holderByCard(cardNumber: $n) { violations { nodes { kind fineFen } } } }`;

  it.beforeAll(async ({ hub }) => {
    await hub.ok(`mutation($input: RecordViolationInput!) { recordViolation(input: $input) { id } }`, {
      input: {
        idempotencyKey: randomUUID(),
        holder: { cardNumber: rider.cardNumber },
        kind: 'FRAUDULENT_USE',
        facts: '冒用他人社会保障卡',
        authority: '440100',
        decision: '处罚款',
        decidedOn: '2025-05-01',
        fineFen: 100_000,
      },
    });
  });

  it.for([
    { identity: { client: 'province', purpose: 'HOLDER_SELF_SERVICE' }, denied: [] },
    { identity: { client: 'dept-hr', purpose: 'HR_SERVICE' }, denied: [] },
    ...[
      TRANSPORT,
      CIVIL_AFFAIRS,
      CULTURE,
      HR_IDENTITY,
      ...OUTSIDERS,
      { client: 'dept-hr', purpose: 'SOCIAL_INSURANCE' },
      { client: 'dept-health', purpose: 'MEDICAL_SERVICE' },
    ].map((identity) => ({ identity, denied: ['Holder.violations'] })),
  ])(
    'is read by $identity.client for $identity.purpose only where its purpose is listed',
    async ({ identity, denied }, { hub }) => {
      const result = await hub.as(identity).query(ROUTES, { n: rider.cardNumber });
      expect(refused(result)).toEqual(denied);
      const { violations } = result.data.holderByCard;
      if (denied.length > 0) expect(violations).toBeNull();
      else expect(violations.nodes).toEqual([{ kind: 'FRAUDULENT_USE', fineFen: 100_000 }]);
    },
  );
});
