// What every department subgraph provides at run time, and how one is served. A subgraph folder's index.ts
// exports a `Subgraph`; subgraphs/registry.ts finds it by its name in schema/manifest.ts.
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse } from 'graphql';
import { accessReportPlugin } from '../../core/protocol/access-report.js';
import { readSubgraphSecret, type Env } from '../../core/config.js';
import { StatementCounter, type Database, type Db } from '../../core/database.js';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode, formatError, isDatabaseUnreachable } from '../../core/protocol/errors.js';
import { CallVerifier, ProofError, type CallerClaims } from '../../core/protocol/gateway-proof.js';
import { listen, RefusedRequest, type RunningServer } from '../../core/http.js';
import { notReady } from '../../core/readiness.js';
import { readSdl } from '../../schema/supergraph.js';

export interface SubgraphRuntime<TContext> {
  /** Per-request state (loaders): made fresh for every request, for the caller the gateway vouched for. */
  context(caller: CallerClaims): TContext;
  /** Stops background work started by `setup`. */
  stop?(): Promise<void> | void;
}

export interface SetupContext {
  /** This subgraph's own drizzle handle, whose statements the subgraph's counter sees. */
  db: Db;
  database: Database;
  env: Env;
}

export interface Subgraph<TContext extends object = any> {
  /** Its entry in schema/manifest.ts, whose SDL is subgraphs/<name>/schema.graphql. */
  name: string;
  resolvers: GraphQLResolverMap<TContext>;
  /** Reads the subgraph's settings and starts its background work; called once at start. */
  setup(context: SetupContext): SubgraphRuntime<TContext>;
}

export interface ServeOptions {
  port: number;
  host: string;
  env: Env;
}

export interface RunningSubgraph extends RunningServer {
  name: string;
  /** SQL statements the subgraph has issued since it started. */
  statements: StatementCounter;
}

/** Serves a migrated subgraph over HTTP until `close()`. */
export async function serveSubgraph(
  subgraph: Subgraph,
  database: Database,
  options: ServeOptions,
): Promise<RunningSubgraph> {
  const verifier = new CallVerifier(readSubgraphSecret(options.env));
  const statements = new StatementCounter();
  const runtime = subgraph.setup({ db: database.handle(statements), database, env: options.env });
  const apollo = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: parse(readSdl(subgraph.name)), resolvers: subgraph.resolvers }),
    formatError: unavailableDatabaseAs(subgraph.name),
    includeStacktraceInErrorResponses: false,
    // The command-line entries close servers and databases themselves on a signal (process.ts); Apollo's own
    // handler would stop this server early and re-send the signal.
    stopOnTerminationSignals: false,
    // No Apollo usage reporting here, so no inline traces to compute for it. Every answer says which holders'
    // fields it served, for the gateway's audit record (access-report.ts).
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), accessReportPlugin()],
  });
  // A start that fails half-way (the port taken, say) stops what it started: no sweep left running.
  const abandon = async (error: unknown): Promise<never> => {
    await apollo.stop().catch(() => {});
    await runtime.stop?.();
    throw error;
  };
  await apollo.start().catch(abandon);
  const server = await listen(
    {
      apollo,
      // Only the hub may call: anyone else reaching this port would read holder data past the gateway's policy.
      authorize: (req, body) => {
        try {
          return verifier.verify(req.headers, { method: req.method ?? 'GET', target: req.url ?? '/', body });
        } catch (error) {
          if (!(error instanceof ProofError)) throw error;
          throw new RefusedRequest(
            401,
            ErrorCode.UNAUTHENTICATED,
            `The ${subgraph.name} subgraph answers the hub's gateway only (${error.message})`,
          );
        }
      },
      context: async (_req, caller) => runtime.context(caller),
      ready: async () => {
        await database.ping().catch((error: unknown) => {
          throw notReady('database unreachable', error);
        });
        return { subgraph: subgraph.name, database: database.driver };
      },
    },
    options.port,
    options.host,
  ).catch(abandon);
  return {
    ...server,
    name: subgraph.name,
    statements,
    async close() {
      await server.close();
      await apollo.stop();
      await runtime.stop?.();
    },
  };
}

/**
 * formatError, with a database that cannot be reached (refused, timed out, shutting down) answered as
 * SUBGRAPH_UNAVAILABLE naming the department, a condition the caller can wait out, rather than as an
 * anonymous internal error. Logged once per error, by its code only.
 */
function unavailableDatabaseAs(name: string) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    if (!isDatabaseUnreachable(unwrapResolverError(error))) return formatError(formatted, error);
    const code = (unwrapResolverError(error) as { cause?: { code?: unknown }; code?: unknown }) ?? {};
    console.error(`subgraph ${name}: database unreachable (${String(code.cause?.code ?? code.code ?? 'no code')})`);
    return {
      message: `The ${name} service's database is unavailable; try again shortly`,
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, serviceName: name },
    };
  };
}
