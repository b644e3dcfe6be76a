// What the fault tests share: holders registered through the real gateway, requests that touch hr (holder data)
// and one other department, and the checks every fault ends with (every answer with holder data audited, the chain
// verifying).
import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { gatewayCaller, type GraphQLResponse } from '../../support/hub.js';
import { idNumber, randomBirth } from '../../support/identities.js';
import type { ProcessHub } from '../../support/processes.js';

export const HR = { client: 'dept-hr', purpose: 'HR_SERVICE' };

/** Registers `n` holders through the gateway; their ID numbers. */
export async function registerHolders(hub: ProcessHub, n: number): Promise<string[]> {
  const hr = gatewayCaller(hub.gatewayUrl, HR);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = idNumber('440106', randomBirth());
    await hr.ok(`mutation($input: RegisterHolderInput!) { registerHolder(input: $input) { id } }`, {
      input: {
        idempotencyKey: randomUUID(),
        idType: 'RESIDENT_ID',
        idNumber: id,
        name: '陈小明',
        registeredCity: '440100',
      },
    });
    ids.push(id);
  }
  return ids;
}

export interface Answer {
  name: string;
  ms: number;
  body: GraphQLResponse;
}

let counter = 0;

/** culture-tourism's field of a holder (nullable: when it fails, hr's fields still answer). */
export const VENUE_FIELD = 'venueAdmissions(first: 1) { nodes { concession } }';

/** A holder's name (hr) and `other` fields of it, under an operation name of its own (to find its audit record). */
/** `n` requests at once, spread over `ids`: the load each fault test puts on the hub. */
export const askRound = (hub: ProcessHub, ids: string[], n: number): Promise<Answer[]> =>
  Promise.all(Array.from({ length: n }, (_, i) => ask(hub, ids[i % ids.length]!)));

export async function ask(hub: ProcessHub, id: string, other = VENUE_FIELD): Promise<Answer> {
  const name = `Fault_${process.pid}_${++counter}`;
  const started = Date.now();
  const body = await gatewayCaller(hub.gatewayUrl).query(
    `query ${name}($id: String!) { holder(idNumber: $id) { name ${other} } }`,
    { id },
  );
  return { name, ms: Date.now() - started, body };
}

/** A holder's name as an automatic persisted query: the document and its hash, or (`byHash`) the hash alone. */
export async function askPersisted(hub: ProcessHub, id: string, name: string, byHash: boolean): Promise<Answer> {
  const query = `query ${name}($id: String!) { holder(idNumber: $id) { name } }`;
  const sha256Hash = createHash('sha256').update(query).digest('hex');
  const started = Date.now();
  const { body } = await gatewayCaller(hub.gatewayUrl).send({
    ...(byHash ? {} : { query }),
    variables: { id },
    extensions: { persistedQuery: { version: 1, sha256Hash } },
  });
  return { name, ms: Date.now() - started, body };
}

/** Every error carries a code, and nothing of a subgraph's answer (URL, status, body). */
export function expectCodedErrors(answers: Answer[]) {
  for (const { body } of answers) {
    for (const error of body.errors ?? []) {
      expect(error.extensions?.code).toMatch(/^[A-Z_]+$/);
      expect(error.extensions).not.toHaveProperty('response');
      expect(JSON.stringify(error)).not.toMatch(/127\.0\.0\.1|https?:/);
    }
  }
}

/** The codes and services of an answer's errors. */
export const failures = (a: Answer) =>
  (a.body.errors ?? []).map((e) => `${String(e.extensions?.code)}:${String(e.extensions?.serviceName ?? '')}`);

/**
 * Stops the gateway (embedded, its database is read only then) and checks that every answer that carried holder
 * data has its audit record, and that `npm run audit:verify` passes.
 */
export async function expectAudited(hub: ProcessHub, answers: Answer[]) {
  await hub.stopGateway();
  const records = await hub.auditRecords();
  const recorded = new Map<string | null, number>();
  for (const r of records) recorded.set(r.operationName, (recorded.get(r.operationName) ?? 0) + 1);
  const withData = new Map<string, number>();
  for (const a of answers) if (a.body.data?.holder?.name) withData.set(a.name, (withData.get(a.name) ?? 0) + 1);
  expect(withData.size).toBeGreaterThan(0);
  // As many records as answers with data, at least, under each operation name.
  expect([...withData].filter(([name, n]) => (recorded.get(name) ?? 0) < n)).toEqual([]);
  const verified = hub.verifyAudit();
  expect(verified.output).toMatch(/verify/);
  expect(verified.status, verified.output).toBe(0);
}
