// What the gateway checks on the operation a request resolved to, after validation and before the field policy
// plans it (policy/policy-gateway.ts) or the query planner sees it: that there is one operation to run, of a
// kind the hub serves; that it is not too large once its fragments are spread (a 2 KB document can expand to a
// million fields, and walking them holds the event loop for seconds); that its list arguments name no more
// holders than a request may touch; and that only clients whose register entry allows it introspect the schema.
//
// Thrown from `didResolveOperation`, inside Apollo's request pipeline: each refusal is an HTTP 400 (403 for
// introspection) with a code, and reaches the audit plugin's `willSendResponse` like any other refused request.
// The holders a client may look up in a minute are taken last, in `responseForOperation`, from requests about to
// run (429 when spent).
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { capped } from '../../core/text.js';
import { ErrorCode, hubError } from '../../core/protocol/errors.js';
import type { GatewayContext } from '../caller.js';
import type { OperationLimits } from '../limits/operation-limits.js';
import { expandedFieldCount, identifiersRequested } from '../limits/operation-size.js';
import type { RateLimiter } from '../limits/rate-limiter.js';

/** How much of a client's operation name a refusal echoes. */
export const ECHOED_NAME_CHARS = 64;

const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

const refused = (code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, status = 400) =>
  hubError(code, message, { ...extensions, http: { status } });

/** The refusal of a request whose document has no operation to run under the name given (or none given). */
function unresolved(document: DocumentNode, operationName: string | null | undefined) {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
  if (typeof operationName === 'string' && operationName !== '')
    return refused(
      ErrorCode.BAD_REQUEST,
      `No operation named "${capped(operationName, ECHOED_NAME_CHARS)}" in the document`,
    );
  if (operationName === '')
    return refused(ErrorCode.BAD_REQUEST, 'operationName is empty: name an operation or omit it');
  return refused(
    ErrorCode.BAD_REQUEST,
    operations === 0
      ? 'The document holds no operation'
      : 'The document holds several operations: name the one to run in operationName',
  );
}

/** Whether the operation selects `__schema` or `__type` (root fields only, through fragments spread there). */
function introspects(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode): boolean =>
    set.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return INTROSPECTION_FIELDS.has(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return walk(selection.selectionSet);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return false;
      seen.add(fragment.name.value);
      return walk(fragment.selectionSet);
    });
  return walk(operation.selectionSet);
}

/**
 * `limiter` keeps the per-minute holder budgets (`limits.maxHoldersPerMinute`), beside the request budgets it keeps
 * under the client's id.
 */
export function operationChecksPlugin(
  limits: Pick<OperationLimits, 'maxExpandedFields' | 'maxHolders' | 'maxHoldersPerMinute'>,
  limiter: RateLimiter,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      /** The holders the operation looks up, counted once it resolved. */
      let lookedUp = 0;
      return {
        async didResolveOperation({ operation, document, request, schema, contextValue }) {
          // Apollo leaves the operation undefined when the name matches none, or none is given for several: the
          // field policy would have no operation to plan.
          if (!operation) throw unresolved(document, request.operationName);
          if (operation.operation === 'subscription')
            throw refused(
              ErrorCode.OPERATION_NOT_SUPPORTED,
              'Subscriptions are not served: send a query or a mutation',
            );
          const fields = expandedFieldCount(operation, document);
          if (fields > limits.maxExpandedFields)
            throw refused(
              ErrorCode.QUERY_TOO_LARGE,
              `The operation expands to ${fields} fields once its fragments are spread; at most ${limits.maxExpandedFields} are allowed`,
              { maxExpandedFields: limits.maxExpandedFields },
            );
          const { client } = contextValue.caller;
          if (!client.introspection && introspects(operation, document))
            throw refused(
              ErrorCode.FORBIDDEN,
              `Client ${client.id} may not introspect the schema (its register entry does not allow it)`,
              {},
              403,
            );
          const holders = identifiersRequested(schema, operation, document, request.variables);
          if (holders > limits.maxHolders)
            throw refused(
              ErrorCode.TOO_MANY_HOLDERS,
              `The request names ${holders} holders; at most ${limits.maxHolders} are allowed in one request`,
              { maxHolders: limits.maxHolders },
            );
          lookedUp = holders;
        },
        // The per-minute budget is taken here, not above: Apollo runs every plugin's didResolveOperation at once, so
        // a request the depth limit, the write-domain or the batch check refuses would still have spent it. This hook
        // runs only once all of them passed, and before any executionDidStart (the audit's); this plugin is first,
        // so its answer is the one given. A refusal is answered, not thrown: a throw here would be a 500.
        async responseForOperation({ contextValue }) {
          const perMinute = limits.maxHoldersPerMinute;
          if (lookedUp === 0) return null;
          const { client } = contextValue.caller;
          const taken = await limiter.take(`holders:${client.id}`, perMinute, lookedUp);
          if (taken.allowed) return null;
          const { retryAfterSeconds } = taken;
          return {
            http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
            body: {
              kind: 'single',
              singleResult: {
                errors: [
                  {
                    message: `Client ${client.id} is over its limit of ${perMinute} holders a minute; retry in ${retryAfterSeconds} s`,
                    extensions: { code: ErrorCode.TOO_MANY_HOLDERS, maxHoldersPerMinute: perMinute, retryAfterSeconds },
                  },
                ],
              },
            },
          };
        },
      };
    },
  };
}
