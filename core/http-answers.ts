// How the HTTP front answers what it refuses itself, before Apollo: always a GraphQL response
// (`{"errors":[{"message","extensions":{"code"}}]}`) in the media type Apollo would pick for the same request, so a
// client meets one error envelope whichever layer said no.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { MIMEType } from 'node:util';
import Negotiator from 'negotiator';
import { ErrorCode } from './protocol/errors.js';

/** The media types Apollo Server answers a single result in (its MEDIA_TYPES, not exported). */
const APPLICATION_JSON = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json; charset=utf-8';

/** A request refused before execution: answered as a GraphQL error with a code, an HTTP status and headers. */
export class RefusedRequest extends Error {
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: { extensions?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

/**
 * The media type to answer in, as Apollo Server negotiates it (same library, same candidates): what the Accept header
 * prefers of JSON and graphql-response+json; JSON when it names neither, as Apollo does for its own errors.
 */
export function answerMediaType(accept: string | undefined): string {
  if (!accept) return APPLICATION_JSON;
  return (
    new Negotiator({ headers: { accept } }).mediaType([APPLICATION_JSON, GRAPHQL_RESPONSE_JSON]) ?? APPLICATION_JSON
  );
}

/** A Content-Type's essence (`type/subtype`, lower case, parameters dropped); undefined when absent or malformed. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  try {
    return new MIMEType(contentType).essence;
  } catch {
    return undefined;
  }
}

export function errorBody(refusal: RefusedRequest): string {
  return JSON.stringify({
    errors: [{ message: refusal.message, extensions: { ...refusal.extensions, code: refusal.code } }],
  });
}

/** Sends a refusal. `closing`: the request's body is left unread, so the connection ends with the answer. */
export function sendRefusal(req: IncomingMessage, res: ServerResponse, refusal: RefusedRequest, closing = false) {
  const headers: Record<string, string> = { ...refusal.headers, 'content-type': answerMediaType(req.headers.accept) };
  if (closing) headers.connection = 'close';
  res.writeHead(refusal.status, headers).end(errorBody(refusal));
}

/** What Node's HTTP parser reports on a connection with no response of ours under way (`clientError`). */
function refusalForClientError(code: string | undefined): RefusedRequest {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new RefusedRequest(408, ErrorCode.REQUEST_TIMEOUT, 'The request was not received within the time allowed');
    case 'HPE_HEADER_OVERFLOW':
      return new RefusedRequest(431, ErrorCode.BAD_REQUEST, 'The request headers are too large');
    default:
      return new RefusedRequest(400, ErrorCode.BAD_REQUEST, 'The request is not well-formed HTTP');
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/**
 * Answers a connection Node's parser gave up on (a malformed request, headers too large, a request not received in
 * time) in the same envelope, written to the socket itself (there is no response object), then closes it.
 */
export function answerClientError(
  error: NodeJS.ErrnoException & { rawPacket?: Buffer },
  socket: Socket,
  answering: boolean,
) {
  if (socket.writable && !answering && error.code !== 'ECONNRESET') {
    const refusal = refusalForClientError(error.code);
    // An answer to HEAD has no body: a client would read one as a protocol error. (The bytes the parser gave up
    // on start with the method when the request is the connection's first and its head arrived in one piece.)
    const head = error.rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
    const body = head ? '' : errorBody(refusal);
    socket.write(
      `HTTP/1.1 ${refusal.status} ${REASONS[refusal.status]}\r\nContent-Type: ${APPLICATION_JSON}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroySoon();
}
