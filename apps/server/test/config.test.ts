import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, knownVariables, loadConfig } from "../src/config.js";

describe("configuration from the environment", () => {
  it("defaults to 127.0.0.1:8000 and SQLite at ./data/teams.db, development keys beside it", () => {
    const config = loadConfig({}, "/srv/teams");
    expect(config).toMatchObject({
      port: 8000,
      host: "127.0.0.1",
      database: { kind: "sqlite", filename: "/srv/teams/data/teams.db" },
      dataDir: "/srv/teams/data",
      maxBodyBytes: 65536,
      webhookTimeoutMs: 10_000,
      webhooksAllowPrivate: false,
      webhookLeaseMs: 10_000,
    });
    expect(config.jwtSecret ?? config.jwtPublicKey ?? config.jwksUrl).toBeUndefined();
  });

  it("takes a postgres:// URL as the database", () => {
    const config = loadConfig({ TEAMS_DATABASE: "postgres://u@db:5432/teams" }, "/srv");
    expect(config.database).toEqual({ kind: "postgres", url: "postgres://u@db:5432/teams" });
  });

  it.each([
    [{ PORT: "eighty" }, "PORT must be an integer"],
    [{ PORT: "70000" }, "PORT must be an integer"],
    [
      { TEAMS_DATABASE: "mysql://db/teams" },
      "TEAMS_DATABASE must be a SQLite file path or a postgres:// URL",
    ],
    [{ TEAMS_JWT_SECRET: "short" }, "TEAMS_JWT_SECRET must be at least 32 bytes"],
    [{ TEAMS_WEBHOOKS_ALLOW_PRIVATE: "yes" }, 'TEAMS_WEBHOOKS_ALLOW_PRIVATE must be "0" or "1"'],
    [{ TEAMS_WEBHOOK_TIMEOUT_MS: "0" }, "TEAMS_WEBHOOK_TIMEOUT_MS must be an integer"],
    [{ TEAMS_WEBHOOK_LEASE_MS: "10" }, "TEAMS_WEBHOOK_LEASE_MS must be an integer"],
    [{ TEAMS_JWT_PUBLIC_KEY: "not a pem" }, "TEAMS_JWT_PUBLIC_KEY must be a PEM public key"],
    [{ TEAMS_JWKS_URL: "ftp://keys" }, "TEAMS_JWKS_URL must be a https: or http: URL"],
    [
      { TEAMS_JWT_SECRET: "x".repeat(32), TEAMS_JWKS_URL: "https://id.example/jwks" },
      "Set only one of TEAMS_JWT_SECRET, TEAMS_JWT_PUBLIC_KEY and TEAMS_JWKS_URL",
    ],
    [{ TEAMS_CORS_ORIGINS: "https://app.example/path" }, "is not an origin"],
    [{ TEAMS_MAX_BODY_BYTES: "-1" }, "TEAMS_MAX_BODY_BYTES must be an integer"],
    [{ TEAMS_PG_POOL_MAX: "0" }, "TEAMS_PG_POOL_MAX must be an integer"],
    [{ TEAMS_REQUEST_TIMEOUT_MS: "10" }, "TEAMS_REQUEST_TIMEOUT_MS must be an integer"],
    [{ TEAMS_EXTERNAL_AZP: "both" }, 'TEAMS_EXTERNAL_AZP must be "client" or "actor", got "both"'],
    [
      { TEAMS_HISTORY_RETENTION: "forever" },
      'TEAMS_HISTORY_RETENTION must be "delete" or "keep", got "forever"',
    ],
    [{ TEAMS_DELEGATED_TOKEN_TTL: "0" }, "TEAMS_DELEGATED_TOKEN_TTL must be an integer from 1"],
    [{ TEAMS_DELEGATED_TOKEN_TTL: "28801" }, "TEAMS_DELEGATED_TOKEN_TTL must be an integer"],
    [{ TEAMS_SIGNING_KEY: "not a pem" }, "TEAMS_SIGNING_KEY must be a PKCS#8 PEM private key"],
  ])("refuses %j with a clear message", (env, message) => {
    expect(() => loadConfig(env, "/srv")).toThrow(ConfigError);
    expect(() => loadConfig(env, "/srv")).toThrow(message);
  });

  it("reads the service's token settings, with their defaults", () => {
    expect(loadConfig({}, "/srv")).toMatchObject({
      serviceIssuer: "http://127.0.0.1:8000",
      signingKey: undefined,
      externalAzp: "client",
      historyRetention: "delete",
      delegatedTokenTtlSeconds: 900,
    });
    expect(loadConfig({ TEAMS_HISTORY_RETENTION: "keep" }, "/srv").historyRetention).toBe("keep");
    const pem = "-----BEGIN PRIVATE KEY-----\\nMIG...\\n-----END PRIVATE KEY-----";
    expect(
      loadConfig(
        {
          TEAMS_PUBLIC_URL: "https://teams.example/",
          TEAMS_SIGNING_KEY: pem,
          TEAMS_EXTERNAL_AZP: "actor",
          TEAMS_DELEGATED_TOKEN_TTL: "300",
        },
        "/srv",
      ),
    ).toMatchObject({
      serviceIssuer: "https://teams.example",
      signingKey: pem,
      externalAzp: "actor",
      delegatedTokenTtlSeconds: 300,
    });
    expect(loadConfig({ HOST: "::1", PORT: "9000" }, "/srv").serviceIssuer).toBe(
      "http://[::1]:9000",
    );
  });

  it("never quotes a TEAMS_SIGNING_KEY it refuses", () => {
    const secret = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg";
    expect(() => loadConfig({ TEAMS_SIGNING_KEY: secret }, "/srv")).toThrow(ConfigError);
    expect(() => loadConfig({ TEAMS_SIGNING_KEY: secret }, "/srv")).not.toThrow(secret);
  });

  it("takes the CSRF secret instances share, and refuses a short one", () => {
    const secret = "s".repeat(32);
    expect(loadConfig({ TEAMS_CSRF_SECRET: secret }, "/srv").csrfSecret).toBe(secret);
    expect(loadConfig({}, "/srv").csrfSecret).toBeUndefined();
    expect(() => loadConfig({ TEAMS_CSRF_SECRET: "short" }, "/srv")).toThrow(
      "TEAMS_CSRF_SECRET must be at least 32 bytes",
    );
  });

  it("keeps metrics and traces off unless asked, and reads their listener and collector", () => {
    const off = loadConfig({}, "/srv");
    expect(off.metrics).toBeUndefined();
    expect(off.otlpEndpoint).toBeUndefined();
    expect(loadConfig({ TEAMS_METRICS_PORT: "9464" }, "/srv").metrics).toEqual({
      port: 9464,
      host: "127.0.0.1",
    });
    const on = loadConfig(
      {
        TEAMS_METRICS_PORT: "9464",
        TEAMS_METRICS_HOST: "0.0.0.0",
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
      },
      "/srv",
    );
    expect(on.metrics).toEqual({ port: 9464, host: "0.0.0.0" });
    expect(on).toMatchObject({ otlpEndpoint: "http://collector:4318", otelServiceName: "teams" });
  });

  it.each([
    [{ TEAMS_METRICS_PORT: "metrics" }, "TEAMS_METRICS_PORT must be an integer from 0 to 65535"],
    [{ TEAMS_METRICS_PORT: "8000" }, "TEAMS_METRICS_PORT must not be PORT"],
    [
      { TEAMS_METRICS_PORT: "9464", TEAMS_METRICS_HOST: "my host" },
      "TEAMS_METRICS_HOST must be an IP address",
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: "grpc://collector:4317" },
      "OTEL_EXPORTER_OTLP_ENDPOINT must be a http: or https: URL",
    ],
  ])("refuses metrics or traces settings it cannot use: %o", (env, message) => {
    expect(() => loadConfig(env, "/srv")).toThrow(message);
  });

  it("reads TEAMS_LOG: json by default, pretty or off, and refuses anything else", () => {
    expect(loadConfig({}).log).toBe("json");
    expect(loadConfig({ TEAMS_LOG: "pretty" }).log).toBe("pretty");
    expect(loadConfig({ TEAMS_LOG: "off" }).log).toBe("off");
    expect(() => loadConfig({ TEAMS_LOG: "verbose" })).toThrow(
      'TEAMS_LOG must be "json", "pretty" or "off", got "verbose"',
    );
  });

  it("lists every problem at once", () => {
    try {
      loadConfig({ PORT: "x", TEAMS_JWT_SECRET: "short" }, "/srv");
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });
});

describe("configuration refuses what it does not know", () => {
  it.each([
    [{ TEAMS_DATABSE: "./x.db" }, "unknown variable TEAMS_DATABSE: did you mean TEAMS_DATABASE?"],
    [
      { TEAMS_JWKSURL: "https://id/jwks" },
      "unknown variable TEAMS_JWKSURL: did you mean TEAMS_JWKS_URL?",
    ],
    [
      { TEAMS_OIDC_ISUER: "https://id" },
      "unknown variable TEAMS_OIDC_ISUER: did you mean TEAMS_OIDC_ISSUER?",
    ],
    [
      { TEAMS_WHATEVER_ELSE: "1" },
      "unknown variable TEAMS_WHATEVER_ELSE (the README's configuration table lists them)",
    ],
    [{ TEAMS_LOG: "verbose" }, 'TEAMS_LOG must be "json", "pretty" or "off", got "verbose"'],
    [{ TEAMS_DEV: "yes" }, 'TEAMS_DEV must be "0" or "1", got "yes"'],
    [{ TEAMS_SESSION_TTL: "28801" }, "TEAMS_SESSION_TTL must be an integer from 60 to 28800"],
    [
      { HOST: "0.0.0.0" },
      "HOST 0.0.0.0 is not a loopback address and no token verification is configured: set TEAMS_OIDC_ISSUER, TEAMS_JWKS_URL, TEAMS_JWT_PUBLIC_KEY or TEAMS_JWT_SECRET, or TEAMS_DEV=1",
    ],
    [{ HOST: "teams.example" }, "HOST teams.example is not a loopback address"],
    [
      { TEAMS_DEV: "1", TEAMS_JWT_SECRET: "x".repeat(32) },
      "TEAMS_DEV=1 asks for development mode, but token verification is configured",
    ],
    [
      { TEAMS_OIDC_ISSUER: "https://id.example", TEAMS_PUBLIC_URL: "https://t.example" },
      "TEAMS_OIDC_ISSUER needs TEAMS_OIDC_CLIENT_ID",
    ],
    [
      { TEAMS_OIDC_ISSUER: "https://id.example", TEAMS_OIDC_CLIENT_ID: "teams" },
      "TEAMS_OIDC_ISSUER needs TEAMS_PUBLIC_URL",
    ],
    [
      {
        TEAMS_OIDC_ISSUER: "http://id.example",
        TEAMS_OIDC_CLIENT_ID: "t",
        TEAMS_PUBLIC_URL: "https://t.example",
      },
      "TEAMS_OIDC_ISSUER must be an https URL (http only on a loopback address)",
    ],
    [
      { TEAMS_OIDC_CLIENT_ID: "teams" },
      "TEAMS_OIDC_CLIENT_ID and TEAMS_OIDC_CLIENT_SECRET need TEAMS_OIDC_ISSUER",
    ],
    [
      { TEAMS_DATABASE: "/no/such/folder/teams.db" },
      "TEAMS_DATABASE: the folder /no/such/folder does not exist",
    ],
  ])("refuses %j: %s", (env, message) => {
    expect(() => loadConfig(env, "/srv")).toThrow(ConfigError);
    expect(() => loadConfig(env, "/srv")).toThrow(message);
  });

  it("says one problem in one line", () => {
    expect(() => loadConfig({ TEAMS_DATABSE: "x" }, "/srv")).toThrow(
      /^Invalid configuration: unknown variable TEAMS_DATABSE: did you mean TEAMS_DATABASE\?$/,
    );
  });

  it("knows every variable it reads, the test tools' own aside", () => {
    const known = knownVariables();
    for (const name of [
      "PORT",
      "HOST",
      "TEAMS_DATABASE",
      "TEAMS_LOG",
      "TEAMS_OIDC_ISSUER",
      "TEAMS_SESSION_TTL",
      "TEAMS_DEV",
      "TEAMS_PG_CONNECT_TIMEOUT_MS",
    ]) {
      expect(known).toContain(name);
    }
    expect(() =>
      loadConfig({ TEAMS_TEST_POSTGRES_URL: "postgres://x", TEAMS_HARDENING_SEED: "1" }, "/srv"),
    ).not.toThrow();
  });

  it("creates the default database folder, but a configured one must exist", () => {
    // The default (./data) is made on first start: the README's first command relies on it.
    expect(() => loadConfig({}, "/no/such/base")).not.toThrow();
    const dir = mkdtempSync(join(tmpdir(), "teams-config-"));
    try {
      expect(loadConfig({ TEAMS_DATABASE: join(dir, "teams.db") }, "/srv").database).toEqual({
        kind: "sqlite",
        filename: join(dir, "teams.db"),
      });
      expect(() => loadConfig({ TEAMS_DATABASE: "teams.db" }, join(dir, "missing"))).toThrow(
        "does not exist",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("modes that cannot be mixed up", () => {
  const oidc = {
    TEAMS_OIDC_ISSUER: "https://id.example/realms/teams",
    TEAMS_OIDC_CLIENT_ID: "teams",
    TEAMS_PUBLIC_URL: "https://teams.example",
  };

  it.each([
    ["loopback, nothing configured", {}, true],
    ["localhost", { HOST: "localhost" }, true],
    ["::1", { HOST: "::1" }, true],
    ["another HOST with TEAMS_DEV=1", { HOST: "0.0.0.0", TEAMS_DEV: "1" }, true],
    ["a JWKS URL", { TEAMS_JWKS_URL: "https://id.example/jwks" }, false],
    ["an OpenID provider", oidc, false],
    ["an OpenID provider on a public HOST", { ...oidc, HOST: "0.0.0.0" }, false],
  ])("%s: development mode %s", (_, env, development) => {
    expect(loadConfig(env, "/srv").development).toBe(development);
  });

  it("reads the provider's settings, a public client without a secret, and the session's lifetime", () => {
    expect(loadConfig(oidc, "/srv")).toMatchObject({
      oidc: { issuer: oidc.TEAMS_OIDC_ISSUER, clientId: "teams", clientSecret: undefined },
      sessionTtlSeconds: 28_800,
    });
    const confidential = loadConfig(
      { ...oidc, TEAMS_OIDC_CLIENT_SECRET: "s3cret", TEAMS_SESSION_TTL: "3600" },
      "/srv",
    );
    expect(confidential.oidc?.clientSecret).toBe("s3cret");
    expect(confidential.sessionTtlSeconds).toBe(3600);
    // A provider on this machine may be plain http (a local Keycloak, the tests).
    expect(
      loadConfig({ ...oidc, TEAMS_OIDC_ISSUER: "http://127.0.0.1:8080/realms/t" }, "/srv").oidc
        ?.issuer,
    ).toBe("http://127.0.0.1:8080/realms/t");
  });
});
