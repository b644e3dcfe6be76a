// Department subgraphs own no holder data: to check that a write names a real holder or card, they ask the HR
// subgraph, which owns both, through its federation entity resolver (one call for a whole batch). Governance asks
// it the same way where holders are registered, and through hr's own lookup whose ID number is whose.
import { randomUUID } from 'node:crypto';
import { isCardNumber, normalizeCardNumber } from './card-number.js';
import { readSubgraphSecret, readSubgraphUrl, type Env } from '../../core/config.js';
import { CALLER_HEADER, encodeClaims, signingFetch } from '../../core/protocol/gateway-proof.js';
import { ErrorCode, badInput, hubError } from '../../core/protocol/errors.js';
import { isUuid, quote } from './text.js';

export interface CardFacts {
  cardNumber: string;
  kind: 'PHYSICAL' | 'ELECTRONIC';
  status: string;
  /** `YYYY-MM-DD`; null for a card not yet issued. Past it, an ACTIVE card no longer proves who holds it. */
  expiresOn: string | null;
  holderId: string;
}

const TIMEOUT_MS = 5_000;
/** Representations per `_entities` call: a governance sweep may ask about tens of thousands of holders. */
const ENTITY_CHUNK = 1_000;

interface HrError {
  message: string;
  extensions?: { code?: string };
}

function unavailable(detail: unknown) {
  console.error('hr lookup failed:', detail instanceof Error ? detail.message : detail);
  return hubError(
    ErrorCode.SUBGRAPH_UNAVAILABLE,
    'The hr service is unavailable to check holders and cards; try again shortly',
    { serviceName: 'hr' },
  );
}

export class HrClient {
  private readonly fetch: typeof fetch;

  /** `from`: the subgraph asking; hr sees its calls signed as `subgraph:<from>`, like the gateway's own. */
  constructor(
    private readonly url: string,
    secret: string,
    private readonly from: string,
  ) {
    this.fetch = signingFetch(secret);
  }

  /** hr at `HR_URL`, else its default local port. */
  static fromEnv(env: Env, from: string): HrClient {
    return new HrClient(readSubgraphUrl(env, 'hr', 4001), readSubgraphSecret(env), from);
  }

  private caller(): string {
    return encodeClaims({
      requestId: randomUUID(),
      client: `subgraph:${this.from}`,
      kind: 'SUBGRAPH',
      city: null,
      domain: this.from,
      purpose: null,
      operator: null,
      caseRef: null,
    });
  }

  /** Posts one operation to hr, signed as this subgraph; network failures and non-JSON answers are hr unavailable. */
  private async post<T>(query: string, variables: Record<string, unknown>): Promise<{ data?: T; errors?: HrError[] }> {
    try {
      const res = await this.fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [CALLER_HEADER]: this.caller() },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const body = (await res.json()) as { data?: T; errors?: HrError[] };
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return body;
    } catch (error) {
      throw unavailable(error);
    }
  }

  private async entities<T>(representations: Record<string, string>[], selection: string): Promise<(T | null)[]> {
    if (representations.length === 0) return [];
    const body = await this.post<{ _entities: (T | null)[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`,
      { r: representations },
    );
    // A partial answer (some entities failed) must not read as "no such card": that would be refused, and the
    // refusal stored under the write's idempotency key for every retry.
    if (!body.data?._entities || body.errors?.length)
      throw unavailable(body.errors?.map((e) => e.message).join('; ') ?? 'no data');
    return body.data._entities;
  }

  /** The cards with these numbers, by number; unknown and malformed numbers are absent. */
  async cards(cardNumbers: readonly string[]): Promise<Map<string, CardFacts>> {
    const wanted = [...new Set(cardNumbers.map(normalizeCardNumber).filter(isCardNumber))];
    const found = await this.entities<Omit<CardFacts, 'holderId'> & { holder: { id: string } }>(
      wanted.map((cardNumber) => ({ __typename: 'Card', cardNumber })),
      '... on Card { cardNumber kind status expiresOn holder { id } }',
    );
    const cards = new Map<string, CardFacts>();
    for (const { holder, ...card } of found.filter((c) => c !== null))
      cards.set(card.cardNumber, { ...card, holderId: holder.id });
    return cards;
  }

  /** Which of these holder ids exist. */
  async existingHolders(ids: readonly string[]): Promise<Set<string>> {
    const wanted = [...new Set(ids.filter(isUuid))];
    const found = await this.entities<{ id: string }>(
      wanted.map((id) => ({ __typename: 'Holder', id })),
      '... on Holder { id }',
    );
    return new Set(found.flatMap((h) => (h ? [h.id] : [])));
  }

  /** The city each of these holders is registered in, by id; unknown ids are absent. */
  async registeredCities(ids: readonly string[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter(isUuid))];
    const cities = new Map<string, string>();
    for (let i = 0; i < wanted.length; i += ENTITY_CHUNK) {
      const found = await this.entities<{ id: string; registeredCity: string }>(
        wanted.slice(i, i + ENTITY_CHUNK).map((id) => ({ __typename: 'Holder', id })),
        '... on Holder { id registeredCity }',
      );
      for (const h of found) if (h) cities.set(h.id, h.registeredCity);
    }
    return cities;
  }

  /**
   * The id of the holder registered with this identity document number; null when nobody is. A number hr cannot
   * read is BAD_USER_INPUT naming `field`. (Holders are keyed by id, so this asks hr's own `holder` lookup.)
   */
  async holderIdByIdNumber(idNumber: string, field = 'idNumber'): Promise<string | null> {
    const body = await this.post<{ holder: { id: string } | null }>(
      'query($n: String!) { holder(idNumber: $n) { id } }',
      { n: idNumber },
    );
    const code = body.errors?.[0]?.extensions?.code;
    if (code === ErrorCode.HOLDER_NOT_FOUND) return null;
    if (code === ErrorCode.BAD_USER_INPUT) throw badInput(body.errors![0]!.message, field);
    if (!body.data?.holder || body.errors?.length)
      throw unavailable(body.errors?.map((e) => e.message).join('; ') ?? 'no data');
    return body.data.holder.id;
  }
}

/** The card a write names, or CARD_NOT_FOUND. */
export async function requireCard(hr: HrClient, cardNumber: string): Promise<CardFacts> {
  const card = (await hr.cards([cardNumber])).get(cardNumber.trim().toUpperCase());
  if (!card) throw hubError(ErrorCode.CARD_NOT_FOUND, `No card with number ${quote(cardNumber)}`);
  return card;
}

/** How a department write names a holder: by opaque id, or by a card the holder presented. Exactly one. */
export interface HolderRef {
  id?: string | null;
  cardNumber?: string | null;
}

/** The holder id a reference names, checked against hr: HOLDER_NOT_FOUND / CARD_NOT_FOUND when unknown. */
export async function resolveHolderRef(hr: HrClient, ref: HolderRef): Promise<string> {
  if ((ref.id ? 1 : 0) + (ref.cardNumber ? 1 : 0) !== 1)
    throw badInput('holder must give exactly one of id and cardNumber', 'holder');
  if (ref.cardNumber) return (await requireCard(hr, ref.cardNumber)).holderId;
  if (!(await hr.existingHolders([ref.id!])).has(ref.id!))
    throw hubError(ErrorCode.HOLDER_NOT_FOUND, `No holder with id ${quote(ref.id!)}`);
  return ref.id!;
}
