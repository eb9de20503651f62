import { isIP } from "node:net";
import { isAbsolute, resolve } from "node:path";

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
  /** TEAMS_LOG: "off" silences the request log; default on. */
  log: boolean;
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
  postgres: { max: number; statementTimeoutMs: number; connectionTimeoutMs: number };
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

type Env = Record<string, string | undefined>;

/** Reads and checks the configuration; relative paths resolve against `baseDir`. */
export function loadConfig(
  env: Env = process.env,
  baseDir = env.INIT_CWD ?? process.cwd(),
): Config {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
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
  const rawDatabase = text("TEAMS_DATABASE") ?? "./data/teams.db";
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
  const rawExternalAzp = text("TEAMS_EXTERNAL_AZP") ?? "client";
  if (rawExternalAzp !== "client" && rawExternalAzp !== "actor") {
    problems.push(`TEAMS_EXTERNAL_AZP must be "client" or "actor", got "${rawExternalAzp}"`);
  }
  const externalAzp = rawExternalAzp === "actor" ? "actor" : "client";
  const rawRetention = text("TEAMS_HISTORY_RETENTION") ?? "delete";
  if (rawRetention !== "delete" && rawRetention !== "keep") {
    problems.push(`TEAMS_HISTORY_RETENTION must be "delete" or "keep", got "${rawRetention}"`);
  }
  const historyRetention = rawRetention === "keep" ? "keep" : "delete";
  // At most the longest a service token may live (the auth package's maxTokenTtlSeconds, 8 hours).
  const delegatedTokenTtlSeconds = integer("TEAMS_DELEGATED_TOKEN_TTL", 900, 1, 28_800);
  const introspectionSecret = text("TEAMS_INTROSPECTION_SECRET");
  if (introspectionSecret !== undefined && Buffer.byteLength(introspectionSecret) < 32) {
    problems.push("TEAMS_INTROSPECTION_SECRET must be at least 32 bytes");
  }
  const serviceIssuer = publicUrl ?? `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const maxBodyBytes = integer("TEAMS_MAX_BODY_BYTES", 65536, 1024, 16 * 1024 * 1024);
  const log = text("TEAMS_LOG") !== "off";
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
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    database,
    dataDir,
    jwtSecret,
    jwtPublicKey,
    jwksUrl,
    jwtIssuer: text("TEAMS_JWT_ISSUER"),
    jwtAudience: text("TEAMS_JWT_AUDIENCE"),
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
    webhookTimeoutMs,
    webhooksAllowPrivate,
    webhookLeaseMs,
    postgres,
  };
}
