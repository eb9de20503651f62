import { existsSync } from "node:fs";
import { isIP } from "node:net";
import { dirname, isAbsolute, resolve } from "node:path";
import { closestName } from "./closest-name.js";
import type { LogFormat } from "./logger.js";
import { isLoopbackHost } from "./loopback.js";

/** The server's configuration, read from the environment in this one place (DESIGN §5). */
export interface Config {
  /** PORT, default 8000. */
  port: number;
  /** HOST, default 127.0.0.1 (loopback: exposing the service is a deliberate act). */
  host: string;
  /** TEAMS_DATABASE: a SQLite file path (default ./data/teams.db) or a postgres:// URL. */
  database: { kind: "sqlite"; filename: string } | { kind: "postgres"; url: string };
  /** TEAMS_DATA_DIR: where development mode keeps its signing key; default the database's folder. */
  dataDir: string;
  /**
   * The folder relative paths are read against (TEAMS_DATABASE, TEAMS_DATA_DIR, a command's file
   * arguments): INIT_CWD when run through pnpm, where the command was typed; else the current one.
   */
  baseDir: string;
  jwtSecret: string | undefined;
  jwtPublicKey: string | undefined;
  jwksUrl: string | undefined;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  /** TEAMS_CORS_ORIGINS: comma-separated origins allowed to call the API from a browser. */
  corsOrigins: string[];
  /** TEAMS_MAX_BODY_BYTES: largest request body accepted, default 65536 (64 KiB). */
  maxBodyBytes: number;
  /**
   * TEAMS_REQUEST_TIMEOUT_MS: longest a client may take to send a whole request (headers and
   * body), default 30000; a connection idle that long is closed too.
   */
  requestTimeoutMs: number;
  /**
   * TEAMS_LOG: "json" (default), one JSON object a line on standard output; "pretty", lines for a
   * terminal (pino-pretty); "off", no log at all.
   */
  log: LogFormat;
  /**
   * TEAMS_CSRF_SECRET: the secret of the consent pages' CSRF tokens (at least 32 bytes). Default a
   * random one per process, so several instances behind one address must share one.
   */
  csrfSecret: string | undefined;
  /**
   * TEAMS_PUBLIC_URL: the origin people reach the service at, e.g. https://teams.example (behind a
   * TLS proxy). It decides redirects, the pages' origin check and the cookie's Secure. Default none.
   */
  publicUrl: string | undefined;
  /**
   * TEAMS_TRUSTED_PROXIES: comma-separated IP addresses of the proxies whose X-Forwarded-Proto and
   * X-Forwarded-Host are believed. Default none: those headers are ignored.
   */
  trustedProxies: string[];
  /**
   * The `iss` of the tokens the service signs: TEAMS_PUBLIC_URL, or `http://<HOST>:<PORT>` when it
   * is unset.
   */
  serviceIssuer: string;
  /**
   * TEAMS_SIGNING_KEY: the service's signing key, a PKCS#8 PEM private key (EC P-256 or Ed25519).
   * Default none: a key kept in the data folder (signing-keys.json), created on first start.
   */
  signingKey: string | undefined;
  /**
   * TEAMS_EXTERNAL_AZP: how the identity provider's `azp` is read: "client" (default), an OAuth
   * client id that never makes a token delegated; "actor", the acting user (the reference's tokens).
   */
  externalAzp: "client" | "actor";
  /**
   * TEAMS_HISTORY_RETENTION: what deleting a user does to the consent history of its
   * authorizations: "delete" (default) removes it with the user; "keep" keeps it, for an operator
   * who must be able to prove past consent. The operator's legal choice.
   */
  historyRetention: "delete" | "keep";
  /** TEAMS_DELEGATED_TOKEN_TTL: lifetime of the delegated tokens the service issues, in seconds; default 900. */
  delegatedTokenTtlSeconds: number;
  /**
   * TEAMS_INTROSPECTION_SECRET: the secret resource servers present (HTTP Basic password) to
   * `POST /api/v1/oauth/introspect`, at least 32 bytes. Default none: only an admin-scoped token
   * may introspect.
   */
  introspectionSecret: string | undefined;
  /**
   * Whether the server runs in development mode (its own key, `teams token`, `/dev/sign-in`): only
   * when no token verification is configured (no TEAMS_JWT_SECRET, TEAMS_JWT_PUBLIC_KEY,
   * TEAMS_JWKS_URL or TEAMS_OIDC_ISSUER) and HOST is loopback, or on another HOST with TEAMS_DEV=1.
   */
  development: boolean;
  /**
   * Sign-in to the pages through an OpenID Connect provider: TEAMS_OIDC_ISSUER (its issuer URL,
   * https; http only on a loopback address), TEAMS_OIDC_CLIENT_ID, TEAMS_OIDC_CLIENT_SECRET (absent
   * for a public client). Default none: no provider (development mode signs in with links).
   */
  oidc: { issuer: string; clientId: string; clientSecret: string | undefined } | undefined;
  /** TEAMS_SESSION_TTL: lifetime in seconds of a browser session (the `token` cookie); default 28800 (8 hours), at most 28800. */
  sessionTtlSeconds: number;
  /**
   * Rate limits, each per window of TEAMS_RATE_LIMIT_WINDOW seconds (default 60), 0 turning it off:
   * TEAMS_RATE_LIMIT, requests from one client address (default 6000); TEAMS_RATE_LIMIT_CALLER,
   * requests of one authenticated caller (default 3000); TEAMS_RATE_LIMIT_AUTH_FAILURES, 401
   * answers to one address before it is refused for the rest of the window (default 300). Counted
   * per instance.
   */
  rateLimits: {
    perAddress: number;
    perCaller: number;
    authFailures: number;
    windowSeconds: number;
  };
  /**
   * TEAMS_READY_OUTBOX_MAX_AGE: seconds the webhook outbox's oldest undelivered entry may wait
   * before `/readyz` answers 503 (deliveries stuck). Default 300.
   */
  readyOutboxMaxAgeSeconds: number;
  /**
   * TEAMS_WEBHOOK_TIMEOUT_MS: how long a webhook receiver may take to answer before the attempt
   * counts as failed (and is retried), default 10000.
   */
  webhookTimeoutMs: number;
  /**
   * TEAMS_WEBHOOKS_ALLOW_PRIVATE: "1" lets webhooks go to loopback, private and link-local
   * addresses (a receiver beside the service, tests); default "0": such receivers are refused when
   * subscribing and before every delivery.
   */
  webhooksAllowPrivate: boolean;
  /**
   * TEAMS_WEBHOOK_LEASE_MS: how long a subscription stays with the instance sending to it unless
   * renewed (every third of it): the longest an instance that died keeps its subscribers waiting.
   * Default 10000.
   */
  webhookLeaseMs: number;
  /** PostgreSQL only: TEAMS_PG_POOL_MAX (10), TEAMS_PG_STATEMENT_TIMEOUT_MS (5000), TEAMS_PG_CONNECT_TIMEOUT_MS (5000). */
  postgres: { max: number; statementTimeoutMs: number; connectionTimeoutMs: number } /**
   * TEAMS_METRICS_PORT and TEAMS_METRICS_HOST: where Prometheus scrapes `GET /metrics`, a listener
   * of its own (never the API's port). Default none: no metrics are kept. The host defaults to
   * 127.0.0.1; PORT 0 picks a free port.
   */;
  metrics: { port: number; host: string } | undefined;
  /**
   * OTEL_EXPORTER_OTLP_ENDPOINT: the OTLP/HTTP collector's base URL (traces go to `<it>/v1/traces`),
   * OpenTelemetry's own variable. Default none: no tracing, and nothing of OpenTelemetry is loaded.
   */
  otlpEndpoint: string | undefined;
  /** OTEL_SERVICE_NAME: the traces' `service.name`. Default `teams`. */
  otelServiceName: string;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid configuration: ${problems[0]}`
        : `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}

type Env = Record<string, string | undefined>;

/**
 * Variables of this repository's own test tools (seeds, the PostgreSQL URL), which the server never reads: they
 * may be in a developer's environment without stopping a start.
 */
const TOOL_PREFIXES = ["TEAMS_TEST_", "TEAMS_HARDENING_"];

/** Reads and checks the configuration; relative paths resolve against `baseDir`. */
export function loadConfig(
  env: Env = process.env,
  baseDir = env.INIT_CWD ?? process.cwd(),
): Config {
  const { config, problems } = readConfiguration(env, baseDir);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * Every variable the configuration reads, in the order read: the registry an unknown `TEAMS_*`
 * variable is checked against. It is derived from the readers below, so a variable is known by
 * being read there (read each one unconditionally, through `text`).
 */
export function knownVariables(): string[] {
  return [...readConfiguration({}, "/").read];
}

function readConfiguration(
  env: Env,
  baseDir: string,
): { config: Config; problems: string[]; read: Set<string> } {
  const problems: string[] = [];
  const read = new Set<string>();
  const text = (name: string): string | undefined => {
    read.add(name);
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  /** One of `values`, `fallback` when unset; anything else is a problem naming them. */
  const oneOf = <T extends string>(name: string, values: readonly T[], fallback: T): T => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    if ((values as readonly string[]).includes(raw)) return raw as T;
    const quoted = values.map((v) => `"${v}"`);
    const list =
      quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}` : quoted[0];
    problems.push(`${name} must be ${list}, got "${raw}"`);
    return fallback;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = text(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must be a ${protocols.join(" or ")} URL, got "${parsed.protocol}"`);
      }
    } catch {
      problems.push(`${name} must be a URL`);
    }
    return raw;
  };

  const port = integer("PORT", 8000, 0, 65535);
  const host = text("HOST") ?? "127.0.0.1";
  const configuredDatabase = text("TEAMS_DATABASE");
  const rawDatabase = configuredDatabase ?? "./data/teams.db";
  let database: Config["database"];
  if (/^postgres(ql)?:\/\//.test(rawDatabase)) {
    url("TEAMS_DATABASE", ["postgres:", "postgresql:"]);
    database = { kind: "postgres", url: rawDatabase };
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rawDatabase)) {
    problems.push("TEAMS_DATABASE must be a SQLite file path or a postgres:// URL");
    database = { kind: "sqlite", filename: rawDatabase };
  } else {
    const filename =
      rawDatabase === ":memory:" || isAbsolute(rawDatabase)
        ? rawDatabase
        : resolve(baseDir, rawDatabase);
    database = { kind: "sqlite", filename };
    // The default folder is made on first start (as the README's first command expects); a
    // configured one must exist: a typo would otherwise start an empty database elsewhere.
    if (
      configuredDatabase !== undefined &&
      filename !== ":memory:" &&
      !existsSync(dirname(filename))
    ) {
      problems.push(`TEAMS_DATABASE: the folder ${dirname(filename)} does not exist`);
    }
  }
  const rawDataDir = text("TEAMS_DATA_DIR");
  const dataDir = rawDataDir
    ? resolve(baseDir, rawDataDir)
    : database.kind === "sqlite" && database.filename !== ":memory:"
      ? resolve(database.filename, "..")
      : resolve(baseDir, "data");

  const jwtSecret = text("TEAMS_JWT_SECRET");
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < 32) {
    problems.push(
      "TEAMS_JWT_SECRET must be at least 32 bytes (HS256 needs a key as long as its hash)",
    );
  }
  const jwtPublicKey = text("TEAMS_JWT_PUBLIC_KEY")?.replace(/\\n/g, "\n");
  if (jwtPublicKey !== undefined && !jwtPublicKey.includes("-----BEGIN PUBLIC KEY-----")) {
    problems.push("TEAMS_JWT_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY-----)");
  }
  const jwksUrl = url("TEAMS_JWKS_URL", ["https:", "http:"]);
  const jwtIssuer = text("TEAMS_JWT_ISSUER");
  const jwtAudience = text("TEAMS_JWT_AUDIENCE");
  const sources = [jwtSecret, jwtPublicKey, jwksUrl].filter((s) => s !== undefined).length;
  if (sources > 1) {
    problems.push("Set only one of TEAMS_JWT_SECRET, TEAMS_JWT_PUBLIC_KEY and TEAMS_JWKS_URL");
  }
  const corsOrigins = (text("TEAMS_CORS_ORIGINS") ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o !== "");
  for (const origin of corsOrigins) {
    try {
      if (new URL(origin).origin !== origin) throw new Error();
    } catch {
      problems.push(`TEAMS_CORS_ORIGINS: "${origin}" is not an origin like https://app.example`);
    }
  }
  const csrfSecret = text("TEAMS_CSRF_SECRET");
  if (csrfSecret !== undefined && Buffer.byteLength(csrfSecret) < 32) {
    problems.push("TEAMS_CSRF_SECRET must be at least 32 bytes");
  }
  let publicUrl = url("TEAMS_PUBLIC_URL", ["https:", "http:"]);
  if (publicUrl !== undefined) {
    try {
      const parsed = new URL(publicUrl);
      if (parsed.pathname !== "/" || parsed.search || parsed.hash || parsed.username) {
        problems.push(
          `TEAMS_PUBLIC_URL must be an origin like https://teams.example, got "${publicUrl}"`,
        );
      }
      publicUrl = parsed.origin;
    } catch {
      // url() listed it already
    }
  }
  const trustedProxies = (text("TEAMS_TRUSTED_PROXIES") ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter((a) => a !== "");
  for (const address of trustedProxies) {
    if (isIP(address) === 0) {
      problems.push(`TEAMS_TRUSTED_PROXIES: "${address}" is not an IP address`);
    }
  }
  const signingKey = text("TEAMS_SIGNING_KEY");
  if (signingKey !== undefined && !signingKey.includes("-----BEGIN PRIVATE KEY-----")) {
    // Never quoted: it is a private key.
    problems.push(
      "TEAMS_SIGNING_KEY must be a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)",
    );
  }
  const externalAzp = oneOf("TEAMS_EXTERNAL_AZP", ["client", "actor"], "client");
  const historyRetention = oneOf("TEAMS_HISTORY_RETENTION", ["delete", "keep"], "delete");
  // At most the longest a service token may live (the auth package's maxTokenTtlSeconds, 8 hours).
  const delegatedTokenTtlSeconds = integer("TEAMS_DELEGATED_TOKEN_TTL", 900, 1, 28_800);
  const introspectionSecret = text("TEAMS_INTROSPECTION_SECRET");
  if (introspectionSecret !== undefined && Buffer.byteLength(introspectionSecret) < 32) {
    problems.push("TEAMS_INTROSPECTION_SECRET must be at least 32 bytes");
  }
  const serviceIssuer = publicUrl ?? `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const maxBodyBytes = integer("TEAMS_MAX_BODY_BYTES", 65536, 1024, 16 * 1024 * 1024);
  const log: LogFormat = oneOf("TEAMS_LOG", ["json", "pretty", "off"], "json");
  const requestTimeoutMs = integer("TEAMS_REQUEST_TIMEOUT_MS", 30_000, 1000, 600_000);
  const webhookTimeoutMs = integer("TEAMS_WEBHOOK_TIMEOUT_MS", 10_000, 100, 120_000);
  const rawAllowPrivate = text("TEAMS_WEBHOOKS_ALLOW_PRIVATE") ?? "0";
  if (rawAllowPrivate !== "0" && rawAllowPrivate !== "1") {
    problems.push(`TEAMS_WEBHOOKS_ALLOW_PRIVATE must be "0" or "1", got "${rawAllowPrivate}"`);
  }
  const webhooksAllowPrivate = rawAllowPrivate === "1";
  const webhookLeaseMs = integer("TEAMS_WEBHOOK_LEASE_MS", 10_000, 300, 600_000);
  const postgres = {
    max: integer("TEAMS_PG_POOL_MAX", 10, 1, 1000),
    statementTimeoutMs: integer("TEAMS_PG_STATEMENT_TIMEOUT_MS", 5000, 0, 3_600_000),
    connectionTimeoutMs: integer("TEAMS_PG_CONNECT_TIMEOUT_MS", 5000, 100, 600_000),
  };
  const metricsHost = text("TEAMS_METRICS_HOST") ?? "127.0.0.1";
  if (isIP(metricsHost) === 0 && metricsHost !== "localhost") {
    problems.push(`TEAMS_METRICS_HOST must be an IP address, got "${metricsHost}"`);
  }
  const metrics =
    text("TEAMS_METRICS_PORT") === undefined
      ? undefined
      : { port: integer("TEAMS_METRICS_PORT", 0, 0, 65535), host: metricsHost };
  if (metrics && metrics.port !== 0 && metrics.port === port) {
    problems.push("TEAMS_METRICS_PORT must not be PORT: metrics have a listener of their own");
  }
  const otlpEndpoint = url("OTEL_EXPORTER_OTLP_ENDPOINT", ["http:", "https:"]);
  const oidcIssuer = url("TEAMS_OIDC_ISSUER", ["https:", "http:"]);
  const oidcClientId = text("TEAMS_OIDC_CLIENT_ID");
  const oidcClientSecret = text("TEAMS_OIDC_CLIENT_SECRET");
  let oidc: Config["oidc"];
  if (oidcIssuer !== undefined) {
    if (oidcClientId === undefined) {
      problems.push("TEAMS_OIDC_ISSUER needs TEAMS_OIDC_CLIENT_ID (the client registered there)");
    }
    if (publicUrl === undefined) {
      problems.push(
        "TEAMS_OIDC_ISSUER needs TEAMS_PUBLIC_URL: the provider sends people back to <TEAMS_PUBLIC_URL>/auth/callback",
      );
    }
    const issuerUrl = URL.canParse(oidcIssuer) ? new URL(oidcIssuer) : undefined;
    if (issuerUrl?.protocol === "http:" && !isLoopbackHost(issuerUrl.hostname)) {
      problems.push("TEAMS_OIDC_ISSUER must be an https URL (http only on a loopback address)");
    }
    oidc = { issuer: oidcIssuer, clientId: oidcClientId ?? "", clientSecret: oidcClientSecret };
  } else if (oidcClientId !== undefined || oidcClientSecret !== undefined) {
    problems.push("TEAMS_OIDC_CLIENT_ID and TEAMS_OIDC_CLIENT_SECRET need TEAMS_OIDC_ISSUER");
  }
  // The session token is a service token: at most the 8 hours any of them lives.
  const sessionTtlSeconds = integer("TEAMS_SESSION_TTL", 28_800, 60, 28_800);

  // Development mode only when nothing verifies tokens, and on another address than loopback only
  // when asked for by name: a public server must never sign its own tokens by accident.
  const askedDevelopment = oneOf("TEAMS_DEV", ["0", "1"], "0") === "1";
  const verifies = sources > 0 || oidcIssuer !== undefined;
  if (verifies && askedDevelopment) {
    problems.push(
      "TEAMS_DEV=1 asks for development mode, but token verification is configured (TEAMS_JWT_SECRET, TEAMS_JWT_PUBLIC_KEY, TEAMS_JWKS_URL or TEAMS_OIDC_ISSUER): unset one or the other",
    );
  }
  if (!verifies && !askedDevelopment && !isLoopbackHost(host)) {
    problems.push(
      `HOST ${host} is not a loopback address and no token verification is configured: set TEAMS_OIDC_ISSUER, TEAMS_JWKS_URL, TEAMS_JWT_PUBLIC_KEY or TEAMS_JWT_SECRET, or TEAMS_DEV=1 to run development mode there on purpose`,
    );
  }
  const development = !verifies;

  const rateLimits = {
    perAddress: integer("TEAMS_RATE_LIMIT", 6000, 0, 100_000_000),
    perCaller: integer("TEAMS_RATE_LIMIT_CALLER", 3000, 0, 100_000_000),
    authFailures: integer("TEAMS_RATE_LIMIT_AUTH_FAILURES", 300, 0, 100_000_000),
    windowSeconds: integer("TEAMS_RATE_LIMIT_WINDOW", 60, 1, 86_400),
  };
  const readyOutboxMaxAgeSeconds = integer("TEAMS_READY_OUTBOX_MAX_AGE", 300, 1, 604_800);
  for (const name of Object.keys(env)) {
    if (!name.startsWith("TEAMS_") || read.has(name)) continue;
    if (TOOL_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    const meant = closestName(name, read);
    problems.push(
      meant
        ? `unknown variable ${name}: did you mean ${meant}?`
        : `unknown variable ${name} (the README's configuration table lists them)`,
    );
  }
  const config: Config = {
    port,
    host,
    database,
    dataDir,
    baseDir,
    jwtSecret,
    jwtPublicKey,
    jwksUrl,
    jwtIssuer,
    jwtAudience,
    corsOrigins,
    maxBodyBytes,
    requestTimeoutMs,
    log,
    csrfSecret,
    publicUrl,
    trustedProxies,
    serviceIssuer,
    signingKey,
    externalAzp,
    historyRetention,
    delegatedTokenTtlSeconds,
    introspectionSecret,
    development,
    oidc,
    sessionTtlSeconds,
    rateLimits,
    readyOutboxMaxAgeSeconds,
    webhookTimeoutMs,
    webhooksAllowPrivate,
    webhookLeaseMs,
    postgres,
    metrics,
    otlpEndpoint,
    otelServiceName: text("OTEL_SERVICE_NAME") ?? "teams",
  };
  return { config, problems, read };
}
