import type { OpenAPIHono } from "@hono/zod-openapi";
import { type AuthOptions, createAuthenticator } from "@teams/auth";
import { type CreateTeamsOptions, createTeams, type Teams } from "@teams/core";
import { seedWorld } from "@teams/core/testing";
import { openSqliteStore, type SqliteStore } from "@teams/sqlite";
import { SignJWT } from "jose";
import { type AppOptions, createApp } from "../src/app.js";
import { openPostgresTestStore } from "./hardening/support/stores.js";

export const SECRET = "test-secret-of-at-least-thirty-two-bytes!";
const key = new TextEncoder().encode(SECRET);

export interface TokenClaims {
  sub?: unknown;
  azp?: string;
  scope?: string;
  exp?: number;
  given_name?: string;
  /** Issued at (seconds); now by default. */
  iat?: number;
  scopes?: unknown;
  team_id?: string;
}

/** Signs a token the test server accepts (HS256 with the test secret) unless told otherwise. */
export async function token(claims: TokenClaims = {}): Promise<string> {
  const { exp, iat, ...rest } = claims;
  return new SignJWT({ scope: "data:read data:write profile", ...rest } as Record<string, unknown>)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt(iat)
    .setExpirationTime(exp ?? "1h")
    .sign(key);
}

export const bearer = async (claims: TokenClaims) => ({
  authorization: `Bearer ${await token(claims)}`,
});

/** A response whose JSON tests read freely (they assert its shape themselves). */
// biome-ignore lint/suspicious/noExplicitAny: test bodies are checked by assertions, not by types
export type TestResponse = Omit<Response, "json"> & { json(): Promise<any> };

export interface Harness {
  teams: Teams;
  /** The app itself, to serve it over HTTP (`@hono/node-server`'s `serve`). */
  app: OpenAPIHono;
  /** The store's database, for tests that check what a refusal left as it was. */
  db: HarnessStore["db"];
  /** Calls the app in process, JSON bodies encoded for you when `json` is given. */
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<TestResponse>;
  close(): Promise<void>;
}

/** What the harness needs of a store: `SqliteStore` and `PostgresStore` both are one. */
export type HarnessStore = Pick<SqliteStore, "db" | "kind" | "ping" | "close">;

/**
 * A fresh app over its own store: an in-memory SQLite one, or with `store: "postgres"` a
 * PostgreSQL schema of its own (dropped on close), or what `open` gives; seeded with the
 * fixtures' small world.
 */
export async function harness(
  options: {
    seed?: boolean;
    maxBodyBytes?: number;
    corsOrigins?: string[];
    store?: "sqlite" | "postgres";
    open?: () => Promise<HarnessStore>;
    /** More options of the authenticator (the service's own keys: `serviceIssuer`, `dataDir`). */
    auth?: Partial<AuthOptions>;
    /** More options of the app (`introspectionSecret`, `delegatedTokenTtlSeconds`). */
    app?: Partial<Omit<AppOptions, "teams" | "authenticator" | "ping">>;
    /** More options of the core (`webhooks`). */
    teams?: Partial<Omit<CreateTeamsOptions, "db" | "kind">>;
  } = {},
): Promise<Harness> {
  const open =
    options.open ??
    (options.store === "postgres"
      ? () => openPostgresTestStore("http")
      : () => openSqliteStore({ filename: ":memory:" }));
  const store = await open();
  const teams = createTeams({ db: store.db, kind: store.kind, ...options.teams });
  if (options.seed ?? true) await seedWorld(teams);
  const authenticator = await createAuthenticator({
    jwtSecret: SECRET,
    externalAzp: "actor",
    ...options.auth,
  });
  const app = createApp({
    teams,
    authenticator,
    ping: store.ping,
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
    ...options.app,
  });
  return {
    teams,
    app,
    db: store.db,
    async request(path, init = {}) {
      const { json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (json !== undefined && !headers.has("content-type"))
        headers.set("content-type", "application/json");
      return app.request(path, {
        ...rest,
        headers,
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
    },
    close: () => store.close(),
  };
}
