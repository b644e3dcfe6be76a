// The bounds on one operation, besides its depth (plugins/depth-limit.ts), and the graphql-armor protections that
// enforce some of them. Read from the environment by gateway/config.ts; the README's "Limits" table lists them.
//
// graphql-armor's rules are Apollo validation rules, so Apollo reports a refusal as GRAPHQL_VALIDATION_FAILED
// (HTTP 400), whatever code a rule gives: each carries `extensions.limit` naming the limit instead. Two of
// armor's protections are left out: its depth limit (ours is older, counts fragments the same way and answers
// QUERY_TOO_DEEP) and its token limit, which throws from a parsing hook, outside Apollo's request pipeline, so
// the refusal would be a 500 and reach no audit record; graphql-js counts tokens itself (`parseOptions.maxTokens`,
// the lexer armor's own parser wraps), and a refusal is an ordinary GRAPHQL_PARSE_FAILED.
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';

export interface OperationLimits {
  /** Fields an operation may hold once its fragments are spread (GATEWAY_MAX_EXPANDED_FIELDS). */
  maxExpandedFields: number;
  /**
   * Holders one request may look up (GATEWAY_MAX_HOLDERS): each identifier its root fields carry, an ID number,
   * card number, certificate number or record id, in arguments, lists and input rows (limits/operation-size.ts).
   */
  maxHolders: number;
  /** The same summed over a client's requests in a minute (GATEWAY_MAX_HOLDERS_PER_MINUTE). */
  maxHoldersPerMinute: number;
  /** Aliased fields, fragments spread included (GATEWAY_MAX_ALIASES). */
  maxAliases: number;
  /** Directives (GATEWAY_MAX_DIRECTIVES). */
  maxDirectives: number;
  /** Lexical tokens of the document (GATEWAY_MAX_TOKENS). */
  maxTokens: number;
  /** graphql-armor's cost: fields weighted by depth and by page sizes given as `first`/`last` (GATEWAY_MAX_COST). */
  maxCost: number;
  /** "Did you mean …?" in validation errors: on in development (NODE_ENV=development) only. */
  fieldSuggestions: boolean;
}

export const DEFAULT_LIMITS = {
  maxExpandedFields: 2_000,
  // The largest write batch a field takes (recordRides, recordAdmissions: 1,000 rows, each of its own card).
  maxHolders: 1_000,
  // A backstop, not a per-client policy: above what one client legitimately reaches through one gateway. The
  // bench's client driving 100 holders a request flat out is bound by the gateway's own CPU (13.6 ms a request:
  // ~73 requests/s, ~440,000 holders a minute); transport's turnstiles are allowed 60,000 requests a minute of
  // one card each. A lower bound fits some clients and not others: set it for the deployment's own.
  maxHoldersPerMinute: 1_000_000,
  maxAliases: 100,
  maxDirectives: 50,
  maxTokens: 5_000,
  maxCost: 50_000,
} as const satisfies Partial<OperationLimits>;

/** `extensions.limit` of a refusal by one of graphql-armor's rules. */
export const ArmorLimit = {
  MAX_ALIASES: 'MAX_ALIASES',
  MAX_DIRECTIVES: 'MAX_DIRECTIVES',
  MAX_COST: 'MAX_COST',
} as const;

/**
 * Re-reports armor's refusal through the validation context, which Apollo answers with 400 (armor's own default
 * does the same but says BAD_USER_INPUT, which Apollo then overwrites). Armor prefixes "Syntax Error: " to a
 * message about a limit; that is dropped.
 */
function reportAs(limit: string) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { limit } }));
  };
}

/** Apollo Server's `validationRules` and `plugins` for `limits` (the token limit goes in `parseOptions`). */
export function armorProtection(limits: OperationLimits): {
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin[];
} {
  const rejected = (limit: string) => ({ propagateOnRejection: false, onReject: [reportAs(limit)] });
  const { validationRules, plugins } = new ApolloArmor({
    maxAliases: { n: limits.maxAliases, ...rejected(ArmorLimit.MAX_ALIASES) },
    maxDirectives: { n: limits.maxDirectives, ...rejected(ArmorLimit.MAX_DIRECTIVES) },
    costLimit: { maxCost: limits.maxCost, ...rejected(ArmorLimit.MAX_COST) },
    blockFieldSuggestion: { enabled: !limits.fieldSuggestions },
    maxDepth: { enabled: false },
    maxTokens: { enabled: false },
  }).protect();
  return { validationRules, plugins: plugins as ApolloServerPlugin[] };
}
