// The gateway: the one door to holder data. It serves the committed supergraph and routes each subgraph fetch
// to the URL configured for it (so tests and deployments need not match the URLs composition recorded).
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { readCommittedSupergraph } from '../schema/compose.js';
import { formatError } from '../subgraphs/shared/errors.js';
import { listen, type RunningServer } from '../subgraphs/shared/http.js';
import type { GatewayConfig } from './config.js';
import { depthLimitPlugin } from './depth-limit.js';
import { redisCheck, runChecks, subgraphCheck } from './readiness.js';
import { openSharedState } from './shared-state.js';
import { SubgraphDataSource } from './subgraph-source.js';

const PERSISTED_QUERY_TTL_SECONDS = 24 * 60 * 60;

export async function startGateway(config: GatewayConfig): Promise<RunningServer> {
  // @apollo/gateway reports usage to Apollo unless told not to; a hub of personal data never phones home.
  process.env.APOLLO_TELEMETRY_DISABLED = '1';
  const gateway = new ApolloGateway({
    supergraphSdl: readCommittedSupergraph(),
    buildService: ({ name }) => {
      const url = config.subgraphUrls[name];
      if (!url) throw new Error(`No URL configured for subgraph ${name}`);
      return new SubgraphDataSource(name, url);
    },
  });
  const shared = openSharedState(config.redisUrl);
  const apollo = new ApolloServer({
    gateway,
    // Automatic persisted queries: clients send a document's hash instead of the document, once registered
    // with any gateway instance (the cache is shared through Redis when configured).
    cache: shared.cache,
    // Registrations expire, so clients registering endless variants cannot grow the shared store without bound.
    persistedQueries: { ttl: PERSISTED_QUERY_TTL_SECONDS },
    formatError,
    includeStacktraceInErrorResponses: false,
    // Our own signal handler (subgraphs/shared/process.ts) closes everything in order; Apollo's would stop the
    // server by itself and re-send the signal, which reads as a second Ctrl-C.
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginLandingPageDisabled(), depthLimitPlugin(config.maxDepth)],
  });
  const abandon = async (error: unknown): Promise<never> => {
    await apollo.stop().catch(() => {});
    await shared.close();
    throw error;
  };
  await apollo.start().catch(abandon);

  const checks = Object.entries(config.subgraphUrls).map(([name, url]) => subgraphCheck(name, url));
  if (shared.redis) checks.push(redisCheck(shared.redis));
  const server = await listen(
    {
      apollo,
      context: async () => ({}),
      ready: async () => ({ supergraph: 'loaded', ...(await runChecks(checks)) }),
    },
    config.port,
    config.host,
  ).catch(abandon);
  return {
    ...server,
    async close() {
      await server.close();
      await apollo.stop();
      await Promise.all(checks.map((c) => c.close?.()));
      await shared.close();
    },
  };
}
