// Errors a caller can act on carry a stable `extensions.code`; anything else is reported as an internal error
// with no message, SQL or stack from inside, so nothing about the database or another holder leaks out.
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { capped } from '../text.js';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  HOLDER_NOT_FOUND: 'HOLDER_NOT_FOUND',
  HOLDER_ALREADY_REGISTERED: 'HOLDER_ALREADY_REGISTERED',
  CARD_NOT_FOUND: 'CARD_NOT_FOUND',
  ACTIVE_CARD_EXISTS: 'ACTIVE_CARD_EXISTS',
  ILLEGAL_CARD_TRANSITION: 'ILLEGAL_CARD_TRANSITION',
  BANK_NOT_FOUND: 'BANK_NOT_FOUND',
  BANK_NOT_COOPERATING: 'BANK_NOT_COOPERATING',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  TRANSIT_NOT_LOADED: 'TRANSIT_NOT_LOADED',
  CARD_NOT_USABLE: 'CARD_NOT_USABLE',
  /** A card QR code past its expiry (≤ 60 s after issue): the holder's app shows a fresh one. */
  QR_EXPIRED: 'QR_EXPIRED',
  /** A card QR code changed, forged, or signed by a key this hub does not hold. */
  QR_INVALID_SIGNATURE: 'QR_INVALID_SIGNATURE',
  /** A card QR code presented before (its nonce is spent, at any gateway instance). */
  QR_REPLAYED: 'QR_REPLAYED',
  /** A physical card whose number and identification code do not belong together (or no such card). */
  CARD_NOT_VERIFIED: 'CARD_NOT_VERIFIED',
  NOT_FOUND: 'NOT_FOUND',
  /** A fine for a card violation outside Art 19's range: 1,000 to 10,000 yuan (100000 to 1000000 fen) inclusive. */
  FINE_OUT_OF_RANGE: 'FINE_OUT_OF_RANGE',
  /** A violation's status step its state machine does not allow (with the violation's `status`): CLOSED is final. */
  ILLEGAL_VIOLATION_TRANSITION: 'ILLEGAL_VIOLATION_TRANSITION',
  /** A library copy is already out on another loan that has not been returned. */
  ITEM_ON_LOAN: 'ITEM_ON_LOAN',
  /** A library loan was returned before; a copy comes back once. */
  LOAN_ALREADY_RETURNED: 'LOAN_ALREADY_RETURNED',
  /**
   * A credential whose function a published catalog item already serves (Art 6): refused, with `duplicates` (the
   * items' codes), unless a national requirement makes it one to integrate with the card.
   */
  DUPLICATE_CREDENTIAL: 'DUPLICATE_CREDENTIAL',
  /** A catalog version already published: it never changes; edit a new draft instead. */
  CATALOG_VERSION_PUBLISHED: 'CATALOG_VERSION_PUBLISHED',
  /** A city catalog removing or overriding an item of the provincial catalog, which every city carries (`code`). */
  CATALOG_PROVINCIAL_ITEM: 'CATALOG_PROVINCIAL_ITEM',
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  /**
   * A mutation sent to a department got no answer within its time limit (SUBGRAPH_MUTATION_TIMEOUT_MS), with
   * `outcomeUnknown: true`: it may have committed. Retry with the same idempotencyKey.
   */
  SUBGRAPH_TIMEOUT: 'SUBGRAPH_TIMEOUT',
  /** A request the hub cannot take as sent: a missing or unknown purpose, a malformed header (HTTP 400). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** No valid token, or a client that is unknown or suspended (HTTP 401). */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The caller may not do this: a purpose outside its list, another domain's write, a field its purpose does not allow, another city's holder. */
  FORBIDDEN: 'FORBIDDEN',
  /** The client sent more requests than its limit allows; `retryAfterSeconds` says when to try again (HTTP 429). */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The HTTP front (core/http.ts): a method the path does not take (405, with `Allow`). */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** The HTTP front: a request body over the size limit (413). */
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  /** The HTTP front: a POST body that is not `application/json` (415). */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** The HTTP front: headers or body not received within the server's timeouts (408). */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** An operation of a kind the hub does not serve: a subscription (HTTP 400). */
  OPERATION_NOT_SUPPORTED: 'OPERATION_NOT_SUPPORTED',
  /** An operation over a gateway limit (README, "Limits"): too many fields once fragments are spread (HTTP 400). */
  QUERY_TOO_LARGE: 'QUERY_TOO_LARGE',
  /** More identifiers in one request's list arguments than the gateway's limit (HTTP 400). */
  TOO_MANY_HOLDERS: 'TOO_MANY_HOLDERS',
  /** The gateway could not commit the operation's audit record, so the answer carries no data (HTTP 503). */
  AUDIT_UNAVAILABLE: 'AUDIT_UNAVAILABLE',
  /**
   * Never an answer's code: the error code of an audit record made from a mutation's intent (gateway/audit/spool.ts)
   * whose outcome no record says, the gateway having stopped (killed, crashed) while it ran. It may have committed.
   */
  AUDIT_OUTCOME_UNKNOWN: 'AUDIT_OUTCOME_UNKNOWN',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export function hubError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const badInput = (message: string, field?: string) =>
  hubError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});

/** The SQLSTATE and constraint of a database error, whichever driver raised it (drizzle wraps it in `cause`). */
export function databaseErrorOf(error: unknown): { code?: string; constraint?: string } {
  for (let e: any = error; e; e = e.cause) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
      return { code: e.code, constraint: e.constraint_name ?? e.constraint };
    }
  }
  return {};
}

/** A value for a log line, cut at `max` characters: a cause is worth logging, a megabyte of it is not. */
export function logBounded(text: string, max = 500): string {
  return capped(text, max, false); // core/text.ts: the one cap for client-supplied values in logs and records
}

/**
 * Codes of a database that cannot be reached (rather than of a statement that failed): the socket's, postgres.js's
 * own, and PostgreSQL's for a server shutting down, starting up or out of connections (SQLSTATE classes 08 and 57P).
 */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '53300',
]);

/** Whether `error` (or a cause of it, drizzle wraps the driver's) says the database cannot be reached. */
export function isDatabaseUnreachable(error: unknown): boolean {
  for (let e: any = error, depth = 0; e && depth < 8; e = e.cause ?? e.originalError, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (UNREACHABLE_CODES.has(code) || /^(08...|57P0[1-3])$/.test(code)) return true;
    // A host with several addresses refuses on each: Node reports them together.
    if (Array.isArray(e.errors) && e.errors.some((inner: unknown) => isDatabaseUnreachable(inner))) return true;
  }
  return false;
}

/**
 * Apollo Server `formatError`. Apollo gives every error without a code INTERNAL_SERVER_ERROR; those are the
 * unexpected ones (a database failure, a bug) and leave with a generic message. Coded errors, ours and
 * GraphQL's own validation errors, keep their message; no error keeps a stack trace.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    // `response`: a subgraph's HTTP answer as @apollo/gateway relays it (its URL, status and body), never the caller's.
    const { stacktrace: _omit, response: _internal, ...extensions } = formatted.extensions ?? {};
    const field =
      code === ErrorCode.BAD_USER_INPUT && !('field' in extensions) ? coercedField(formatted.message) : null;
    return { ...formatted, extensions: field ? { ...extensions, field } : extensions };
  }
  const original = unwrapResolverError(error);
  // GraphQL's and Apollo's own refusals of a request (a persisted query whose hash does not match, say) come
  // without a code and without a path; they describe the request, not the inside, and keep their message.
  if (
    !formatted.path &&
    original instanceof Error &&
    original.name === 'GraphQLError' &&
    !(original as GraphQLError).originalError
  ) {
    return { message: formatted.message, extensions: { code: 'BAD_REQUEST' } };
  }
  // A subgraph's error relayed by the gateway names its service (and its cause is in that subgraph's log).
  const serviceName = formatted.extensions?.serviceName;
  console.error(
    `internal error${typeof serviceName === 'string' ? ` from subgraph ${serviceName}` : ''}:`,
    logBounded(describeForLog(original)),
  );
  return {
    message: 'Internal server error',
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: {
      code: ErrorCode.INTERNAL_SERVER_ERROR,
      ...(typeof serviceName === 'string' && /^[a-z-]{1,40}$/.test(serviceName) ? { serviceName } : {}),
    },
  };
}

/**
 * The field a variable GraphQL refused names, as our own refusals name theirs: `Variable "$input" got invalid value
 * 1.5 at "input.employerFen"; …` is `employerFen` (the input's own field, the argument left out as our commands
 * leave it), `Variable "$card" of required type …` is `card`.
 */
function coercedField(message: string): string | null {
  const match = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)" (?:got invalid value .*? at "([^"]{1,200})";|of )/s.exec(
    message,
  );
  if (!match) return null;
  const [, variable, at] = match;
  if (!at) return variable!;
  const path = at.split('.');
  return path.length > 1 && path[0] === variable ? path.slice(1).join('.') : at;
}

/**
 * What an unexpected error may put in the log: its kind, message and the database's error code, never the query
 * parameters (drizzle's messages carry them, and they hold ID numbers: personal data under PIPL).
 */
export function describeForLog(error: unknown): string {
  // A subgraph's error arrives as the plain object of its answer ({ message, extensions }), not as an Error.
  if (error && typeof error === 'object' && !(error instanceof Error)) {
    const { message, extensions } = error as { message?: unknown; extensions?: { code?: unknown } };
    return logBounded(`${String(extensions?.code ?? 'error')}: ${String(message ?? JSON.stringify(error))}`);
  }
  if (!(error instanceof Error)) return String(error);
  const { code, constraint } = databaseErrorOf(error);
  if (code || error.message.startsWith('Failed query')) {
    const cause = error.cause instanceof Error ? error.cause.message : '';
    return logBounded(`database error ${code ?? ''}${constraint ? ` on ${constraint}` : ''}: ${cause}`.trim());
  }
  // Kind and message, and those of its causes: no stack (it names files and lines), and bounded.
  const parts = [`${error.name}: ${error.message}`];
  for (let cause = error.cause, depth = 0; cause instanceof Error && depth < 3; cause = cause.cause, depth++)
    parts.push(`caused by ${cause.name}: ${cause.message}`);
  return logBounded(parts.join('; '));
}
