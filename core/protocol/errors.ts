// Errors a caller can act on carry a stable `extensions.code`; anything else is reported as an internal error
// with no message, SQL or stack from inside, so nothing about the database or another holder leaks out.
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

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
  NOT_FOUND: 'NOT_FOUND',
  /** A library copy is already out on another loan that has not been returned. */
  ITEM_ON_LOAN: 'ITEM_ON_LOAN',
  /** A library loan was returned before; a copy comes back once. */
  LOAN_ALREADY_RETURNED: 'LOAN_ALREADY_RETURNED',
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  /** A request the hub cannot take as sent: a missing or unknown purpose, a malformed header (HTTP 400). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** No valid token, or a client that is unknown or suspended (HTTP 401). */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The caller may not do this: a purpose outside its list, another domain's write, a field its purpose does not allow, another city's holder. */
  FORBIDDEN: 'FORBIDDEN',
  /** The client sent more requests than its limit allows; `retryAfterSeconds` says when to try again (HTTP 429). */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The gateway could not commit the operation's audit record, so the answer carries no data (HTTP 503). */
  AUDIT_UNAVAILABLE: 'AUDIT_UNAVAILABLE',
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

/**
 * Apollo Server `formatError`. Apollo gives every error without a code INTERNAL_SERVER_ERROR; those are the
 * unexpected ones (a database failure, a bug) and leave with a generic message. Coded errors, ours and
 * GraphQL's own validation errors, keep their message; no error keeps a stack trace.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    const { stacktrace: _omit, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
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
  console.error('internal error:', describeForLog(original));
  return {
    message: 'Internal server error',
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

/**
 * What an unexpected error may put in the log: its kind, message and the database's error code, never the query
 * parameters (drizzle's messages carry them, and they hold ID numbers: personal data under PIPL).
 */
export function describeForLog(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, constraint } = databaseErrorOf(error);
  if (code || error.message.startsWith('Failed query')) {
    const cause = error.cause instanceof Error ? error.cause.message : '';
    return `database error ${code ?? ''}${constraint ? ` on ${constraint}` : ''}: ${cause}`.trim();
  }
  return error.stack ?? `${error.name}: ${error.message}`;
}
