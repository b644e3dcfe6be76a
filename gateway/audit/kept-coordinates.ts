// The input coordinates whose values an audit record keeps as given (variables.ts): every other value of a scalar
// type is kept only as its keyed hash. Enum values and booleans are kept wherever they stand (the schema bounds them
// to a few names that identify nobody); a String, ID or Int is kept only where it is listed here, and only when it has
// the shape of its kind, so a client putting a name or a diagnosis into a city code's place gets it hashed all the
// same. A new input coordinate is hashed until someone lists it here: deny by default.
//
// Coordinates: `Type.field` for an input object's field, `Type.field(argument:)` for a field's argument.

/** What a kept value must look like. */
export const KEPT_SHAPES = {
  /** A date, or a time with its offset: 2025-05-01, 2025-05-01T09:30:00+08:00. */
  date: /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/,
  /** A city or division code (440100), or the province's (440000). */
  city: /^\d{6}$/,
  /** An institution's, venue's or bank's code: H44010090001, T-MUS-SZ, ICBC. */
  code: /^[A-Z][A-Z0-9-]{1,23}$/,
  /** A client id of the register: city-440100, dept-hr, governance. */
  client: /^[a-z][a-z0-9-]{0,63}$/,
  /** A schema coordinate: MedicalVisit.diagnoses. */
  coordinate: /^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$/,
  /** An amount of money in yuan, as the schema writes it: 2.50. */
  amount: /^\d{1,7}(\.\d{1,2})?$/,
  /** A page size. */
  count: /^\d{1,4}$/,
} as const;

export type KeptShape = keyof typeof KEPT_SHAPES;

const PAGED = [
  'preferentialCertificates',
  'reliefEntitlements',
  'venueAdmissions',
  'libraryLoans',
  'medicalVisits',
  'healthRecords',
  'rides',
  'socialInsuranceEnrolments',
  'socialInsuranceContributions',
  'employmentPeriods',
  'trainingRecords',
  'qualifications',
  'labourContracts',
];

/**
 * What is kept, by coordinate. Left out on purpose: birth dates, settlement and relief amounts, disability levels
 * (personal data however harmless their shape), stations and lines (where a card was), names and free text, and every
 * identifier (ID, card, account, certificate numbers; cursors; idempotency keys): governance matches those by hash.
 */
export const KEPT_COORDINATES: ReadonlyMap<string, KeptShape> = new Map<string, KeptShape>([
  // Where and when a service was given.
  ['ServedAt.city', 'city'],
  ['ApplyForCardInput.issuingAuthority', 'city'],
  ['RegisterHolderInput.registeredCity', 'city'],
  ['GrantReliefInput.city', 'city'],
  ['LoadTransitFunctionInput.city', 'city'],
  ['UnloadTransitFunctionInput.city', 'city'],
  ['RideInput.city', 'city'],
  ['RegisterVenueInput.city', 'city'],
  ['RegisterMedicalInstitutionInput.city', 'city'],
  ['Query.venues(city:)', 'city'],
  ['Query.medicalInstitutions(city:)', 'city'],
  ['Query.rideAuthorization(city:)', 'city'],
  ['EnrolSocialInsuranceInput.city', 'city'],
  ['RecordEmploymentPeriodInput.city', 'city'],
  ['RecordDrivingLicenceInput.issuer', 'city'],
  ['CreateCatalogDraftInput.scope', 'city'],
  ['RegisterCredentialInput.city', 'city'],
  ['Query.catalog(city:)', 'city'],
  ['Query.catalog(asOf:)', 'date'],
  ['PublishCatalogVersionInput.effectiveFrom', 'date'],
  ['EnrolSocialInsuranceInput.startDate', 'date'],
  ['EnrolSocialInsuranceInput.endDate', 'date'],
  ['ChangeEnrolmentStatusInput.endDate', 'date'],
  ['RecordEmploymentPeriodInput.startDate', 'date'],
  ['RecordEmploymentPeriodInput.endDate', 'date'],
  ['RecordTrainingInput.completedOn', 'date'],
  ['RecordQualificationInput.awardedOn', 'date'],
  ['RecordLabourContractInput.startDate', 'date'],
  ['RecordLabourContractInput.endDate', 'date'],
  ['RecordLabourContractInput.signedAt', 'date'],
  ['RecordDrivingLicenceInput.validFrom', 'date'],
  ['RecordDrivingLicenceInput.validUntil', 'date'],
  ['RenewDrivingLicenceInput.validFrom', 'date'],
  ['RenewDrivingLicenceInput.validUntil', 'date'],
  ['RecordResidentIdCardInput.validFrom', 'date'],
  ['RecordResidentIdCardInput.validUntil', 'date'],
  ['Query.complianceReport(days:)', 'count'],
  ['AdmissionInput.admittedAt', 'date'],
  ['RideInput.occurredAt', 'date'],
  ['RecordMedicalVisitInput.visitedAt', 'date'],
  ['RecordMedicalVisitInput.admittedAt', 'date'],
  ['RecordMedicalVisitInput.dischargedAt', 'date'],
  ['SettlementInput.settledAt', 'date'],
  ['RecordHealthRecordInput.recordedAt', 'date'],
  ['RecordLibraryLoanInput.borrowedAt', 'date'],
  ['RecordLibraryLoanInput.dueAt', 'date'],
  ['ReturnLibraryLoanInput.returnedAt', 'date'],
  ['IssueCertificateInput.validFrom', 'date'],
  ['IssueCertificateInput.validUntil', 'date'],
  ['GrantReliefInput.periodStart', 'date'],
  ['GrantReliefInput.periodEnd', 'date'],
  ['AccessLogFilter.from', 'date'],
  ['AccessLogFilter.to', 'date'],
  ['Query.clientActivity(from:)', 'date'],
  ['Query.clientActivity(to:)', 'date'],
  ['Query.anomalies(from:)', 'date'],
  ['Query.anomalies(to:)', 'date'],
  ...PAGED.flatMap((list): [string, KeptShape][] => [
    [`Holder.${list}(from:)`, 'date'],
    [`Holder.${list}(to:)`, 'date'],
    [`Holder.${list}(first:)`, 'count'],
  ]),
  ['Query.accessLog(first:)', 'count'],
  // Which institution, venue or bank: public codes.
  ['ApplyForCardInput.bankCode', 'code'],
  ['SwitchBankInput.bankCode', 'code'],
  ['RegisterBankInput.code', 'code'],
  ['AdmissionInput.venueCode', 'code'],
  ['RecordLibraryLoanInput.venueCode', 'code'],
  ['RegisterVenueInput.code', 'code'],
  ['Query.venue(code:)', 'code'],
  ['RecordMedicalVisitInput.institutionCode', 'code'],
  ['RecordHealthRecordInput.institutionCode', 'code'],
  ['RegisterMedicalInstitutionInput.code', 'code'],
  // A public tariff.
  ['RideInput.fare', 'amount'],
  // The register's clients and the schema's coordinates, as governance asks about them.
  ['AccessLogFilter.client', 'client'],
  ['AccessLogFilter.coordinate', 'coordinate'],
  ['Query.clientActivity(clientId:)', 'client'],
  ['Mutation.suspendClient(clientId:)', 'client'],
  ['Mutation.reinstateClient(clientId:)', 'client'],
]);
