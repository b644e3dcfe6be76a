// An audit record names the departments that failed to answer (access.unanswered): the serviceName of each
// SUBGRAPH_UNAVAILABLE or SUBGRAPH_TIMEOUT error, once each, sorted; nothing for other errors or for a name that is
// not a subgraph's (an error's extensions are a subgraph's to fill).
import { describe, expect, it } from 'vitest';
import { buildAuditRecord, type RequestFacts } from '../../../../gateway/audit/record.js';

const facts = (errors: RequestFacts['errors']): RequestFacts =>
  ({
    caller: {
      requestId: '00000000-0000-4000-8000-000000000001',
      client: { id: 'province', kind: 'PROVINCE', city: null },
      operator: 'clerk-0001',
      caseRef: null,
      place: null,
      purpose: 'HOLDER_SELF_SERVICE',
    },
    startedAt: Date.now(),
    executed: true,
    operationType: 'query',
    operationName: null,
    documentHash: 'x'.repeat(64),
    variables: {},
    errors,
    hasData: true,
    access: undefined,
    denied: [],
  }) as unknown as RequestFacts;

describe('the audit record of an answer a department failed', () => {
  it('names each department that did not answer, once, sorted', () => {
    const record = buildAuditRecord(
      facts([
        { extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'transport' } },
        { extensions: { code: 'SUBGRAPH_TIMEOUT', serviceName: 'culture-tourism' } },
        { extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'transport' } },
      ]),
    );
    expect(record.access.unanswered).toEqual(['culture-tourism', 'transport']);
    expect(record.errorCodes.sort()).toEqual(['SUBGRAPH_TIMEOUT', 'SUBGRAPH_UNAVAILABLE']);
  });

  it('says nothing for other errors, names that are no subgraph name, or none at all', () => {
    const record = buildAuditRecord(
      facts([
        { extensions: { code: 'FORBIDDEN', serviceName: 'health' } },
        { extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: "'; drop table x" } },
        { extensions: { code: 'SUBGRAPH_UNAVAILABLE' } },
      ]),
    );
    expect(record.access).not.toHaveProperty('unanswered');
    expect(buildAuditRecord(facts(undefined)).access).not.toHaveProperty('unanswered');
  });
});
