// The scenarios the bench measures (a turnstile's ride decision, one holder and 100 holders across all five
// departments), each a GraphQL operation with variables drawn at random per request from the seeded data set, so
// that no cache or in-flight deduplication can flatter a result. The documents are the tests' own
// (test/support/queries.ts): the batching test counts the statements scenario 3 costs.
import { rowsOf, type Db } from '../core/database.js';
import { sql } from 'drizzle-orm';
import { CITY_CODES } from '../subgraphs/kit/cities.js';
import { signQr } from '../subgraphs/hr/qr-codes.js';
import { readQrKeys } from '../subgraphs/hr/qr-keys.js';
import { HOLDER_ALL_DOMAINS, HOLDERS_ALL_DOMAINS, RIDE_DECISION } from '../test/support/queries.js';

/** What the variables are drawn from: read from the seeded database before the subgraphs start. */
export interface DataSet {
  cardNumbers: string[];
  idNumbers: string[];
  /** Active cards with their holders: what a QR code names (scenario 7). */
  activeCards: { cardNumber: string; holderId: string }[];
}

export interface Scenario {
  id: string;
  title: string;
  query: string;
  variables(data: DataSet): Record<string, unknown>;
  /** Headers of its own over the subject's (scenario 7's purpose, operator and place). */
  headers?: Record<string, string>;
  /** Run just before the scenario is measured (scenario 7 signs its codes then, so none has expired). */
  prepare?(): Promise<void>;
}

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

function sample<T>(list: readonly T[], n: number): T[] {
  const chosen = new Set<number>();
  while (chosen.size < Math.min(n, list.length)) chosen.add(Math.floor(Math.random() * list.length));
  return [...chosen].map((i) => list[i]!);
}

export const SCENARIOS: Scenario[] = [
  {
    id: '1',
    title: 'rideAuthorization',
    query: `query Ride($card: String!, $city: String!) { rideAuthorization(cardNumber: $card, city: $city, mode: METRO) { ${RIDE_DECISION} } }`,
    variables: (d) => ({ card: pick(d.cardNumbers), city: pick(CITY_CODES) }),
  },
  {
    id: '2',
    title: '1 holder, all five subgraphs',
    query: HOLDER_ALL_DOMAINS,
    variables: (d) => ({ id: pick(d.idNumbers) }),
  },
  {
    id: '3',
    title: '100 holders, all five subgraphs',
    query: HOLDERS_ALL_DOMAINS,
    variables: (d) => ({ ids: sample(d.idNumbers, 100) }),
  },
];

/** The seeded holders' ID numbers and card numbers. */
export async function readDataSet(db: Db): Promise<DataSet> {
  const holders = await rowsOf<{ id_number: string }>(db, sql`select id_number from hr.holders`);
  const cards = await rowsOf<{ card_number: string; holder_id: string; status: string }>(
    db,
    sql`select card_number, holder_id, status::text as status from hr.cards`,
  );
  return {
    idNumbers: holders.map((h) => h.id_number),
    cardNumbers: cards.map((c) => c.card_number),
    activeCards: cards
      .filter((c) => c.status === 'ACTIVE')
      .map((c) => ({ cardNumber: c.card_number, holderId: c.holder_id })),
  };
}

/** A card as transport's RideAuthorization @requires sees it: its status and its holder's valid concession certificates. */
export interface RideCard {
  cardNumber: string;
  status: string;
  expiresOn: string | null;
  concessionCertificates: { kind: string; disabilityLevel: number | null; validUntil: string | null }[];
}

/** Each seeded card with what the hub's query plan would fetch from hr and civil affairs for scenario 1. */
export async function readRideCards(db: Db): Promise<RideCard[]> {
  const rows = await rowsOf<{ card_number: string; status: string; expires_on: string | null; certs: unknown }>(
    db,
    sql`
    select c.card_number, c.status::text as status, c.expires_on::text as expires_on, coalesce((
      select json_agg(json_build_object('kind', x.kind, 'disabilityLevel', x.disability_level, 'validUntil', x.valid_until))
      from civil_affairs.certificates x
      where x.holder_id = c.holder_id and x.status = 'VALID' and x.valid_from <= current_date
        and (x.valid_until is null or x.valid_until >= current_date)), '[]'::json) as certs
    from hr.cards c`,
  );
  return rows.map((r) => ({
    cardNumber: r.card_number,
    status: r.status,
    expiresOn: r.expires_on,
    concessionCertificates: (typeof r.certs === 'string'
      ? JSON.parse(r.certs)
      : r.certs) as RideCard['concessionCertificates'],
  }));
}

/**
 * Scenario 1 asked of the transport subgraph directly, for the p99 target (the hub's p99 at most 2× this one's).
 * The fairest equivalent of what the hub asks transport: the `_entities` call for RideAuthorization that the hub's
 * query plan ends with, the one that decides the ride (transit functions, concession rules), with the @requires
 * fields (card status, the holder's valid concession certificates) supplied in the representation as hr and civil
 * affairs would have answered them (read from the seeded data for the card drawn). Same random card and city per
 * request, same selection.
 */
export function transportDirectScenario(cards: RideCard[]): Scenario {
  return {
    id: '1',
    title: 'rideAuthorization, transport _entities direct',
    query: `query Ride($representations: [_Any!]!) { _entities(representations: $representations) { ... on RideAuthorization { ${RIDE_DECISION} } } }`,
    variables: () => {
      const card = pick(cards);
      return {
        representations: [
          {
            __typename: 'RideAuthorization',
            cardNumber: card.cardNumber,
            city: pick(CITY_CODES),
            mode: 'METRO',
            card: {
              status: card.status,
              expiresOn: card.expiresOn,
              holder: { concessionCertificates: card.concessionCertificates },
            },
          },
        ],
      };
    },
  };
}

/** What a hotel front desk asks (scenario 7): the hub's identity check on a QR code, each code presented once. */
export const VERIFY_QR = `query Verify($payload: String!) { verifyCardQr(payload: $payload) { method cardKind cardStatus issuingAuthority name idNumber } }`;

/**
 * Scenario 7: verifyCardQr, each request a fresh code. Codes verify once and live 60 s, so they are signed (with
 * the stack's own QR key, as hr would sign them) just before the scenario is measured and handed out in turn:
 * `count` must cover its every request (warm-up and rounds, well inside 60 s), or the reused ones answer
 * QR_REPLAYED and count as errors.
 */
export async function qrScenario(data: DataSet, qrSigningKeys: string, count: number): Promise<Scenario> {
  const keys = readQrKeys({ QR_SIGNING_KEYS: qrSigningKeys });
  let payloads: string[] = [];
  let next = 0;
  const sign = async (n: number) => {
    const fresh: string[] = [];
    for (let i = 0; i < n; i++) fresh.push((await signQr(keys, pick(data.activeCards), 60)).payload);
    [payloads, next] = [fresh, 0];
  };
  await sign(16); // for the probe
  return {
    prepare: () => sign(count),
    id: '7',
    title: 'verifyCardQr (front desk identity check)',
    query: VERIFY_QR,
    variables: () => ({ payload: payloads[next++ % payloads.length] }),
    headers: { 'x-purpose': 'IDENTITY_VERIFICATION', 'x-operator': 'desk-0001', 'x-place': 'hotel-440100-0001' },
  };
}
