// Proof that a subgraph call comes from the hub: the gateway (and a subgraph asking another, such as health
// asking hr about a card) signs each call with the secret it shares with the subgraphs. The signature covers
// the caller's claims, the time and the exact body, so a captured header cannot carry another query or another
// caller, and an old one expires. Subgraphs refuse unsigned calls: the gateway's policy cannot be walked around.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CLOCK_SKEW_MS } from './time.js';

export const CALLER_HEADER = 'x-ykt-caller';
export const SIGNATURE_HEADER = 'x-ykt-signature';

/** Who a subgraph is answering, as the gateway established it. */
export interface CallerClaims {
  requestId: string;
  /** A register client id, or `subgraph:<name>` for a subgraph's own lookups. */
  client: string;
  /** PROVINCE, CITY, DEPARTMENT, GOVERNANCE, or SUBGRAPH. */
  kind: string;
  city: string | null;
  domain: string | null;
  purpose: string | null;
  operator: string | null;
  caseRef: string | null;
}

const mac = (secret: string, timestamp: string, caller: string, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${caller}.`).update(body).digest();

/** The CALLER_HEADER value for these claims. */
export const encodeClaims = (claims: CallerClaims) => Buffer.from(JSON.stringify(claims)).toString('base64url');

/** The SIGNATURE_HEADER value for a call with this caller header and body. */
export function signatureFor(secret: string, caller: string, body: string, now = Date.now()): string {
  const timestamp = String(now);
  return `t=${timestamp},s=${mac(secret, timestamp, caller, body).toString('hex')}`;
}

export class ProofError extends Error {
  override name = 'ProofError';
}

/** The claims of a signed call; throws ProofError when the call is unsigned, tampered with, or stale. */
export function verifyCall(secret: string, headers: Record<string, string | string[] | undefined>, body: string, now = Date.now()): CallerClaims {
  const caller = headers[CALLER_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (typeof caller !== 'string' || typeof signature !== 'string') throw new ProofError('unsigned call');
  const parts = /^t=(\d{1,15}),s=([0-9a-f]{64})$/.exec(signature);
  if (!parts) throw new ProofError('malformed signature');
  const [, timestamp, hex] = parts as unknown as [string, string, string];
  if (!timingSafeEqual(mac(secret, timestamp, caller, body), Buffer.from(hex, 'hex'))) throw new ProofError('bad signature');
  // Machines' clocks differ a little; a signature older than that is a replay.
  if (Math.abs(now - Number(timestamp)) > CLOCK_SKEW_MS) throw new ProofError('stale signature');
  try {
    return JSON.parse(Buffer.from(caller, 'base64url').toString('utf8')) as CallerClaims;
  } catch {
    throw new ProofError('malformed caller');
  }
}

/**
 * A fetch that signs each call over the CALLER_HEADER its sender set and the body, for @apollo/gateway's data
 * sources and the subgraphs' own lookups. Node's fetch keeps connections alive between calls.
 */
export function signingFetch(secret: string): typeof fetch {
  return (input, init = {}) => {
    const headers = new Headers(init.headers);
    const caller = headers.get(CALLER_HEADER);
    if (!caller) return Promise.reject(new Error(`a subgraph call must carry ${CALLER_HEADER}`));
    headers.set(SIGNATURE_HEADER, signatureFor(secret, caller, typeof init.body === 'string' ? init.body : ''));
    return fetch(input, { ...init, headers });
  };
}
