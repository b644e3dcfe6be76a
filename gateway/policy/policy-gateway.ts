// The field policy wrapped around @apollo/gateway: every operation is planned for the caller's purpose before the
// gateway plans its subgraph fetches, so no department is asked for a refused field on the caller's behalf, and the
// answer is made to say what was refused and what masked (apply-field-access.ts). Not "never fetched": a field
// another subgraph @requires (Holder.concessionCertificates for transport's rideAuthorization) is fetched between
// subgraphs whatever the purpose, as the query planner adds it, not the client; it goes to the requiring subgraph
// only and never into the answer. A refused field's own subgraph is still called when the operation asks it for
// other fields, and masked fields are fetched whole and masked here.
import type { ApolloGateway } from '@apollo/gateway';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { print, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { createHash } from 'node:crypto';
import type { GatewayContext } from '../caller.js';
import { applyFieldAccess } from './apply-field-access.js';
import { planFieldAccess, type FieldAccess } from './field-access.js';
import { LruCache } from './plan-cache.js';
import { isPurpose, type Purpose } from '../../schema/policy/purposes.js';
import { readSchemaPolicy } from '../../schema/policy/schema-policy.js';

/** Distinct (operation, purpose) pairs whose plans are kept; a plan is a walk of the operation, cheap to redo. */
const PLAN_CACHE_SIZE = 2_000;

interface Plan {
  access: FieldAccess;
  /** What the gateway caches its query plan under for `access.document`. */
  queryHash: string;
  operation: OperationDefinitionNode | null;
}

/**
 * `gateway`, for `new ApolloServer({ gateway })`, enforcing the @sensitive annotations of `supergraphSdl`, which must
 * be the supergraph the gateway serves. Throws at once if the annotations cannot be enforced. What it decides for an
 * operation is left in the request's context (`audit.fieldAccess`) for the audit record.
 */
export function withFieldPolicy(gateway: ApolloGateway, supergraphSdl: string): GatewayInterface {
  const policy = readSchemaPolicy(supergraphSdl);
  const plans = new LruCache<string, Plan>(PLAN_CACHE_SIZE);
  // The policy and the cached plans belong to this supergraph; a gateway that moved to another one would serve
  // fields this policy never saw. The gateway is given a fixed supergraph, so this would be a wiring mistake.
  let servesAnotherSupergraph = false;
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => {
    servesAnotherSupergraph = coreSupergraphSdl !== supergraphSdl;
  });

  const planFor = (
    apiSchema: GraphQLSchema,
    requestContext: Parameters<GatewayExecutor>[0],
    purpose: Purpose,
  ): Plan => {
    const { queryHash, document, request } = requestContext;
    // Keyed like the gateway's own plans (query hash and operation name), and by purpose.
    const key = `${queryHash}\n${request.operationName ?? ''}\n${purpose}`;
    let plan = plans.get(key);
    if (!plan) {
      const access = planFieldAccess(apiSchema, document, request.operationName, policy, purpose);
      plan = access.unchanged
        ? { access, queryHash, operation: null }
        : {
            access,
            // The gateway caches query plans by query hash: each variant of an operation needs its own. The hash of
            // the variant's text is what a client sending that very text would get, and it has the same plan.
            queryHash: createHash('sha256').update(print(access.document)).digest('hex'),
            operation: access.document.definitions[0] as OperationDefinitionNode,
          };
      plans.set(key, plan);
    }
    return plan;
  };

  return {
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
    async load(options) {
      const { schema: apiSchema, executor } = await gateway.load(options);
      const policed: GatewayExecutor = async (requestContext) => {
        if (servesAnotherSupergraph)
          throw new Error('The gateway serves a supergraph other than the one its field policy was read from');
        const context = requestContext.context as Partial<GatewayContext>;
        const purpose = context.caller?.purpose;
        // Every request has a caller by now (context.ts); one without is a wiring mistake, and reads nothing.
        if (!purpose || !isPurpose(purpose))
          throw new Error('No purpose for this request: the field policy cannot decide');
        // Made with the caller (context.ts): where the audit record finds what was decided.
        if (!context.audit)
          throw new Error('No audit account for this request: the field policy could not record its decision');
        const plan = planFor(apiSchema, requestContext, purpose);
        context.audit.fieldAccess = plan.access;
        if (plan.access.unchanged) return applyFieldAccess(await executor(requestContext), plan.access, purpose);
        const result = await executor({
          ...requestContext,
          document: plan.access.document,
          queryHash: plan.queryHash,
          operation: plan.operation ?? requestContext.operation,
        });
        return applyFieldAccess(result, plan.access, purpose);
      };
      return { executor: policed };
    },
  };
}
