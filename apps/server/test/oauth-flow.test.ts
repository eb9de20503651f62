import { messages } from "@teams/core";
import { principal } from "@teams/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { postgresSkipReason, reportSkip } from "./hardening/support/stores.js";
import { bearer, type TokenClaims } from "./harness.js";
import {
  claimsOf,
  type OAuthHarness,
  oauthHarness,
  refreshRows,
  SERVICE_ISSUER,
  withToken,
} from "./support/oauth.js";

// The platform's flow over HTTP, as the reference's clients run it (issue 15): a coach creates a
// managed user, obtains a delegated token for it, authorizes a team with it, refreshes it and
// switches back; a team member obtains a token through the team; every refusal changes nothing.
// On both stores.

const skipPostgres = reportSkip("oauth-flow", await postgresSkipReason());
const stores: [string, "sqlite" | "postgres"][] = [
  ["SQLite", "sqlite"],
  ...(skipPostgres ? [] : [["PostgreSQL", "postgres"] as [string, "postgres"]]),
];

describe.each(stores)("the platform's delegation flow (%s)", (_, store) => {
  let h: OAuthHarness;
  beforeEach(async () => {
    h = await oauthHarness(store);
  });
  afterEach(() => h.close());

  const coach = { sub: "coach" };

  it("a coach enrols a managed user, acts for it, refreshes, and switches back", async () => {
    const coachExp = Math.floor(Date.now() / 1000) + 600;
    const created = await h.request("/api/v1/users/", {
      method: "POST",
      headers: await bearer(coach),
      json: { first_name: "Newt", last_name: "Novice" },
    });
    expect(created.status).toBe(201);
    const { id } = await created.json();

    const issued = await h.delegate({ ...coach, exp: coachExp }, { sub: id });
    expect(issued.status).toBe(200);
    expect(issued.headers.get("cache-control")).toBe("no-store");
    const pair = await issued.json();
    expect(pair).toEqual({
      access_token: expect.any(String),
      token_type: "Bearer",
      expires_in: expect.any(Number),
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      scope: "data:read data:write profile",
    });
    expect(pair.expires_in).toBeGreaterThan(0);
    expect(pair.expires_in).toBeLessThanOrEqual(900);
    expect(claimsOf(pair.access_token)).toMatchObject({
      iss: SERVICE_ISSUER,
      sub: id,
      azp: "coach",
      act: { sub: "coach" },
      scope: "data:read data:write profile",
      jti: expect.any(String),
    });

    const authorized = await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: withToken(pair.access_token),
      json: { scopes: ["data:read"] },
    });
    expect(authorized.status).toBe(200);
    expect(await authorized.json()).toEqual({
      team_id: "club",
      user_id: id,
      scopes: ["data:read"],
    });

    const refreshed = await h.refresh(pair.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get("cache-control")).toBe("no-store");
    const next = await refreshed.json();
    expect(next.refresh_token).not.toBe(pair.refresh_token);
    const teamsOfUser = await h.request("/api/v1/teams/authorized", {
      headers: withToken(next.access_token),
    });
    expect((await teamsOfUser.json()).map((t: { id: string }) => t.id)).toEqual(["club"]);

    const back = await h.request("/api/v1/oauth/principal-token", {
      headers: withToken(next.access_token),
    });
    expect(back.status).toBe(200);
    const principalPair = await back.json();
    const principalClaims = claimsOf(principalPair.access_token);
    expect(principalClaims).toMatchObject({ sub: "coach", scope: "data:read data:write profile" });
    expect(principalClaims.azp).toBeUndefined();
    // Never past the coach's own token when it delegated.
    expect(principalClaims.exp).toBeLessThanOrEqual(coachExp);
    const coachTeams = await h.request("/api/v1/teams/", {
      headers: withToken(principalPair.access_token),
    });
    expect(coachTeams.status).toBe(200);
    expect(await coachTeams.json()).toEqual([
      expect.objectContaining({ id: "club", role: "owner" }),
    ]);

    // The first refresh token was rotated: using it again is refused, as RFC 6749 §5.2 says.
    const reused = await h.refresh(pair.refresh_token);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toEqual({
      error: "invalid_grant",
      error_description: messages.refreshTokenReused,
    });
  });

  it("a team member obtains a token for an athlete, limited to the granted scopes", async () => {
    await h.teams.consentToTeam(principal("carl"), "club", { scopes: ["data:read", "profile"] });
    const issued = await h.delegate({ sub: "assistant" }, { sub: "carl", team_id: "club" });
    expect(issued.status).toBe(200);
    const pair = await issued.json();
    expect(pair.scope).toBe("data:read profile");
    expect(claimsOf(pair.access_token)).toMatchObject({
      sub: "carl",
      azp: "assistant",
      act: { sub: "assistant" },
      team_id: "club",
      scope: "data:read profile",
    });
    const narrowed = await h.delegate(
      { sub: "assistant" },
      { sub: "carl", team_id: "club", scopes: ["profile"] },
    );
    expect((await narrowed.json()).scope).toBe("profile");
    // A token through a team is for the data services: here only the switch back.
    const here = await h.request("/api/v1/teams/", { headers: withToken(pair.access_token) });
    expect(here.status).toBe(403);
    const back = await h.request("/api/v1/oauth/principal-token", {
      headers: withToken(pair.access_token),
    });
    expect(back.status).toBe(200);
    expect(claimsOf((await back.json()).access_token)).toMatchObject({ sub: "assistant" });
    const refreshed = await h.refresh(pair.refresh_token);
    expect((await refreshed.json()).scope).toBe("data:read profile");
  });

  it("answers each refusal as the platform does, and stores nothing", async () => {
    await h.teams.consentToTeam(principal("carl"), "club", { scopes: ["data:read"] });
    const managerToken = (await (await h.delegate(coach, { sub: "ann" })).json()).access_token;
    const before = await refreshRows(h);
    const refusals: [string, TokenClaims | string | null, unknown, number, unknown][] = [
      ["no credentials", null, { sub: "ann" }, 401, "Not authenticated"],
      ["a delegated caller", managerToken, { sub: "ben" }, 403, messages.delegatedTokenNotHere],
      ["an unknown user", coach, { sub: "ghost" }, 404, messages.userNotFound],
      ["not the manager, unknown to it", { sub: "rival" }, { sub: "ann" }, 404, "User not found"],
      [
        "not the manager, known",
        { sub: "assistant" },
        { sub: "carl" },
        403,
        messages.noAccessToUser,
      ],
      [
        "not a member",
        { sub: "rival" },
        { sub: "carl", team_id: "club" },
        404,
        messages.userNotFound,
      ],
      [
        "not authorized through that team",
        coach,
        { sub: "ann", team_id: "club" },
        403,
        messages.noAccessToUser,
      ],
      [
        "scopes beyond the grant",
        { sub: "assistant" },
        { sub: "carl", team_id: "club", scopes: ["data:read", "data:write"] },
        403,
        messages.scopesNotDelegable(["data:write"]),
      ],
      [
        "scopes the caller's token lacks",
        { sub: "coach", scope: "data:read" },
        { sub: "ann", scopes: ["profile"] },
        403,
        messages.scopesNotDelegable(["profile"]),
      ],
      [
        "admin",
        { sub: "coach", scope: "admin data:read" },
        { sub: "ann", scopes: ["admin"] },
        403,
        messages.scopesNotDelegable(["admin"]),
      ],
    ];
    for (const [name, claims, body, status, detail] of refusals) {
      const headers =
        claims === null
          ? {}
          : typeof claims === "string"
            ? withToken(claims)
            : await bearer(claims);
      const response = await h.request("/api/v1/oauth/delegated-token", {
        method: "POST",
        headers,
        json: body,
      });
      expect([name, response.status]).toEqual([name, status]);
      expect([name, (await response.json()).detail]).toEqual([name, detail]);
    }
    const invalid = await h.delegate(coach, { sub: "ann", scopes: ["nope"] });
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).detail[0]).toMatchObject({ loc: ["body", "scopes", 0] });
    const missing = await h.delegate(coach, {});
    expect(missing.status).toBe(422);
    expect((await missing.json()).detail[0]).toMatchObject({
      type: "missing",
      loc: ["body", "sub"],
    });
    expect(await refreshRows(h)).toBe(before);
  });

  it("answers the token endpoint's own errors as RFC 6749 §5.2 bodies", async () => {
    const pair = await (await h.delegate(coach, { sub: "ann" })).json();
    const cases: [Record<string, string>, string][] = [
      [{ grant_type: "authorization_code", code: "x" }, "unsupported_grant_type"],
      [{ grant_type: "refresh_token" }, "invalid_request"],
      [{ refresh_token: pair.refresh_token }, "invalid_request"],
      [{ grant_type: "refresh_token", refresh_token: "not-a-token" }, "invalid_grant"],
    ];
    for (const [fields, error] of cases) {
      const response = await h.form("/api/v1/oauth/token", fields);
      expect(response.status).toBe(400);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect((await response.json()).error).toBe(error);
    }
    const json = await h.request("/api/v1/oauth/token", {
      method: "POST",
      json: { grant_type: "refresh_token", refresh_token: pair.refresh_token },
    });
    expect((await json.json()).error).toBe("invalid_request");
    // Client credentials, in the body or as HTTP Basic, are accepted and ignored.
    const withClient = await h.form(
      "/api/v1/oauth/token",
      { grant_type: "refresh_token", refresh_token: pair.refresh_token, client_id: "app" },
      { authorization: `Basic ${Buffer.from("app:secret").toString("base64")}` },
    );
    expect(withClient.status).toBe(200);
  });

  it("serves the same over tRPC", async () => {
    const call = async (path: string, input: unknown, headers: Record<string, string> = {}) =>
      h.request(`/trpc/${path}`, { method: "POST", headers, json: input });
    const issued = await call("oauth.delegatedToken", { sub: "ann" }, await bearer(coach));
    expect(issued.status).toBe(200);
    const pair = (await issued.json()).result.data;
    expect(pair).toMatchObject({ token_type: "Bearer", scope: "data:read data:write profile" });
    const refreshed = await call("oauth.refresh", { refresh_token: pair.refresh_token });
    const next = (await refreshed.json()).result.data;
    expect(claimsOf(next.access_token)).toMatchObject({ sub: "ann", azp: "coach" });
    const back = await call("oauth.principalToken", {}, withToken(next.access_token));
    expect(claimsOf((await back.json()).result.data.access_token)).toMatchObject({ sub: "coach" });
    const reused = await call("oauth.refresh", { refresh_token: pair.refresh_token });
    expect(reused.status).toBe(400);
    const refused = await call("oauth.delegatedToken", { sub: "ghost" }, await bearer(coach));
    expect(refused.status).toBe(404);
  });
});
