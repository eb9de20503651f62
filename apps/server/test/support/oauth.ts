import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { bearer, type Harness, harness, type TestResponse, type TokenClaims } from "../harness.js";

/** The issuer of the service's own tokens in these tests (TEAMS_PUBLIC_URL). */
export const SERVICE_ISSUER = "https://teams.example";
/** The resource servers' introspection secret (TEAMS_INTROSPECTION_SECRET). */
export const INTROSPECTION_SECRET = "resource-server-secret-of-32-bytes-or-more";

export interface OAuthHarness extends Harness {
  /** `POST` of a form (`application/x-www-form-urlencoded`). */
  form(
    path: string,
    fields: Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<TestResponse>;
  /** Obtains a delegated token pair for `body` with the caller's token of `claims`. */
  delegate(claims: TokenClaims, body: unknown): Promise<TestResponse>;
  /** Introspects a token with the resource servers' secret; the answer's body. */
  introspect(token: string): Promise<Record<string, unknown>>;
  /** Refreshes a refresh token: the answer. */
  refresh(refreshToken: string): Promise<TestResponse>;
}

/**
 * The harness with the service's own keys (in a folder of their own) and an introspection
 * secret, on the store asked for, seeded with the fixtures' world. Reference-style tokens of the
 * tests carry `azp` as the acting user (`externalAzp: "actor"`).
 */
export async function oauthHarness(store: "sqlite" | "postgres"): Promise<OAuthHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), "teams-oauth-"));
  const h = await harness({
    store,
    auth: { externalAzp: "actor", serviceIssuer: SERVICE_ISSUER, dataDir },
    app: { introspectionSecret: INTROSPECTION_SECRET },
  });
  const form: OAuthHarness["form"] = (path, fields, headers = {}) =>
    h.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  const basic = `Basic ${Buffer.from(`data-service:${INTROSPECTION_SECRET}`).toString("base64")}`;
  return {
    ...h,
    form,
    async delegate(claims, body) {
      return h.request("/api/v1/oauth/delegated-token", {
        method: "POST",
        headers: await bearer(claims),
        json: body,
      });
    },
    async introspect(token) {
      const response = await form("/api/v1/oauth/introspect", { token }, { authorization: basic });
      if (response.status !== 200) throw new Error(`introspect answered ${response.status}`);
      return response.json();
    },
    refresh: (refreshToken) =>
      form("/api/v1/oauth/token", { grant_type: "refresh_token", refresh_token: refreshToken }),
    async close() {
      try {
        await h.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** A bearer header for a token the service issued. */
export const withToken = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` });

/** The claims of a JWT, unverified (the tests check what the service wrote). */
export const claimsOf = (jwt: string) => decodeJwt(jwt);

/** Every refresh token row, for checking that a refusal stored nothing. */
export async function refreshRows(h: Harness): Promise<number> {
  return (await h.db.selectFrom("refresh_tokens").select("token_hash").execute()).length;
}
