// Every request's first steps, on its headers alone, before its body is read (the HTTP front's `admit`): who is
// calling (a valid token of an active client), how often (its rate limit), and why (a purpose it may use, with the
// operator and case the purpose asks for). A refusal here never reaches a subgraph, nor waits on an upload.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RefusedRequest } from '../core/http.js';
import { ErrorCode } from '../core/protocol/errors.js';
import { verifyToken, TokenError } from './auth/tokens.js';
import type { TokenSettings, VerificationKey } from './auth/token-keys.js';
import type { Caller, GatewayContext } from './caller.js';
import type { Client } from '../store/clients/client.js';
import type { ClientRegister } from './clients/register.js';
import type { RateLimiter } from './limits/rate-limiter.js';
import { callerHeaderOf } from './subgraph-calls/caller-header.js';
import { isPurpose, PURPOSE_REQUIREMENTS, PURPOSES, type Purpose } from '../schema/policy/purposes.js';

export interface ContextDependencies {
  key: VerificationKey;
  tokens: TokenSettings;
  register: ClientRegister;
  limiter: RateLimiter;
  /**
   * Told of a client declaring a purpose outside its list: an attempt at holder data beyond its mandate, which the
   * audit records (and governance counts as a denial) though no operation runs.
   */
  onPurposeRefused?: (caller: Caller, startedAt: number) => void;
}

/** A refusal with its HTTP status, answered by the HTTP front before the request's body is read. */
function refuse(
  code: ErrorCode,
  status: number,
  message: string,
  extensions: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): RefusedRequest {
  return new RefusedRequest(status, code, message, { extensions, headers });
}

const unauthenticated = (why: string) =>
  refuse(
    ErrorCode.UNAUTHENTICATED,
    401,
    `Not authenticated: ${why}`,
    {},
    { 'www-authenticate': 'Bearer realm="ykt-hub"' },
  );

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function authenticate(req: IncomingMessage, deps: ContextDependencies): Promise<Client> {
  const authorization = headerOf(req, 'authorization');
  if (!authorization)
    throw unauthenticated('send Authorization: Bearer <token> (npm run token -- <clientId> makes one for local use)');
  const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(authorization.trim());
  if (!match) throw unauthenticated('the Authorization header is not "Bearer <JWT>"');
  let clientId: string;
  try {
    clientId = await verifyToken(match[1]!, deps.key, deps.tokens);
  } catch (error) {
    if (error instanceof TokenError) throw unauthenticated(error.message);
    throw error;
  }
  const client = deps.register.get(clientId);
  // Unknown and suspended read alike from outside: the caller learns nothing about the register.
  if (!client || client.status !== 'ACTIVE')
    throw unauthenticated(`client "${clientId}" is not an active client of the hub`);
  return client;
}

/** X-Operator, X-Case-Ref and X-Place: identifiers, not free text (they travel into audit records). */
const REFERENCE = /^[\p{L}\p{N}][\p{L}\p{N}._:/#-]{0,127}$/u;

function readReference(req: IncomingMessage, header: string, purpose: Purpose, required: boolean): string | null {
  const value = headerOf(req, header)?.trim();
  if (!value) {
    if (required) throw refuse(ErrorCode.BAD_REQUEST, 400, `Purpose ${purpose} needs the ${header} header`, { header });
    return null;
  }
  if (!REFERENCE.test(value)) {
    throw refuse(
      ErrorCode.BAD_REQUEST,
      400,
      `${header} must be 1 to 128 letters, digits and . _ : / # - (starting with a letter or digit)`,
      { header },
    );
  }
  return value;
}

/** A reference header's value when well formed, else null: for the record of a refused request. */
function validReference(req: IncomingMessage, header: string): string | null {
  const value = headerOf(req, header)?.trim();
  return value && REFERENCE.test(value) ? value : null;
}

function declaredPurpose(req: IncomingMessage, client: Client, refused: (purpose: Purpose) => void): Purpose {
  const raw = headerOf(req, 'x-purpose')?.trim();
  if (!raw)
    throw refuse(
      ErrorCode.BAD_REQUEST,
      400,
      `Declare the request's purpose in the X-Purpose header: one of ${PURPOSES.join(', ')}`,
      { header: 'x-purpose' },
    );
  if (!isPurpose(raw))
    throw refuse(
      ErrorCode.BAD_REQUEST,
      400,
      `Unknown purpose "${raw.slice(0, 40)}": use one of ${PURPOSES.join(', ')}`,
      { header: 'x-purpose' },
    );
  if (!client.purposes.includes(raw)) {
    refused(raw);
    throw refuse(ErrorCode.FORBIDDEN, 403, `Client ${client.id} may not access holder data for purpose ${raw}`, {
      purpose: raw,
      allowed: client.purposes,
    });
  }
  return raw;
}

export function contextFactory(deps: ContextDependencies): (req: IncomingMessage) => Promise<GatewayContext> {
  return async (req) => {
    const startedAt = Date.now();
    const client = await authenticate(req, deps);
    // Counted once authenticated, refused or not: a client cannot probe purposes faster than its limit.
    const taken = await deps.limiter.take(client.id, client.requestsPerMinute);
    if (!taken.allowed) {
      throw refuse(
        ErrorCode.RATE_LIMITED,
        429,
        `Client ${client.id} is over its limit of ${client.requestsPerMinute} requests a minute; retry in ${taken.retryAfterSeconds} s`,
        { retryAfterSeconds: taken.retryAfterSeconds },
        { 'retry-after': String(taken.retryAfterSeconds) },
      );
    }
    const purpose = declaredPurpose(req, client, (refused) =>
      deps.onPurposeRefused?.(
        {
          client,
          purpose: refused,
          operator: validReference(req, 'x-operator'),
          caseRef: validReference(req, 'x-case-ref'),
          place: validReference(req, 'x-place'),
          requestId: randomUUID(),
        },
        startedAt,
      ),
    );
    const needs = PURPOSE_REQUIREMENTS[purpose];
    const caller: Caller = {
      client,
      purpose,
      operator: readReference(req, 'x-operator', purpose, needs.operator),
      caseRef: readReference(req, 'x-case-ref', purpose, needs.caseRef),
      // Optional for every purpose; identity checks (hr's verifyCardQr, verifyCard) require it themselves.
      place: readReference(req, 'x-place', purpose, false),
      requestId: randomUUID(),
    };
    // The audit's account starts empty: the field policy and the subgraph calls fill it in (caller.ts).
    return { caller, callerHeader: callerHeaderOf(caller), audit: {} };
  };
}
