// What a failed readiness check tells whom. The caller of /ready learns which component failed, by name only
// ("database unreachable", "subgraph hr is not ready"); the underlying error goes to the server log, by its
// message alone: driver messages can hold query text, and drizzle's hold the query parameters (ID numbers).

export class NotReadyError extends Error {
  /** `message` is the reason /ready answers; `detail` adds the underlying errors' messages, for the log. */
  constructor(
    reason: string,
    readonly detail: string,
  ) {
    super(reason);
    this.name = 'NotReadyError';
  }
}

/** A failed check, answered as `reason` and logged with `cause`'s message. */
export function notReady(reason: string, cause: unknown): NotReadyError {
  return new NotReadyError(reason, `${reason}: ${messageForLog(cause)}`);
}

/** Several failed checks as one: every reason, every detail. */
export function allNotReady(failures: NotReadyError[]): NotReadyError {
  return new NotReadyError(failures.map((f) => f.message).join('; '), failures.map((f) => f.detail).join('; '));
}

/** An error's message without query parameters: drizzle's "Failed query: … params: …" gives way to its cause's. */
export function messageForLog(error: unknown): string {
  let e = error;
  while (e instanceof Error && e.message.startsWith('Failed query')) e = e.cause;
  if (e instanceof Error) return e.message;
  return e === undefined ? 'unknown error' : String(e);
}
