// A bound on how deeply an operation may nest, checked at the gateway before any subgraph is called: every level
// of `holder { cards { holder { cards … } } }` is another round of fetches across the departments' subgraphs.
//
// An Apollo Server plugin rather than a validation rule: Apollo reports every validation-rule error with the code
// GRAPHQL_VALIDATION_FAILED, overwriting QUERY_TOO_DEEP. `didResolveOperation` runs right after validation, on
// the one operation the request executes, and before the gateway plans any fetch.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

export const QUERY_TOO_DEEP = 'QUERY_TOO_DEEP';

/**
 * How deeply a selection nests: `{ a }` is 1, `{ a { b } }` is 2. Fragments count as the fields they hold, and
 * each fragment is measured once, so a document of fragments spread many times costs no more than its size.
 * Introspection fields do not count.
 */
export function operationDepth(selectionSet: SelectionSetNode, document: DocumentNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const fragmentDepths = new Map<string, number>();

  const depthOf = (set: SelectionSetNode): number => {
    let depth = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        // Introspection (`__schema`, `__type`, `__typename`) is answered by the gateway from the schema, with no
        // subgraph call; the standard introspection query nests 15 levels and must keep working for tools.
        if (selection.name.value.startsWith('__')) continue;
        depth = Math.max(depth, 1 + (selection.selectionSet ? depthOf(selection.selectionSet) : 0));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        depth = Math.max(depth, depthOf(selection.selectionSet));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // Unknown and cyclic fragments were refused by validation; the 0 only keeps a cycle from recursing.
        if (!fragment || fragmentDepths.get(name) === -1) continue;
        if (!fragmentDepths.has(name)) {
          fragmentDepths.set(name, -1);
          fragmentDepths.set(name, depthOf(fragment.selectionSet));
        }
        depth = Math.max(depth, fragmentDepths.get(name)!);
      }
    }
    return depth;
  };
  return depthOf(selectionSet);
}

/** Refuses, with QUERY_TOO_DEEP and HTTP 400, an operation nested deeper than `maxDepth`. */
export function depthLimitPlugin(maxDepth: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document }) {
          if (!operation) return; // Apollo has already refused a request naming no operation of the document
          const depth = operationDepth(operation.selectionSet, document);
          if (depth > maxDepth) {
            throw new GraphQLError(`The operation nests ${depth} levels deep; at most ${maxDepth} are allowed`, {
              extensions: { code: QUERY_TOO_DEEP, maxDepth, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
