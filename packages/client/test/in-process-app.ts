import { createAuthenticator } from "@teams/auth";
import { createTeams } from "@teams/core";
import { createApp } from "@teams/server";
import { openSqliteStore } from "@teams/sqlite";
import { SignJWT } from "jose";
import { createTeamsClient, type TeamsClient } from "../src/index.js";

/** The HS256 secret every in-process test app verifies with. */
export const secret = "client-test-secret-of-32-bytes-or-more";
const key = new TextEncoder().encode(secret);

/** Signs a token the in-process apps (SQLite or PostgreSQL) accept. */
export async function token(
  sub: string,
  options: { azp?: string; scope?: string } = {},
): Promise<string> {
  return new SignJWT({
    scope: options.scope ?? "data:read data:write profile",
    ...(options.azp ? { azp: options.azp } : {}),
  })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(key);
}

/** The whole server app over a fresh in-memory store, reached without a socket. */
export async function inProcessApp() {
  const store = await openSqliteStore({ filename: ":memory:" });
  const app = createApp({
    teams: createTeams(store),
    authenticator: await createAuthenticator({ jwtSecret: secret, externalAzp: "actor" }),
    ping: store.ping,
  });
  const fetch = ((input: string | URL | Request, init?: RequestInit) =>
    app.fetch(new Request(input, init))) as typeof globalThis.fetch;
  return {
    app,
    /** A typed client calling as `sub` (delegated when `azp` is given). */
    client(sub: string, options: { azp?: string; scope?: string } = {}): TeamsClient {
      return createTeamsClient({
        url: "http://teams.test",
        token: () => token(sub, options),
        fetch,
      });
    },
    close: () => store.close(),
  };
}
