import { messages } from "@teams/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { postgresSkipReason, reportSkip } from "./hardening/support/stores.js";
import { bearer } from "./harness.js";
import { type OAuthHarness, oauthHarness, withToken } from "./support/oauth.js";

// Every change that ends the basis of a token the service issued, over HTTP (issue 15 point 3):
// the access token turns inactive at introspection before it expires, and its refresh token is
// refused. Reuse detection, revocation (RFC 7009) and who may introspect (RFC 7662). Both stores.

const skipPostgres = reportSkip("oauth-basis", await postgresSkipReason());
const stores: [string, "sqlite" | "postgres"][] = [
  ["SQLite", "sqlite"],
  ...(skipPostgres ? [] : [["PostgreSQL", "postgres"] as [string, "postgres"]]),
];

interface Pair {
  access_token: string;
  refresh_token: string;
}

describe.each(stores)("the basis of a delegated token (%s)", (_, store) => {
  let h: OAuthHarness;
  /** Coach's token acting as its managed user ann. */
  let annByCoach: Pair;
  /** Assistant's token for ann through the club, which ann authorized with data:read, profile. */
  let annByAssistant: Pair;

  const pair = async (claims: { sub: string }, body: unknown): Promise<Pair> => {
    const response = await h.delegate(claims, body);
    expect(response.status).toBe(200);
    return response.json();
  };
  const request = async (method: string, path: string, claims: object, json?: unknown) =>
    h.request(path, {
      method,
      headers: await bearer(claims),
      ...(json === undefined ? {} : { json }),
    });

  beforeEach(async () => {
    h = await oauthHarness(store);
    annByCoach = await pair({ sub: "coach" }, { sub: "ann" });
    const granted = await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: withToken(annByCoach.access_token),
      json: { scopes: ["data:read", "profile"] },
    });
    expect(granted.status).toBe(200);
    annByAssistant = await pair({ sub: "assistant" }, { sub: "ann", team_id: "club" });
    expect((await h.introspect(annByAssistant.access_token)).active).toBe(true);
    expect((await h.introspect(annByCoach.access_token)).active).toBe(true);
  });
  afterEach(() => h.close());

  /** The token is inactive at introspection, and its refresh token refused. */
  const ended = async (token: Pair) => {
    expect(await h.introspect(token.access_token)).toEqual({ active: false });
    expect(await h.introspect(token.refresh_token)).toEqual({ active: false });
    const refreshed = await h.refresh(token.refresh_token);
    expect(refreshed.status).toBe(400);
    expect((await refreshed.json()).error).toBe("invalid_grant");
  };
  const lives = async (token: Pair) => {
    expect((await h.introspect(token.access_token)).active).toBe(true);
    expect((await h.refresh(token.refresh_token)).status).toBe(200);
  };

  it("introspection describes a live token", async () => {
    expect(await h.introspect(annByAssistant.access_token)).toMatchObject({
      active: true,
      sub: "ann",
      scope: "data:read profile",
      azp: "assistant",
      act: { sub: "assistant" },
      team_id: "club",
      token_type: "Bearer",
      exp: expect.any(Number),
    });
    expect(await h.introspect(annByAssistant.refresh_token)).toMatchObject({
      active: true,
      sub: "ann",
      token_type: "refresh_token",
    });
  });

  it("revoking the authorization", async () => {
    const revoked = await h.request("/api/v1/teams/club/authorize", {
      method: "DELETE",
      headers: withToken(annByCoach.access_token),
    });
    expect(revoked.status).toBe(200);
    await ended(annByAssistant);
    await lives(annByCoach);
  });

  it("narrowing the authorization below the token's scopes", async () => {
    const narrowed = await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: withToken(annByCoach.access_token),
      json: { scopes: ["data:read"] },
    });
    expect(narrowed.status).toBe(200);
    await ended(annByAssistant);
    // A token within the new grant is obtained and lives.
    await lives(await pair({ sub: "assistant" }, { sub: "ann", team_id: "club" }));
  });

  it("removing the member", async () => {
    const removed = await request("DELETE", "/api/v1/teams/club/members/assistant", {
      sub: "coach",
    });
    expect(removed.status).toBe(204);
    await ended(annByAssistant);
    await lives(annByCoach);
  });

  it("deleting the team", async () => {
    expect((await request("DELETE", "/api/v1/teams/club", { sub: "coach" })).status).toBe(204);
    await ended(annByAssistant);
  });

  it("deleting the user", async () => {
    expect((await request("DELETE", "/api/v1/users/ann", { sub: "coach" })).status).toBe(204);
    await ended(annByAssistant);
    await ended(annByCoach);
  });

  it("changing the user's manager", async () => {
    const changed = await request(
      "PUT",
      "/api/v1/admin/users/ann",
      { sub: "platform", scope: "admin" },
      { first_name: "Ann", last_name: "Athlete", manager_id: "assistant" },
    );
    expect(changed.status).toBe(200);
    await ended(annByCoach);
    // The team's basis does not hang on the manager.
    await lives(annByAssistant);
  });

  it("reusing a rotated refresh token ends its whole family", async () => {
    const next = await (await h.refresh(annByCoach.refresh_token)).json();
    const reused = await h.refresh(annByCoach.refresh_token);
    expect(await reused.json()).toEqual({
      error: "invalid_grant",
      error_description: messages.refreshTokenReused,
    });
    const successor = await h.refresh(next.refresh_token);
    expect(successor.status).toBe(400);
    // Another family of the same pair is untouched.
    await lives(annByAssistant);
  });

  it("revoking a refresh token (RFC 7009) ends its family; unknown ones are fine", async () => {
    const next = await (await h.refresh(annByCoach.refresh_token)).json();
    const revoked = await h.form("/api/v1/oauth/revoke", { token: annByCoach.refresh_token });
    expect(revoked.status).toBe(200);
    expect((await h.refresh(next.refresh_token)).status).toBe(400);
    expect((await h.form("/api/v1/oauth/revoke", { token: "unknown" })).status).toBe(200);
    const missing = await h.form("/api/v1/oauth/revoke", {});
    expect(missing.status).toBe(400);
    expect((await missing.json()).error).toBe("invalid_request");
  });

  it("introspection is for an admin token or the resource servers' secret", async () => {
    const token = { token: annByCoach.access_token };
    const anonymous = await h.form("/api/v1/oauth/introspect", token);
    expect(anonymous.status).toBe(401);
    const person = await h.form("/api/v1/oauth/introspect", token, await bearer({ sub: "coach" }));
    expect(person.status).toBe(403);
    const wrong = await h.form("/api/v1/oauth/introspect", token, {
      authorization: `Basic ${Buffer.from("rs:guess").toString("base64")}`,
    });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error).toBe("invalid_client");
    const adminAnswer = await h.form(
      "/api/v1/oauth/introspect",
      token,
      await bearer({ sub: "platform", scope: "admin" }),
    );
    expect(adminAnswer.status).toBe(200);
    expect((await adminAnswer.json()).active).toBe(true);
    expect(await h.introspect("garbage")).toEqual({ active: false });
    expect(await h.introspect("a.b.c")).toEqual({ active: false });
  });
});
