import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createAuthenticator } from "@teams/auth";
import { createTeams } from "@teams/core";
import { createApp } from "./app.js";
import type { Config } from "./config.js";
import { openStore } from "./store.js";
import { startWebhookWorker, type WebhookWorker } from "./webhooks/webhook-worker.js";

/** How long in-flight requests may take to finish after a stop is asked. */
const shutdownGraceMs = 10_000;

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:8000. */
  url: string;
  mode: "secret" | "public-key" | "jwks" | "development";
  /** Stops accepting connections, lets in-flight requests finish, then closes the store. */
  close(): Promise<void>;
}

/** Opens the store, builds the app and listens, as the configuration says. */
export async function startServer(
  config: Config,
  log: { info(line: string): void; error(error: unknown): void } | undefined = config.log
    ? console
    : undefined,
): Promise<RunningServer> {
  const store = await openStore(config.database, config.postgres);
  let worker: WebhookWorker | undefined;
  try {
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
    });
    const webhookTargets = { allowPrivate: config.webhooksAllowPrivate };
    const teams = createTeams({
      db: store.db,
      kind: store.kind,
      historyRetention: config.historyRetention,
      webhooks: webhookTargets,
      // A change committed here is sent at once rather than at the worker's next poll.
      afterCommit: () => worker?.nudge(),
    });
    worker = startWebhookWorker({
      outbox: teams.webhookOutbox,
      targets: webhookTargets,
      timeoutMs: config.webhookTimeoutMs,
      leaseMs: config.webhookLeaseMs,
      ...(log ? { onError: (e: unknown) => log.error(e) } : {}),
    });
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
      ...(config.introspectionSecret ? { introspectionSecret: config.introspectionSecret } : {}),
      ...(log
        ? { log: { info: (l: string) => log.info(l), error: (e: unknown) => log.error(e) } }
        : {}),
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
      s.once("error", reject);
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
        })();
        return closing;
      },
    };
  } catch (error) {
    await worker?.close();
    await store.close();
    throw error;
  }
}
