import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

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

  it("lists every problem at once", () => {
    try {
      loadConfig({ PORT: "x", TEAMS_JWT_SECRET: "short" }, "/srv");
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });
});
