// Durable before delivery, so that no holder data leaves unaccounted for: every operation's audit record is committed
// before its response leaves, and a response whose record cannot be committed leaves without data, as one
// AUDIT_UNAVAILABLE error (HTTP 503). Refused operations are recorded too (a write outside the caller's domain, too
// deep, invalid): every request that reached Apollo has an established caller (gateway/context.ts); those refused
// before (no token, over the rate limit) are not operations on holder data and are not recorded here.
//
// A mutation whose record fails has nonetheless run: its write is committed in the department's database and the
// client is told AUDIT_UNAVAILABLE. Its record is spooled to local disk first and replayed onto the chain when the
// store answers (audit/spool.ts), so no committed write goes unrecorded. Department writes take idempotency keys, so
// the client's retry records the access without writing twice.
//
// One record per request, keyed by its request id: the request's context (its caller, what the subgraphs served) is
// one operation's. HTTP batching, which would run several operations on one context, is off (Apollo's default); a
// second operation on a context already seen is refused here all the same.
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { createHash, randomUUID } from 'node:crypto';
import { getOperationAST, Kind, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { ErrorCode, hubError } from '../../core/protocol/errors.js';
import { capped } from '../../core/text.js';
import { buildAuditRecord, type AuditRecord, type RequestFacts } from '../audit/record.js';
import { AuditUnavailableError, type AuditWriter } from '../audit/writer.js';
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
          `audit: refused request ${record.requestId} (${record.clientId}, ${capped(record.purpose)}) could not be recorded`,
        ),
      );
  };
}

/**
 * A mutation's intent: its record as far as known before it runs, outcome UNKNOWN (AUDIT_OUTCOME_UNKNOWN), the
 * mutation fields asked for as its coordinates; the holders it writes are not known yet (its variables, hashed, name
 * them to whoever reconciles).
 */
function intentRecord(schema: GraphQLSchema, operation: OperationDefinitionNode, facts: RequestFacts): AuditRecord {
  const root = schema.getMutationType()?.name ?? 'Mutation';
  const asked = operation.selectionSet.selections.flatMap((s) =>
    s.kind === Kind.FIELD ? [`${root}.${s.name.value}`] : [],
  );
  return {
    ...buildAuditRecord(facts),
    outcome: 'UNKNOWN',
    errorCodes: [ErrorCode.AUDIT_OUTCOME_UNKNOWN],
    coordinates: [...new Set(asked)].sort(),
  };
}

/** `hash`: the audit's keyed hash of a variable value it does not keep (audit/audit-hash.ts). */
export function auditPlugin(writer: AuditWriter, hash: (text: string) => string): ApolloServerPlugin<GatewayContext> {
  /** Contexts an operation has started on: a second one on the same context is refused. */
  const started = new WeakSet<GatewayContext>();
  return {
    async requestDidStart({ contextValue }) {
      const startedAt = Date.now();
      let executed = false;
      const shared = started.has(contextValue);
      started.add(contextValue);
      return {
        async didResolveOperation() {
          if (shared)
            throw hubError(ErrorCode.BAD_REQUEST, 'One operation per request: batched operations are not accepted', {
              http: { status: 400 },
            });
        },
        // The last plugin's hook before execution (the other plugins' refusals come first): a mutation's intent is
        // written ahead, fsync'd, before any subgraph is called, so a gateway killed after the department commits
        // leaves it, replayed as the write's record with outcome UNKNOWN. Not written, the mutation does not run.
        async responseForOperation({ contextValue, request, operation, operationName, queryHash, document, schema }) {
          if (operation.operation !== 'mutation' || shared) return null;
          try {
            await writer.intend(
              intentRecord(schema, operation, {
                caller: contextValue.caller,
                startedAt,
                executed: true,
                operationType: 'mutation',
                operationName: operationName ?? operation.name?.value ?? null,
                documentHash: documentHashOf(queryHash, request.query, request.extensions),
                variables: request.variables,
                variableScope: { schema, document, operation, hash },
                errors: undefined,
                hasData: false,
                access: undefined,
                denied: [],
              }),
            );
            return null;
          } catch {
            return {
              http: { status: 503, headers: new HeaderMap() },
              body: {
                kind: 'single',
                singleResult: {
                  errors: [
                    {
                      message: 'The write could not be recorded ahead, so it did not run; try again shortly',
                      extensions: { code: ErrorCode.AUDIT_UNAVAILABLE },
                    },
                  ],
                },
              },
            };
          }
        },
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse({
          contextValue,
          request,
          response,
          operation,
          operationName,
          queryHash,
          document,
          schema,
        }) {
          const named = operation ?? operationIn(document, request.operationName);
          const body = response.body;
          const result = body.kind === 'single' ? body.singleResult : body.initialResult;
          // A refused second operation on a shared context is recorded under a request id of its own.
          const caller = shared ? { ...contextValue.caller, requestId: randomUUID() } : contextValue.caller;
          const record = buildAuditRecord({
            caller,
            startedAt,
            executed,
            operationType: named?.operation ?? null,
            operationName: operationName ?? named?.name?.value ?? request.operationName ?? null,
            documentHash: documentHashOf(queryHash, request.query, request.extensions),
            variables: request.variables,
            variableScope: { schema, document, operation: named, hash },
            errors: result.errors,
            hasData: result.data !== undefined && result.data !== null,
            // Written as the request ran: by the field policy (its decision) and the subgraph calls (their reports).
            access: contextValue.audit.served,
            denied: contextValue.audit.fieldAccess?.denied ?? [],
          });
          try {
            await writer.append(record);
          } catch (error) {
            // The writer logged why; this names the request for whoever reconciles (no holder ids: the log is not
            // the audit trail). The operation name is already capped (record.ts).
            const spooled = error instanceof AuditUnavailableError && error.spooled;
            console.error(
              `audit: request ${record.requestId} (${record.clientId}, ${record.purpose}, ${record.operationType} ${record.operationName ?? '-'}, ${record.outcome}, ${record.holderIds.length} holder(s)) answered ${ErrorCode.AUDIT_UNAVAILABLE}; record ${spooled ? 'spooled for replay' : 'not stored'}`,
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
