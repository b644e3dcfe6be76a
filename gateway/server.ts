// The gateway: the one door to holder data. It serves the committed supergraph and routes each subgraph fetch
// to the URL configured for it (so tests and deployments need not match the URLs composition recorded).
// Every request is authenticated and bound to a purpose (context.ts), writes are held to the caller's domain
// (plugins/write-domain.ts), fields to what the purpose allows (policy/policy-gateway.ts), and every subgraph
// call is signed (subgraph-source.ts). Every operation is recorded before its answer leaves (plugins/audit.ts).
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { readCommittedSupergraph } from '../schema/supergraph.js';
import { openDatabase, type Database } from '../core/database.js';
import { describeForLog, formatError } from '../core/protocol/errors.js';
import { listen, type RunningServer } from '../core/http.js';
import { installResultShaping } from './apollo-patches/result-shaping.js';
import { auditHasher } from './audit/audit-hash.js';
import { openAuditWriter, type AuditWriter } from './audit/writer.js';
import { loadVerificationKey } from './auth/token-keys.js';
import type { GatewayContext } from './caller.js';
import { openClientChanges } from '../store/clients/changes.js';
import { openClientRegister, type ClientRegister } from './clients/register.js';
import {
  readAuditSettings,
  readHttpLimits,
  readOperationLimits,
  readSubgraphCallSettings,
  type GatewayConfig,
} from './config.js';
import { contextFactory } from './context.js';
import { armorProtection } from './limits/operation-limits.js';
import { openRateLimiter } from './limits/rate-limiter.js';
import { auditPlugin, recordRefusedPurpose } from './plugins/audit.js';
import { depthLimitPlugin } from './plugins/depth-limit.js';
import { operationChecksPlugin } from './plugins/operation-checks.js';
import { writeDomainPlugin } from './plugins/write-domain.js';
import { withFieldPolicy } from './policy/policy-gateway.js';
import { readSchemaPolicy } from '../schema/policy/schema-policy.js';
import { databaseCheck, redisCheck, runChecks, subgraphCheck } from './readiness.js';
import { openSharedState } from '../core/shared-state.js';
import { migrateGatewayDatabase } from '../store/migrations.js';
import { SubgraphDataSource } from './subgraph-calls/subgraph-source.js';

const PERSISTED_QUERY_TTL_SECONDS = 24 * 60 * 60;

export interface GatewayOptions {
  /** The gateway's database, already migrated, when the caller (the hub) shares it; else opened from config. */
  database?: Database;
  /**
   * Benchmarks only (the bench's scenario 6, audit on vs off): leave out the audit plugin (the writer is opened but
   * sent nothing), so that the audit's own cost can be measured. No configuration variable reaches this; a hub serving holder data never sets
   * it. Default false.
   */
  unaudited?: boolean;
}

export interface RunningGateway extends RunningServer {
  /** The client register this gateway reads (suspensions reach it through the change channel). */
  register: ClientRegister;
  database: Database;
  /** Where this gateway's audit records go (its chain). */
  audit: AuditWriter;
}

export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<RunningGateway> {
  // @apollo/gateway reports usage to Apollo unless told not to; a hub of personal data never phones home.
  process.env.APOLLO_TELEMETRY_DISABLED = '1';
  // Everything that can fail on bad configuration or a bad supergraph fails before anything is opened.
  const supergraphSdl = readCommittedSupergraph();
  const policy = readSchemaPolicy(supergraphSdl);
  const key = loadVerificationKey(config.tokens.keys);

  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse().splice(0))
      await close().catch((e: unknown) => console.error('gateway: close failed:', describeForLog(e)));
  };
  try {
    let database = options.database;
    if (!database) {
      const own = await openDatabase(config.database);
      closers.push(() => own.close());
      await migrateGatewayDatabase(own);
      database = own;
    }
    const shared = openSharedState(config.redisUrl);
    closers.push(() => shared.close());
    const changes = openClientChanges(config.redisUrl);
    closers.push(() => changes.close());
    const register = await openClientRegister(database.db, changes);
    closers.push(() => register.close());
    const limiter = openRateLimiter(shared.redis);
    closers.push(() => limiter.close());
    // Closed after Apollo has stopped (closers run in reverse), so the records of requests in flight are written.
    // The audit's hash key and spool (AUDIT_*); the hub passes none, read here then.
    const auditSettings = config.audit ?? readAuditSettings();
    const audit = await openAuditWriter(database.db, {
      spoolDir: auditSettings.spoolDir,
      replayIntervalMs: auditSettings.replayIntervalMs,
    });
    closers.push(() => audit.close());
    const audited = !options.unaudited;
    // Bounds on each operation (GATEWAY_MAX_*, README "Limits"); the hub passes none, read here then.
    const limits = config.limits ?? readOperationLimits();
    const armor = armorProtection(limits);

    // Timeouts, socket caps and breakers per subgraph (SUBGRAPH_TIMEOUT_MS…); the hub passes none, read here then.
    const callSettings = config.subgraphCalls ?? readSubgraphCallSettings();
    const sources = new Map<string, SubgraphDataSource>();
    const gateway = new ApolloGateway({
      supergraphSdl,
      // On by default outside NODE_ENV=production: any caller could read the plan, which names internal fetches.
      __exposeQueryPlanExperimental: false,
      buildService: ({ name }) => {
        const url = config.subgraphUrls[name];
        if (!url) throw new Error(`No URL configured for subgraph ${name}`);
        const source = new SubgraphDataSource(name, url, config.subgraphSecret, callSettings[name]);
        sources.set(name, source);
        return source;
      },
    });
    // Not a plugin but a patch over @apollo/gateway internals (answers shaped once per operation), so it installs only over the version it was checked against.
    installResultShaping();
    const apollo = new ApolloServer<GatewayContext>({
      gateway: withFieldPolicy(gateway, supergraphSdl),
      // Automatic persisted queries: clients send a document's hash instead of the document, once registered
      // with any gateway instance (the cache is shared through Redis when configured).
      cache: shared.cache,
      // Registrations expire, so clients registering endless variants cannot grow the shared store without bound.
      persistedQueries: { ttl: PERSISTED_QUERY_TTL_SECONDS },
      // Every hub request carries X-Purpose, which a browser cannot send cross-site without a preflight: it counts
      // as one, so clients that send queries as GET (urql's default) pass CSRF prevention.
      csrfPrevention: { requestHeaders: ['x-apollo-operation-name', 'apollo-require-preflight', 'x-purpose'] },
      formatError,
      includeStacktraceInErrorResponses: false,
      // Apollo would turn introspection off for everyone under NODE_ENV=production; who may introspect is the
      // register's to say, per client (plugins/operation-checks.ts).
      introspection: true,
      parseOptions: { maxTokens: limits.maxTokens },
      validationRules: armor.validationRules,
      // Our own signal handler (core/process.ts) closes everything in order; Apollo's would stop the
      // server by itself and re-send the signal, which reads as a second Ctrl-C.
      stopOnTerminationSignals: false,
      plugins: [
        ApolloServerPluginLandingPageDisabled(),
        // First, so that a missing operation, a subscription or one too large is the refusal answered.
        operationChecksPlugin(limits, limiter),
        ...armor.plugins,
        depthLimitPlugin(config.maxDepth),
        writeDomainPlugin(policy.mutationOwners),
        ...(audited ? [auditPlugin(audit, auditHasher(auditSettings.hmacKey))] : []),
      ],
    });
    await apollo.start();
    closers.push(() => apollo.stop());

    // Only the gateway's own database fails /ready; a subgraph or Redis away is reported as degraded (readiness.ts).
    const checks = [
      databaseCheck(database),
      ...Object.entries(config.subgraphUrls).map(([name, url]) =>
        subgraphCheck(name, url, () => sources.get(name)?.failingFast ?? false),
      ),
    ];
    closers.push(async () => void (await Promise.all(checks.map((c) => c.close?.()))));
    if (shared.redis) checks.push(redisCheck(shared.redis));
    const server = await listen(
      {
        apollo,
        // The caller, its rate limit and purpose are settled on the headers, before the body is read: a caller
        // without a valid token is refused at once, not after an upload it can stall (README "The HTTP door").
        admit: contextFactory({
          key,
          tokens: config.tokens,
          register,
          limiter,
          ...(audited ? { onPurposeRefused: recordRefusedPurpose(audit) } : {}),
        }),
        context: async (_req, admitted) => admitted,
        limits: config.http ?? readHttpLimits(),
        ready: async () => ({ supergraph: 'loaded', ...(await runChecks(checks)) }),
      },
      config.port,
      config.host,
    );
    closers.push(() => server.close());
    return { ...server, register, database, audit, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
