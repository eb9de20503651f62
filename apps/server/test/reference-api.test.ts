import { AuthorizedTeamResponse, TeamResponse, UserSummary } from "@teams/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { bearer, type Harness, harness, token } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

const authorizeBody = { scopes: ["data:read", "profile"] };
const annByCoach = () => bearer({ sub: "ann", azp: "coach" });
const authorizeAnn = async () =>
  h.request("/api/v1/teams/club/authorize", {
    method: "POST",
    headers: await annByCoach(),
    json: authorizeBody,
  });
const stateOfAnn = async () =>
  (await h.request("/api/v1/teams/authorized", { headers: await bearer({ sub: "ann" }) })).json();

describe("credentials (401)", () => {
  const endpoints: [string, string][] = [
    ["GET", "/api/v1/teams/"],
    ["GET", "/api/v1/teams/authorized"],
    ["POST", "/api/v1/teams/club/authorize"],
    ["DELETE", "/api/v1/teams/club/authorize"],
    ["GET", "/api/v1/teams/club/users"],
  ];

  it.each(endpoints)(
    "%s %s without credentials: 401 Not authenticated with WWW-Authenticate",
    async (method, path) => {
      const res = await h.request(path, {
        method,
        ...(method === "POST" ? { json: authorizeBody } : {}),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect(await res.json()).toEqual({ detail: "Not authenticated" });
    },
  );

  it.each(endpoints)(
    "%s %s with a bad token: 401 Could not validate credentials",
    async (method, path) => {
      const res = await h.request(path, {
        method,
        headers: { authorization: "Bearer not.a.token" },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect(await res.json()).toEqual({ detail: "Could not validate credentials" });
    },
  );

  it("reads the refreshed-token header and the token cookie when there is no Authorization header", async () => {
    const t = await token({ sub: "assistant" });
    const ways: Record<string, string>[] = [
      { "refreshed-token": t },
      { cookie: `other=1; token=${t}` },
    ];
    for (const headers of ways) {
      const res = await h.request("/api/v1/teams/", { headers });
      expect(res.status).toBe(200);
      expect((await res.json()).map((x: { id: string }) => x.id)).toEqual(["club"]);
    }
  });

  it("lets the header win over the cookie, and never falls back from an invalid header", async () => {
    const cookie = `token=${await token({ sub: "rival" })}`;
    const res = await h.request("/api/v1/teams/", {
      headers: { ...(await bearer({ sub: "assistant" })), cookie },
    });
    expect((await res.json()).map((x: { id: string }) => x.id)).toEqual(["club"]);
    const invalid = await h.request("/api/v1/teams/", {
      headers: { authorization: "Bearer broken", cookie },
    });
    expect(invalid.status).toBe(401);
  });

  it("refuses a delegated token in the cookie on POST and DELETE authorize, changing nothing", async () => {
    const cookie = `token=${await token({ sub: "ann", azp: "coach" })}`;
    const post = await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: { cookie },
      json: authorizeBody,
    });
    expect(post.status).toBe(401);
    expect(await stateOfAnn()).toEqual([]);
    await authorizeAnn();
    const del = await h.request("/api/v1/teams/club/authorize", {
      method: "DELETE",
      headers: { cookie },
    });
    expect(del.status).toBe(401);
    expect(await stateOfAnn()).toHaveLength(1);
  });

  it("records a user first seen in a valid token, with its names", async () => {
    const headers = await bearer({ sub: "newcomer", given_name: "Nia" });
    expect((await h.request("/api/v1/teams/", { headers })).status).toBe(200);
    const { items: users } = await h.teams.listUsers({
      userId: "newcomer",
      authorizedParty: null,
      scopes: [],
    });
    expect(users).toMatchObject([{ id: "newcomer", first_name: "Nia", display_name: "Nia" }]);
  });
});

describe("GET /api/v1/teams/", () => {
  it("answers the caller's teams with its role, in the reference's shape", async () => {
    const res = await h.request("/api/v1/teams/", { headers: await bearer({ sub: "coach" }) });
    expect(res.status).toBe(200);
    const body = z.array(TeamResponse).parse(await res.json());
    expect(body).toEqual([
      {
        id: "club",
        name: "Club",
        description: "Club description",
        url: "https://club.example/",
        image: "https://club.example/logo.png",
        privacy_statement: "https://club.example/privacy",
        role: "owner",
      },
    ]);
  });

  it("redirects /api/v1/teams to the trailing-slash path with 307, keeping the query", async () => {
    const res = await h.request("/api/v1/teams?x=1");
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("http://localhost/api/v1/teams/?x=1");
  });

  it("ignores unknown query parameters", async () => {
    const res = await h.request("/api/v1/teams/?page=abc&foo=bar", {
      headers: await bearer({ sub: "coach" }),
    });
    expect(res.status).toBe(200);
  });
});

describe("POST /api/v1/teams/{team_id}/authorize", () => {
  it("authorizes for a managed user with its manager's delegated token; again replaces the scopes", async () => {
    const res = await authorizeAnn();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      team_id: "club",
      user_id: "ann",
      scopes: ["data:read", "profile"],
    });
    const listed = z.array(AuthorizedTeamResponse).parse(await stateOfAnn());
    expect(listed.map((t) => [t.id, t.scopes])).toEqual([["club", ["data:read", "profile"]]]);
    const again = await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: await annByCoach(),
      json: { scopes: ["data:write", "data:write"] },
    });
    expect(await again.json()).toEqual({ team_id: "club", user_id: "ann", scopes: ["data:write"] });
    expect((await stateOfAnn())[0].scopes).toEqual(["data:write"]);
  });

  it.each([
    ["a regular user's token", { sub: "ann" }, 403, "This operation requires a delegated token"],
    // DESIGN §2: a delegated token whose azp is not the subject's manager can never be valid.
    [
      "a token of someone else's delegation",
      { sub: "ann", azp: "rival" },
      401,
      "Could not validate credentials",
    ],
    [
      "a delegation for a user who is not managed",
      { sub: "carl", azp: "coach" },
      401,
      "Could not validate credentials",
    ],
    [
      "a token lacking a scope it grants",
      { sub: "ann", azp: "coach", scope: "data:read" },
      403,
      "The token cannot grant scopes it does not hold: profile",
    ],
  ])("refuses %s with %d and changes nothing", async (_, claims, status, detail) => {
    const res = await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: await bearer(claims),
      json: authorizeBody,
    });
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ detail });
    expect(await stateOfAnn()).toEqual([]);
  });

  it("answers 404 for a team that does not exist", async () => {
    const res = await h.request("/api/v1/teams/nope/authorize", {
      method: "POST",
      headers: await annByCoach(),
      json: authorizeBody,
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Team not found" });
  });

  const scopesEnum =
    "Input should be 'data:read', 'data:write', 'profile', 'openid', 'offline_access' or 'admin'";
  it.each([
    [
      "no body",
      undefined,
      [{ type: "missing", loc: ["body"], msg: "Field required", input: null }],
    ],
    [
      "no scopes",
      {},
      [{ type: "missing", loc: ["body", "scopes"], msg: "Field required", input: {} }],
    ],
    [
      "scopes not a list",
      { scopes: "data:read" },
      [
        {
          type: "list_type",
          loc: ["body", "scopes"],
          msg: "Input should be a valid list",
          input: "data:read",
        },
      ],
    ],
    [
      "an empty list",
      { scopes: [] },
      [
        {
          type: "too_short",
          loc: ["body", "scopes"],
          msg: "List should have at least 1 item after validation, not 0",
          input: [],
        },
      ],
    ],
    [
      "an unknown scope",
      { scopes: ["data:delete"] },
      [{ type: "enum", loc: ["body", "scopes", 0], msg: scopesEnum, input: "data:delete" }],
    ],
    [
      "a scope a team cannot be granted",
      { scopes: ["data:read", "admin"] },
      [
        {
          type: "value_error",
          loc: ["body", "scopes", 1],
          msg: "Value error, scope 'admin' cannot be granted to a team",
          input: "admin",
        },
      ],
    ],
    [
      "a body that is not an object",
      ["data:read"],
      [
        {
          type: "model_attributes_type",
          loc: ["body"],
          msg: "Input should be a valid dictionary or object to extract fields from",
          input: ["data:read"],
        },
      ],
    ],
  ])("answers 422 for %s, in pydantic's words", async (_, json, detail) => {
    const res = await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: { ...(await annByCoach()), "content-type": "application/json" },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ detail });
    expect(await stateOfAnn()).toEqual([]);
  });

  it("checks the body (422) before who may do it (403) and what exists (404)", async () => {
    const res = await h.request("/api/v1/teams/nope/authorize", {
      method: "POST",
      headers: await bearer({ sub: "carl" }),
      json: { scopes: [] },
    });
    expect(res.status).toBe(422);
    const forbidden = await h.request("/api/v1/teams/nope/authorize", {
      method: "POST",
      headers: await bearer({ sub: "carl" }),
      json: authorizeBody,
    });
    expect(forbidden.status).toBe(403);
  });

  it("answers malformed JSON with 422 json_invalid", async () => {
    const res = await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: { ...(await annByCoach()), "content-type": "application/json" },
      body: '{"scopes": [',
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.detail[0]).toMatchObject({
      type: "json_invalid",
      loc: ["body", expect.any(Number)],
    });
  });

  it("answers JSON nested absurdly deep with 422, not a 500", async () => {
    const deep = `{"scopes": ${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
    const res = await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: { ...(await annByCoach()), "content-type": "application/json" },
      body: deep,
    });
    expect(res.status).toBe(422);
    expect((await res.json()).detail[0].type).toBe("json_invalid");
  });

  it("answers a body over the limit with 413, and another media type with 415", async () => {
    const big = await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: { ...(await annByCoach()), "content-type": "application/json" },
      body: JSON.stringify({ scopes: ["data:read"], pad: "x".repeat(70_000) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ detail: "Request body is too large" });
    const text = await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: { ...(await annByCoach()), "content-type": "text/plain" },
      body: JSON.stringify(authorizeBody),
    });
    expect(text.status).toBe(415);
    expect(await stateOfAnn()).toEqual([]);
  });

  it("answers a streamed body over the limit with 413 without reading it all", async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(16 * 1024).fill(32));
        if (pulled > 1000) controller.close();
      },
    });
    const res = await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: { ...(await annByCoach()), "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(pulled).toBeLessThan(20);
  });

  it("answers 405 with Allow for a method the path does not take", async () => {
    const res = await h.request("/api/v1/teams/club/authorize", { method: "PUT" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST, DELETE");
    expect(await res.json()).toEqual({ detail: "Method Not Allowed" });
  });
});

describe("DELETE /api/v1/teams/{team_id}/authorize", () => {
  it("revokes and answers what it revoked; then 404", async () => {
    await authorizeAnn();
    const res = await h.request("/api/v1/teams/club/authorize", {
      method: "DELETE",
      headers: await annByCoach(),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      team_id: "club",
      user_id: "ann",
      scopes: ["data:read", "profile"],
    });
    expect(await stateOfAnn()).toEqual([]);
    const again = await h.request("/api/v1/teams/club/authorize", {
      method: "DELETE",
      headers: await annByCoach(),
    });
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ detail: "Authorization not found" });
  });

  it("answers 401 for another party's delegation, 403 for a person's token, 404 for a missing team", async () => {
    await authorizeAnn();
    const invalid = await h.request("/api/v1/teams/club/authorize", {
      method: "DELETE",
      headers: await bearer({ sub: "ann", azp: "rival" }),
    });
    expect(invalid.status).toBe(401);
    expect(await invalid.json()).toEqual({ detail: "Could not validate credentials" });
    const forbidden = await h.request("/api/v1/teams/club/authorize", {
      method: "DELETE",
      headers: await bearer({ sub: "ann" }),
    });
    expect(forbidden.status).toBe(403);
    expect(await stateOfAnn()).toHaveLength(1);
    const missing = await h.request("/api/v1/teams/nope/authorize", {
      method: "DELETE",
      headers: await annByCoach(),
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: "Team not found" });
  });
});

describe("GET /api/v1/teams/{team_id}/users", () => {
  it("shows members the users who authorized the team, filtered by name", async () => {
    await authorizeAnn();
    await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: await bearer({ sub: "ben", azp: "coach" }),
      json: { scopes: ["data:read"] },
    });
    const res = await h.request("/api/v1/teams/club/users", {
      headers: await bearer({ sub: "assistant" }),
    });
    expect(res.status).toBe(200);
    const users = z.array(UserSummary).parse(await res.json());
    expect(users.map((u) => [u.display_name, u.scopes, u.is_managed])).toEqual([
      ["Ann Athlete", ["data:read", "profile"], true],
      ["Ben Bold", ["data:read"], true],
    ]);
    const filtered = await h.request("/api/v1/teams/club/users?name=BOLD", {
      headers: await bearer({ sub: "coach" }),
    });
    expect((await filtered.json()).map((u: { id: string }) => u.id)).toEqual(["ben"]);
  });

  it("answers a non-member and a missing team with the same bytes", async () => {
    // The same request id on both: the answer echoes it, and it is the only header that may differ.
    const headers = { ...(await bearer({ sub: "carl" })), "x-request-id": "same" };
    const notMember = await h.request("/api/v1/teams/club/users", { headers });
    const missing = await h.request("/api/v1/teams/no-such-team/users", { headers });
    expect(notMember.status).toBe(404);
    expect(missing.status).toBe(404);
    const a = new Uint8Array(await notMember.arrayBuffer());
    const b = new Uint8Array(await missing.arrayBuffer());
    expect(a).toEqual(b);
    expect([...notMember.headers.entries()]).toEqual([...missing.headers.entries()]);
  });
});

describe("unknown paths and failures", () => {
  it("answers an unknown path with FastAPI's 404", async () => {
    const res = await h.request("/api/v1/nothing");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: "Not Found" });
  });

  it("answers 503 with Retry-After when the store cannot serve, and /readyz says so", async () => {
    const headers = await bearer({ sub: "coach" });
    await h.close();
    const res = await h.request("/api/v1/teams/", { headers });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect((await h.request("/readyz")).status).toBe(503);
    expect((await h.request("/healthz")).status).toBe(200);
  });
});
