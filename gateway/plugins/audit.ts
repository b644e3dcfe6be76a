// Durable before delivery, so that no holder data leaves unaccounted for: every operation's audit record is committed
// before its response leaves, and a response whose record cannot be committed leaves without data, as one
// AUDIT_UNAVAILABLE error (HTTP 503). Refused operations are recorded too (a write outside the caller's domain, too
// deep, invalid): every request that reached Apollo has an established caller (gateway/context.ts); those refused
// before (no token, over the rate limit) are not operations on holder data and are not recorded here.
//
// A mutation whose record fails has nonetheless run: its write is committed in the department's database and the
// client is told AUDIT_UNAVAILABLE. Department writes take idempotency keys, so the client's retry records the access
// without writing twice.
import type { ApolloServerPlugin } from '@apollo/server';
import { createHash } from 'node:crypto';
import { getOperationAST, type DocumentNode } from 'graphql';
import { ErrorCode } from '../../core/protocol/errors.js';
import { buildAuditRecord } from '../audit/record.js';
import type { AuditWriter } from '../audit/writer.js';
import type { Caller, GatewayContext } from '../caller.js';

const SHA256_HEX = /^[0-9a-f]{64}$/i;
const EMPTY_DOCUMENT_HASH = createHash('sha256').update('').digest('hex');

/** What a request's document is recorded by: Apollo's hash of the text received, else the persisted-query hash sent. */
function documentHashOf(
  queryHash: string | undefined,
  query: string | undefined,
  extensions: Record<string, any> | undefined,
): string {
  if (queryHash) return queryHash;
  const persisted = extensions?.persistedQuery?.sha256Hash;
  if (typeof persisted === 'string' && SHA256_HEX.test(persisted)) return persisted.toLowerCase();
  return createHash('sha256')
    .update(query ?? '')
    .digest('hex');
}

/** The operation a document names, for a request refused before Apollo resolved it (by validation, say). */
function operationIn(document: DocumentNode | undefined, operationName: string | undefined) {
  if (!document) return undefined;
  try {
    return getOperationAST(document, operationName) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Records a request refused because its client declared a purpose outside its list, before any operation was read
 * (so no document hash but that of nothing). No holder data goes back, so nothing waits for the record.
 */
export function recordRefusedPurpose(writer: AuditWriter): (caller: Caller, startedAt: number) => void {
  const refused = [{ extensions: { code: ErrorCode.FORBIDDEN } }];
  return (caller, startedAt) => {
    const record = buildAuditRecord({
      caller,
      startedAt,
      executed: false,
      operationType: null,
      operationName: null,
      documentHash: EMPTY_DOCUMENT_HASH,
      variables: undefined,
      errors: refused,
      hasData: false,
      access: undefined,
      denied: [],
    });
    writer
      .append(record)
      .catch(() =>
        console.error(
          `audit: refused request ${record.requestId} (${record.clientId}, ${record.purpose}) could not be recorded`,
        ),
      );
  };
}

export function auditPlugin(writer: AuditWriter): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const startedAt = Date.now();
      let executed = false;
      return {
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse({ contextValue, request, response, operation, operationName, queryHash, document }) {
          const named = operation ?? operationIn(document, request.operationName);
          const body = response.body;
          const result = body.kind === 'single' ? body.singleResult : body.initialResult;
          const record = buildAuditRecord({
            caller: contextValue.caller,
            startedAt,
            executed,
            operationType: named?.operation ?? null,
            operationName: operationName ?? named?.name?.value ?? request.operationName ?? null,
            documentHash: documentHashOf(queryHash, request.query, request.extensions),
            variables: request.variables,
            errors: result.errors,
            hasData: result.data !== undefined && result.data !== null,
            // Written as the request ran: by the field policy (its decision) and the subgraph calls (their reports).
            access: contextValue.audit.served,
            denied: contextValue.audit.fieldAccess?.denied ?? [],
          });
          try {
            await writer.append(record);
          } catch {
            // The writer logged why; this names the request for whoever reconciles (no holder ids: the log is not
            // the audit trail).
            console.error(
              `audit: request ${record.requestId} (${record.clientId}, ${record.purpose}, ${record.operationType} ${record.operationName ?? '-'}, ${record.outcome}, ${record.holderIds.length} holder(s)) answered ${ErrorCode.AUDIT_UNAVAILABLE}`,
            );
            response.body = {
              kind: 'single',
              singleResult: {
                errors: [
                  {
                    message: 'The access could not be recorded, so no data is returned; try again shortly',
                    extensions: { code: ErrorCode.AUDIT_UNAVAILABLE },
                  },
                ],
              },
            };
            response.http.status = 503;
          }
        },
      };
    },
  };
}
