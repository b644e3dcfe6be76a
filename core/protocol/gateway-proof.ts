// Proof that a subgraph call comes from the hub: the gateway (and a subgraph asking another, such as health
// asking hr about a card) signs each call with the secret it shares with the subgraphs. The signature covers
// the time, a one-off nonce, the method and target, the caller's claims and the exact body: a captured header
// cannot carry another query, another caller or another method, it expires, and it is good for one call only.
// Subgraphs refuse anything else: the gateway's policy cannot be walked around by calling their ports.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

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
  /** X-Place: the desk, counter or terminal the operator acts at; absent for a subgraph's own lookups. */
  place?: string | null;
}

/** How long a signature is good for: the hub's processes share a clock, or NTP-synchronised ones. */
export const SIGNATURE_LIFETIME_MS = 30_000;

/** What a signature covers besides the secret. */
export interface SignedCall {
  method: string;
  /** Path and query string, e.g. `/graphql`. */
  target: string;
  /** The CALLER_HEADER value. */
  caller: string;
  body: string;
}

const mac = (secret: string, timestamp: string, nonce: string, call: SignedCall) =>
  createHmac('sha256', secret)
    .update(`${timestamp}\n${nonce}\n${call.method.toUpperCase()}\n${call.target}\n${call.caller}\n`)
    .update(call.body)
    .digest();

/** The CALLER_HEADER value for these claims. */
export const encodeClaims = (claims: CallerClaims) => Buffer.from(JSON.stringify(claims)).toString('base64url');

const NONCE_BYTES = 12;
// Nonces are cut from a block of random bytes drawn at once (as Node's randomUUID does), not drawn one call at a
// time: the same generator, each byte used once, without a trip into OpenSSL for every subgraph call.
const NONCE_BLOCK = NONCE_BYTES * 256;
let nonceBlock = Buffer.alloc(0);
let nonceAt = 0;

function nextNonce(): string {
  if (nonceAt + NONCE_BYTES > nonceBlock.length) {
    nonceBlock = randomBytes(NONCE_BLOCK);
    nonceAt = 0;
  }
  const nonce = nonceBlock.toString('base64url', nonceAt, nonceAt + NONCE_BYTES);
  nonceAt += NONCE_BYTES;
  return nonce;
}

/** The SIGNATURE_HEADER value for a call. */
export function signatureFor(secret: string, call: SignedCall, now = Date.now()): string {
  const timestamp = String(now);
  const nonce = nextNonce();
  return `t=${timestamp},n=${nonce},s=${mac(secret, timestamp, nonce, call).toString('hex')}`;
}

export class ProofError extends Error {
  override name = 'ProofError';
}

/**
 * Checks signed calls for one subgraph process, remembering the nonces it has accepted while their signatures
 * are fresh (two generations of sets, swapped every lifetime: memory bounded by the call rate).
 */
export class CallVerifier {
  private current = new Set<string>();
  private previous = new Set<string>();
  private rotatedAt = Date.now();

  constructor(private readonly secret: string) {}

  /** The claims of a signed call; throws ProofError when it is unsigned, tampered with, stale or replayed. */
  verify(
    headers: Record<string, string | string[] | undefined>,
    call: Omit<SignedCall, 'caller'>,
    now = Date.now(),
  ): CallerClaims {
    const caller = headers[CALLER_HEADER];
    const signature = headers[SIGNATURE_HEADER];
    if (typeof caller !== 'string' || typeof signature !== 'string') throw new ProofError('unsigned call');
    const parts = /^t=(\d{1,15}),n=([\w-]{16}),s=([0-9a-f]{64})$/.exec(signature);
    if (!parts) throw new ProofError('malformed signature');
    const [, timestamp, nonce, hex] = parts as unknown as [string, string, string, string];
    if (!timingSafeEqual(mac(this.secret, timestamp, nonce, { ...call, caller }), Buffer.from(hex, 'hex')))
      throw new ProofError('bad signature');
    if (Math.abs(now - Number(timestamp)) > SIGNATURE_LIFETIME_MS) throw new ProofError('stale signature');
    if (now - this.rotatedAt > SIGNATURE_LIFETIME_MS) {
      [this.previous, this.current, this.rotatedAt] = [this.current, new Set(), now];
    }
    if (this.current.has(nonce) || this.previous.has(nonce)) throw new ProofError('replayed signature');
    this.current.add(nonce);
    try {
      return JSON.parse(Buffer.from(caller, 'base64url').toString('utf8')) as CallerClaims;
    } catch {
      throw new ProofError('malformed caller');
    }
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
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body = typeof init.body === 'string' ? init.body : '';
    headers.set(
      SIGNATURE_HEADER,
      signatureFor(secret, { method: init.method ?? 'GET', target: url.pathname + url.search, caller, body }),
    );
    return fetch(input, { ...init, headers });
  };
}
