import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bearer, type Harness, harness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

const team = {
  name: "Track Club",
  description: "Intervals on Tuesdays",
  url: "https://track.example/",
  image: "https://track.example/logo.png",
  privacy_statement: "https://track.example/privacy",
};

/** Everything a refusal must leave as it was, read as the coach and the platform would. */
async function snapshot() {
  const coach = await bearer({ sub: "coach" });
  const [teams, members, users] = await Promise.all([
    h.request("/api/v1/teams/", { headers: coach }).then((r) => r.json()),
    h.request("/api/v1/teams/club/members", { headers: coach }).then((r) => r.json()),
    h.request("/api/v1/users/", { headers: coach }).then((r) => r.json()),
  ]);
  return { teams, members, users };
}

describe("management over REST", () => {
  it("creates (201), reads, edits and deletes (204) a team as its owner", async () => {
    const carl = await bearer({ sub: "carl" });
    const created = await h.request("/api/v1/teams/", {
      method: "POST",
      headers: carl,
      json: team,
    });
    expect(created.status).toBe(201);
    const body = await created.json();
    expect(body).toMatchObject({ ...team, role: "owner" });
    expect(body.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const path = `/api/v1/teams/${body.id}`;
    expect(await (await h.request(path, { headers: carl })).json()).toEqual(body);
    const edited = await h.request(path, {
      method: "PATCH",
      headers: carl,
      json: { name: "Track & Field" },
    });
    expect(await edited.json()).toMatchObject({ name: "Track & Field", url: team.url });
    expect((await h.request(path, { method: "DELETE", headers: carl })).status).toBe(204);
    expect((await h.request(path, { headers: carl })).status).toBe(404);
  });

  it("adds, re-roles and removes members; a member may leave", async () => {
    const coach = await bearer({ sub: "coach" });
    await h.request("/api/v1/teams/", { headers: await bearer({ sub: "carl" }) }); // carl is first seen
    const added = await h.request("/api/v1/teams/club/members/carl", {
      method: "PUT",
      headers: coach,
      json: { role: "member" },
    });
    expect(await added.json()).toMatchObject({ id: "carl", display_name: "Carl", role: "member" });
    const promoted = await h.request("/api/v1/teams/club/members/carl", {
      method: "PUT",
      headers: coach,
      json: { role: "owner" },
    });
    expect((await promoted.json()).role).toBe("owner");
    const leave = await h.request("/api/v1/teams/club/members/assistant", {
      method: "DELETE",
      headers: await bearer({ sub: "assistant" }),
    });
    expect(leave.status).toBe(204);
    const members = await (
      await h.request("/api/v1/teams/club/members", { headers: coach })
    ).json();
    expect(members.map((m: { id: string; role: string }) => [m.id, m.role])).toEqual([
      ["carl", "owner"],
      ["coach", "owner"],
    ]);
  });

  it("creates and lists managed users, and reads one authorizing user", async () => {
    const coach = await bearer({ sub: "coach" });
    const created = await h.request("/api/v1/users/", {
      method: "POST",
      headers: coach,
      json: { first_name: "Kim" },
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      first_name: "Kim",
      last_name: null,
      admin: false,
      is_managed: true,
    });
    const users = await (await h.request("/api/v1/users/", { headers: coach })).json();
    expect(users.map((u: { display_name: string }) => u.display_name)).toEqual([
      "Ann Athlete",
      "Ben Bold",
      "Cora Coach",
      "Kim",
    ]);
    await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: await bearer({ sub: "ann", azp: "coach" }),
      json: { scopes: ["profile"] },
    });
    const one = await h.request("/api/v1/teams/club/users/ann", {
      headers: await bearer({ sub: "assistant" }),
    });
    expect(await one.json()).toMatchObject({ id: "ann", scopes: ["profile"], is_managed: true });
  });

  it("answers the access check", async () => {
    await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: await bearer({ sub: "ann", azp: "coach" }),
      json: { scopes: ["data:read"] },
    });
    const ask = async (sub: string, user: string, scope: string) =>
      h.request(`/api/v1/access?user_id=${user}&scope=${scope}`, {
        headers: await bearer({ sub }),
      });
    expect(await (await ask("assistant", "ann", "data:read")).json()).toEqual({
      user_id: "ann",
      scope: "data:read",
      allowed: true,
    });
    expect((await (await ask("assistant", "ann", "data:write")).json()).allowed).toBe(false);
    expect((await (await ask("coach", "ben", "data:write")).json()).allowed).toBe(true);
    expect((await (await ask("rival", "ann", "data:read")).json()).allowed).toBe(false);
    const bad = await ask("assistant", "ann", "everything");
    expect(bad.status).toBe(422);
    expect((await bad.json()).detail[0]).toMatchObject({ type: "enum", loc: ["query", "scope"] });
  });

  const refusals: [string, string, string, string, unknown, number, string | null][] = [
    [
      "a member edits the team",
      "assistant",
      "PATCH",
      "/api/v1/teams/club",
      { name: "X" },
      403,
      "Only a team owner can do this",
    ],
    [
      "an outsider edits the team",
      "carl",
      "PATCH",
      "/api/v1/teams/club",
      { name: "X" },
      404,
      "Team not found",
    ],
    [
      "an owner sets a bad link",
      "coach",
      "PATCH",
      "/api/v1/teams/club",
      { url: "javascript:alert(1)" },
      422,
      null,
    ],
    [
      "a member deletes the team",
      "assistant",
      "DELETE",
      "/api/v1/teams/club",
      undefined,
      403,
      "Only a team owner can do this",
    ],
    [
      "an outsider deletes the team",
      "carl",
      "DELETE",
      "/api/v1/teams/club",
      undefined,
      404,
      "Team not found",
    ],
    [
      "an outsider lists members",
      "carl",
      "GET",
      "/api/v1/teams/club/members",
      undefined,
      404,
      "Team not found",
    ],
    [
      "a member adds a member",
      "assistant",
      "PUT",
      "/api/v1/teams/club/members/carl",
      { role: "member" },
      403,
      "Only a team owner can do this",
    ],
    [
      "an owner adds an unknown user",
      "coach",
      "PUT",
      "/api/v1/teams/club/members/ghost",
      { role: "member" },
      404,
      "User not found",
    ],
    [
      "an owner gives a bad role",
      "coach",
      "PUT",
      "/api/v1/teams/club/members/assistant",
      { role: "boss" },
      422,
      null,
    ],
    [
      "the last owner steps down",
      "coach",
      "PUT",
      "/api/v1/teams/club/members/coach",
      { role: "member" },
      403,
      "A team must keep at least one owner",
    ],
    [
      "the last owner leaves",
      "coach",
      "DELETE",
      "/api/v1/teams/club/members/coach",
      undefined,
      403,
      "A team must keep at least one owner",
    ],
    [
      "a member removes another",
      "assistant",
      "DELETE",
      "/api/v1/teams/club/members/coach",
      undefined,
      403,
      "Only a team owner can do this",
    ],
    [
      "an owner removes a non-member",
      "coach",
      "DELETE",
      "/api/v1/teams/club/members/carl",
      undefined,
      404,
      "Member not found",
    ],
    [
      "a managed user creates a managed user",
      "ann",
      "POST",
      "/api/v1/users/",
      {},
      403,
      "Managed users and delegated tokens cannot create managed users",
    ],
    ["a bad managed user name", "coach", "POST", "/api/v1/users/", { first_name: 7 }, 422, null],
    ["a team without links", "coach", "POST", "/api/v1/teams/", { name: "No links" }, 422, null],
    [
      "an outsider reads a team user",
      "carl",
      "GET",
      "/api/v1/teams/club/users/ann",
      undefined,
      404,
      "Team not found",
    ],
    [
      "a member reads a user who did not authorize",
      "assistant",
      "GET",
      "/api/v1/teams/club/users/ben",
      undefined,
      404,
      "User not found",
    ],
  ];

  it.each(refusals)(
    "refuses when %s (%s %s %s) and changes nothing",
    async (_, sub, method, path, json, status, detail) => {
      const before = await snapshot();
      const res = await h.request(path, { method, headers: await bearer({ sub }), json });
      expect(res.status).toBe(status);
      const body = await res.json();
      if (detail !== null) expect(body).toEqual({ detail });
      else
        expect(body.detail[0]).toMatchObject({ type: expect.any(String), msg: expect.any(String) });
      expect(await snapshot()).toEqual(before);
    },
  );

  it("refuses the delegated token of a managed user for creating managed users", async () => {
    const res = await h.request("/api/v1/users/", {
      method: "POST",
      headers: await bearer({ sub: "ann", azp: "coach" }),
      json: {},
    });
    expect(res.status).toBe(403);
  });
});

describe("request forgery with the cookie", () => {
  it.each([
    ["another site's Origin", { origin: "https://evil.example" }],
    ["an opaque Origin", { origin: "null" }],
    ["Sec-Fetch-Site cross-site", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site same-site", { "sec-fetch-site": "same-site" }],
  ])(
    "refuses a cookie-authenticated write from %s (REST and tRPC), changing nothing",
    async (_, extra) => {
      const cookie = `token=${(await bearer({ sub: "carl" })).authorization.slice(7)}`;
      const rest = await h.request("/api/v1/teams/", {
        method: "POST",
        headers: { cookie, ...extra },
        json: team,
      });
      expect(rest.status).toBe(403);
      expect(await rest.json()).toEqual({
        detail: "Cross-site requests with cookie credentials are refused",
      });
      const trpc = await h.request("/trpc/manage.createTeam", {
        method: "POST",
        headers: { cookie, ...extra },
        json: team,
      });
      expect(trpc.status).toBe(403);
      const mine = await h.request("/api/v1/teams/", { headers: await bearer({ sub: "carl" }) });
      expect(await mine.json()).toEqual([]);
    },
  );

  it.each([
    ["an empty Authorization header", { authorization: "" }],
    ["a blank Authorization header", { authorization: " " }],
    ["an empty refreshed-token header", { "refreshed-token": "" }],
  ])(
    "%s beside a cross-site cookie is an unusable credential: 401, no cookie write",
    async (_, empty) => {
      const cookie = `token=${(await bearer({ sub: "carl" })).authorization.slice(7)}`;
      for (const path of ["/api/v1/teams/", "/trpc/manage.createTeam"]) {
        const res = await h.request(path, {
          method: "POST",
          headers: { ...empty, cookie, origin: "https://evil.example" },
          json: team,
        });
        expect(res.status).toBe(401);
      }
      const rest = await h.request("/api/v1/teams/", {
        method: "POST",
        headers: { ...empty, cookie, origin: "https://evil.example" },
        json: team,
      });
      expect(await rest.json()).toEqual({ detail: "Could not validate credentials" });
      const mine = await h.request("/api/v1/teams/", { headers: await bearer({ sub: "carl" }) });
      expect(await mine.json()).toEqual([]);
    },
  );

  it("accepts cookie writes from the same origin, and header credentials from anywhere", async () => {
    const cookie = `token=${(await bearer({ sub: "carl" })).authorization.slice(7)}`;
    const same = await h.request("http://localhost/api/v1/teams/", {
      method: "POST",
      headers: { cookie, origin: "http://localhost", "sec-fetch-site": "same-origin" },
      json: team,
    });
    expect(same.status).toBe(201);
    const header = await h.request("/api/v1/teams/", {
      method: "POST",
      headers: { ...(await bearer({ sub: "carl" })), origin: "https://evil.example" },
      json: team,
    });
    expect(header.status).toBe(201);
  });
});
