import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { createAuthenticator, SIGNING_KEYS_FILE } from "@teams/auth";
import { createTeams, migrations, readSchemaVersion } from "@teams/core";
import { createApp } from "./app.js";
import { type Config, ConfigError } from "./config.js";
import { listenProblem } from "./listen-problem.js";
import { componentLogger, type Logger } from "./logger.js";
import { startObservability } from "./observability/observability.js";
import { createOidcClient } from "./pages/oidc-client.js";
import { openStore } from "./store.js";
import { startWebhookThread } from "./webhooks/webhook-thread.js";
import type { WebhookWorker } from "./webhooks/webhook-worker.js";

/** How long in-flight requests may take to finish after a stop is asked. */
const shutdownGraceMs = 10_000;

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:8000. */
  url: string;
  mode: "secret" | "public-key" | "jwks" | "development" | "service";
  /** The metrics listener's base URL (`GET /metrics` under it), when TEAMS_METRICS_PORT is set. */
  metricsUrl?: string;
  /** Stops accepting connections, lets in-flight requests finish, then closes the store. */
  close(): Promise<void>;
}

/**
 * Opens the store, builds the app and listens, as the configuration says; with a `logger`, logs
 * each migration applied, a signing key created, and every request (default none: no log).
 */
export async function startServer(config: Config, logger?: Logger): Promise<RunningServer> {
  const observability = await startObservability(config);
  const { metrics, tracing } = observability;
  let store: Awaited<ReturnType<typeof openStore>>;
  let worker: WebhookWorker | undefined;
  try {
    store = await openStore(config.database, config.postgres, {
      log: observability.storeLog,
      onQueryError: observability.onQueryError,
    });
  } catch (error) {
    await observability.close();
    throw error;
  }
  if (logger) {
    const log = componentLogger(logger, "store");
    for (const version of store.migrated) {
      const name = migrations.find((m) => m.version === version)?.name;
      log.info({ version, name }, "migration applied");
    }
  }
  try {
    const keyFile = join(config.dataDir, SIGNING_KEYS_FILE);
    const keyFileExisted = config.signingKey !== undefined || existsSync(keyFile);
    const authenticator = await createAuthenticator({
      jwtSecret: config.jwtSecret,
      publicKeyPem: config.jwtPublicKey,
      jwksUrl: config.jwksUrl,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      dataDir: config.dataDir,
      serviceIssuer: config.serviceIssuer,
      signingKeyPem: config.signingKey,
      externalAzp: config.externalAzp,
      ...(metrics && { onVerification: metrics.tokenVerified }),
      developmentMode: config.development,
      ...(logger && {
        onSigningKeyChange: (kid: string) =>
          componentLogger(logger, "auth").info({ kid }, "signing key rotated: signing with it now"),
      }),
    });
    if (logger && !keyFileExisted && existsSync(keyFile)) {
      // The first public key published is the service's current one.
      const kid = (authenticator.publicJwks.keys[0] as { kid?: string } | undefined)?.kid;
      componentLogger(logger, "auth").info({ kid, file: keyFile }, "signing key created");
    }
    const webhookTargets = { allowPrivate: config.webhooksAllowPrivate };
    const teams = createTeams({
      db: store.db,
      kind: store.kind,
      historyRetention: config.historyRetention,
      ...(metrics && { observer: metrics.observer }),
      webhooks: webhookTargets,
      // A change committed here is sent at once rather than at the worker's next poll.
      afterEvents: () => worker?.nudge(),
    });
    const webhookLog = logger && componentLogger(logger, "webhooks");
    worker = startWebhookThread({
      outbox: teams.webhookOutbox,
      targets: webhookTargets,
      timeoutMs: config.webhookTimeoutMs,
      leaseMs: config.webhookLeaseMs,
      ...((metrics || webhookLog) && {
        observer: {
          onDelivery(outcome, facts) {
            metrics?.webhookDelivered(outcome);
            webhookLog?.info({ outcome, ...facts }, "webhook delivery");
          },
        },
      }),
      ...(webhookLog && {
        onError: (e: unknown) => webhookLog.error({ err: e }, "webhook worker error"),
      }),
    });
    if (metrics && store.poolUse) metrics.watchPool(store.poolUse);
    const outboxAge = () => teams.webhookOutbox.outboxAge();
    metrics?.watchOutbox(async () => (await outboxAge().catch(() => null)) ?? 0);
    let listeningPort = config.port;
    const app = createApp({
      teams,
      authenticator,
      ping: store.ping,
      maxBodyBytes: config.maxBodyBytes,
      corsOrigins: config.corsOrigins,
      allowedReturnOrigins: config.corsOrigins,
      publicOrigin: {
        publicUrl: config.publicUrl,
        trustedProxies: config.trustedProxies,
        // PORT 0 picks a free port: the Host header is checked against the one picked.
        listen: { host: config.host, port: () => listeningPort },
      },
      ...(config.csrfSecret ? { csrfSecret: Buffer.from(config.csrfSecret) } : {}),
      delegatedTokenTtlSeconds: config.delegatedTokenTtlSeconds,
      ...(config.oidc && config.publicUrl
        ? { oidc: createOidcClient({ ...config.oidc, publicUrl: config.publicUrl }) }
        : {}),
      sessionTtlSeconds: config.sessionTtlSeconds,
      rateLimits: { ...config.rateLimits, trustedProxies: config.trustedProxies },
      about: { store: store.kind.family, schemaVersion: () => readSchemaVersion(store.db) },
      outboxAge,
      outboxMaxAgeSeconds: config.readyOutboxMaxAgeSeconds,
      ...(config.introspectionSecret ? { introspectionSecret: config.introspectionSecret } : {}),
      observers: { ...(metrics && { metrics }), ...(tracing && { tracing }) },
      ...(logger ? { logger } : {}),
    });
    const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve(
        {
          fetch: app.fetch,
          port: config.port,
          hostname: config.host,
          // Slow clients cannot hold a connection: the whole request (a client dripping its
          // headers or body byte by byte included) must arrive within the timeout, checked often.
          serverOptions: {
            requestTimeout: config.requestTimeoutMs,
            headersTimeout: config.requestTimeoutMs,
            connectionsCheckingInterval: Math.min(1000, config.requestTimeoutMs),
          },
        },
        () => resolve(s),
      );
      // A port in use or a host that does not resolve: one line naming the variable to change.
      s.once("error", (error) => {
        const line = listenProblem(error, config.host, config.port);
        reject(line ? new ConfigError([line]) : error);
      });
    });
    const metricsUrl = await observability
      .listen(
        (e) =>
          logger && componentLogger(logger, "metrics").error({ err: e }, "metrics listener failed"),
      )
      .catch(async (error) => {
        server.close();
        throw error;
      });
    // An idle connection is closed after the same time.
    server.setTimeout?.(config.requestTimeoutMs);
    const { port } = server.address() as AddressInfo;
    listeningPort = port;
    const host = config.host.includes(":") ? `[${config.host}]` : config.host;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${port}`,
      mode: authenticator.mode,
      ...(metricsUrl && { metricsUrl }),
      close() {
        closing ??= (async () => {
          await new Promise<void>((resolve) => {
            const http = server as unknown as {
              closeIdleConnections(): void;
              closeAllConnections(): void;
            };
            // Connections that finish their request while we wait go idle under keep-alive and
            // would hold close() for the keep-alive timeout; drop them as they go idle, and cut
            // whatever is left after the grace period.
            const sweep = setInterval(() => http.closeIdleConnections(), 50);
            const deadline = setTimeout(() => http.closeAllConnections(), shutdownGraceMs);
            server.close(() => {
              clearInterval(sweep);
              clearTimeout(deadline);
              resolve();
            });
            http.closeIdleConnections();
          });
          await worker?.close();
          await store.close();
          await observability.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await worker?.close();
    await store.close();
    await observability.close();
    throw error;
  }
}
