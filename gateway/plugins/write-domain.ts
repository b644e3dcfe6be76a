// Who may write where (Art 3, 16): a department writes only its own domain's data; the provincial and city
// platforms serve holders at their counters and online, so they may run hr's card and holder services; the
// governance body runs the governance domain's emergency handling (Art 17: suspending a client), and nothing else.
// The application catalog is written by all but governance (CATALOG_DOMAIN).
// Checked on the resolved operation, before the gateway plans any fetch: a mutation runs whole or not at all.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { ErrorCode } from '../../core/protocol/errors.js';
import type { GatewayContext } from '../caller.js';
import type { Client } from '../../store/clients/client.js';

/** The domain of oversight: its writes (suspending a client) belong to GOVERNANCE clients alone. */
export const GOVERNANCE_DOMAIN = 'governance';

/**
 * The application catalog (Art 6): the provincial platform edits the provincial catalog, a city platform its own
 * city's, a department registers its own credentials. Which catalog or credential is the catalog subgraph's check,
 * on the caller's claims; here all three may write the domain.
 */
export const CATALOG_DOMAIN = 'catalog';

/** The subgraph domains a client may write. */
export function mayWrite(client: Client, domain: string): boolean {
  switch (client.kind) {
    case 'DEPARTMENT':
      // A register entry naming governance as a department's domain gives it no power over the register.
      return (client.domain === domain || domain === CATALOG_DOMAIN) && domain !== GOVERNANCE_DOMAIN;
    case 'PROVINCE':
    case 'CITY':
      return domain === 'hr' || domain === CATALOG_DOMAIN;
    case 'GOVERNANCE':
      return domain === GOVERNANCE_DOMAIN;
  }
}

/**
 * The root fields an operation selects, through fragments. Each fragment is walked once: a fragment spread twice,
 * by fragments spread twice, and so on, would otherwise make the walk exponential in the document's size.
 */
function rootFields(
  selectionSet: SelectionSetNode,
  document: DocumentNode,
  into: Set<string> = new Set(),
  walked: Set<string> = new Set(),
): Set<string> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) into.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) rootFields(selection.selectionSet, document, into, walked);
    else if (!walked.has(selection.name.value)) {
      walked.add(selection.name.value);
      const fragment = document.definitions.find(
        (d): d is FragmentDefinitionNode =>
          d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
      );
      if (fragment) rootFields(fragment.selectionSet, document, into, walked);
    }
  }
  return into;
}

/** `owners`: each Mutation field's subgraph, read from the supergraph (gateway/policy/schema-policy.ts). */
export function writeDomainPlugin(owners: ReadonlyMap<string, string>): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (operation?.operation !== 'mutation') return;
          const { client } = contextValue.caller;
          for (const field of rootFields(operation.selectionSet, document)) {
            if (field === '__typename') continue;
            const domain = owners.get(field);
            if (domain && mayWrite(client, domain)) continue;
            throw new GraphQLError(`Client ${client.id} may not write ${domain ?? 'this'} data (Mutation.${field})`, {
              extensions: { code: ErrorCode.FORBIDDEN, coordinate: `Mutation.${field}`, domain, http: { status: 403 } },
            });
          }
        },
      };
    },
  };
}
