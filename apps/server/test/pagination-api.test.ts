import { arrayText } from "@teams/core";
import { admin, delegated } from "@teams/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bearer, type Harness, harness } from "./harness.js";

// Opt-in pages of the two lists: without `limit` the answers are the reference's, byte for byte;
// with it, still a JSON array, and the next page in `Link` and `X-Next-Cursor`.

let h: Harness;
beforeEach(async () => {
  h = await harness();
  // Five users authorize "club"; ann authorizes five teams.
  for (const [id, first] of [
    ["p1", "Eve"],
    ["p2", "Dan"],
    ["p3", "Cat"],
    ["p4", "Bob"],
    ["p5", "Al"],
  ] as const) {
    await h.teams.adminPutUser(admin, id, { first_name: first, manager_id: "coach" });
    await h.teams.authorizeTeam(delegated(id, "coach"), "club", { scopes: ["data:read"] });
  }
  for (const [id, name] of [
    ["ta", "E team"],
    ["tb", "D team"],
    ["tc", "C team"],
    ["td", "B team"],
    ["te", "A team"],
  ] as const) {
    await h.teams.adminPutTeam(admin, id, {
      name,
      url: "https://t.example/",
      image: "https://t.example/i.png",
      privacy_statement: "https://t.example/p",
    });
    await h.teams.authorizeTeam(delegated("ann", "coach"), id, { scopes: ["profile"] });
  }
});
afterEach(() => h.close());

/** Follows `Link: <...>; rel="next"` from `path`, collecting each page's ids. */
async function followLinks(path: string, headers: Record<string, string>): Promise<string[][]> {
  const pages: string[][] = [];
  let next: string | null = path;
  while (next) {
    const res = await h.request(next, { headers });
    expect(res.status).toBe(200);
    pages.push((await res.json()).map((x: { id: string }) => x.id));
    const link = res.headers.get("link");
    const cursor = res.headers.get("x-next-cursor");
    if (link === null) {
      expect(cursor).toBeNull();
      next = null;
    } else {
      const match = /^<([^>]+)>; rel="next"$/.exec(link);
      expect(match, link).not.toBeNull();
      next = match?.[1] ?? null;
      expect(new URL(next ?? "", "http://x").searchParams.get("cursor")).toBe(cursor);
    }
    expect(pages.length).toBeLessThan(20);
  }
  return pages;
}

describe("REST pages", () => {
  it("GET /api/v1/teams/{team_id}/users?limit= pages through the users, keeping other parameters", async () => {
    const headers = await bearer({ sub: "coach" });
    expect(await followLinks("/api/v1/teams/club/users?limit=2", headers)).toEqual([
      ["p5", "p4"],
      ["p3", "p2"],
      ["p1"],
    ]);
    const named = await h.request("/api/v1/teams/club/users?name=a&limit=1", { headers });
    expect(named.headers.get("link")).toMatch(
      /^<\/api\/v1\/teams\/club\/users\?name=a&limit=1&cursor=[\w-]+>; rel="next"$/,
    );
    expect(await followLinks("/api/v1/teams/club/users?name=a&limit=1", headers)).toEqual([
      ["p5"],
      ["p3"],
      ["p2"],
    ]);
  });

  it("GET /api/v1/teams/authorized?limit= pages through the teams", async () => {
    const headers = await bearer({ sub: "ann" });
    expect(await followLinks("/api/v1/teams/authorized?limit=3", headers)).toEqual([
      ["te", "td", "tc"],
      ["tb", "ta"],
    ]);
  });

  it("GET /api/v1/teams/?limit= and GET .../members?limit= page the same way", async () => {
    for (const id of ["ta", "tb", "tc"]) {
      await h.teams.adminPutMember(admin, id, "coach", { role: "member" });
    }
    const headers = await bearer({ sub: "coach" });
    const whole = await (await h.request("/api/v1/teams/", { headers })).json();
    const pages = await followLinks("/api/v1/teams/?limit=2", headers);
    expect(pages.flat()).toEqual(whole.map((t: { id: string }) => t.id));
    expect(pages.map((p) => p.length)).toEqual([2, 2]);
    for (const id of ["p1", "p2", "p3"]) {
      await h.teams.adminPutMember(admin, "club", id, { role: "member" });
    }
    const members = await (await h.request("/api/v1/teams/club/members", { headers })).json();
    const memberPages = await followLinks("/api/v1/teams/club/members?limit=3", headers);
    expect(memberPages.flat()).toEqual(members.map((m: { id: string }) => m.id));
    expect(memberPages.length).toBe(Math.ceil(members.length / 3));
    const bad = await h.request("/api/v1/teams/club/members?limit=0", { headers });
    expect(bad.status).toBe(422);
    expect((await bad.json()).detail[0].loc).toEqual(["query", "limit"]);
  });

  it("without limit, answers the whole array with no paging headers, as the reference does", async () => {
    const headers = await bearer({ sub: "coach" });
    const whole = await h.request("/api/v1/teams/club/users", { headers });
    expect(whole.headers.get("link")).toBeNull();
    expect(whole.headers.get("x-next-cursor")).toBeNull();
    const body = await whole.text();
    expect(JSON.parse(body).map((u: { id: string }) => u.id)).toEqual([
      "p5",
      "p4",
      "p3",
      "p2",
      "p1",
    ]);
    // A page as long as the list is the same bytes.
    const page = await h.request("/api/v1/teams/club/users?limit=1000", { headers });
    expect(await page.text()).toBe(body);
    expect(page.headers.get("link")).toBeNull();
  });

  it.each([
    ["0", "greater_than_equal", "Input should be greater than or equal to 1"],
    ["1001", "less_than_equal", "Input should be less than or equal to 1000"],
    ["x", "int_parsing", "Input should be a valid integer, unable to parse string as an integer"],
  ])("answers limit=%s with 422 in pydantic's words", async (limit, type, msg) => {
    for (const [path, sub] of [
      [`/api/v1/teams/club/users?limit=${limit}`, "coach"],
      [`/api/v1/teams/authorized?limit=${limit}`, "ann"],
    ] as const) {
      const res = await h.request(path, { headers: await bearer({ sub }) });
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual({
        detail: [{ type, loc: ["query", "limit"], msg, input: limit }],
      });
    }
  });

  it("answers a cursor that is not one of this list with 422, after 401 and before 404", async () => {
    const res = await h.request("/api/v1/teams/club/users?limit=1&cursor=nope", {
      headers: await bearer({ sub: "carl" }),
    });
    expect(res.status).toBe(422);
    expect((await res.json()).detail[0]).toMatchObject({
      type: "value_error",
      loc: ["query", "cursor"],
      input: "nope",
    });
    expect((await h.request("/api/v1/teams/club/users?limit=x")).status).toBe(401);
    const outsider = await h.request("/api/v1/teams/club/users?limit=1", {
      headers: await bearer({ sub: "carl" }),
    });
    expect(outsider.status).toBe(404);
  });
});

describe("the whole list of a large team", () => {
  it("is sent as it is read, byte for byte the JSON of the whole list", async () => {
    // Enough users for several chunks and a body past one megabyte (sent as a stream).
    for (let i = 0; i < 9000; i++) {
      const id = `bulk-${String(i).padStart(5, "0")}`;
      await h.teams.adminPutUser(admin, id, {
        first_name: `Förster ${i % 97}`,
        last_name: "Łukasz",
        manager_id: "coach",
      });
      await h.teams.authorizeTeam(delegated(id, "coach"), "club", { scopes: ["data:read"] });
    }
    const expected = arrayText(
      (await h.teams.listTeamUsers({ userId: "coach", authorizedParty: null, scopes: [] }, "club"))
        .lines,
    );
    expect(Buffer.byteLength(expected)).toBeGreaterThan(1 << 20);
    const res = await h.request("/api/v1/teams/club/users", {
      headers: await bearer({ sub: "coach" }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = await res.text();
    expect(body).toBe(expected);
    expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength(body)));
  }, 60_000);
});

describe("tRPC pages", () => {
  const query = async (path: string, input: unknown, sub: string) =>
    h.request(`/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, {
      headers: await bearer({ sub }),
    });

  it("teams.usersPage and teams.authorizedPage answer { items, next_cursor }", async () => {
    const ids: string[][] = [];
    let cursor: string | undefined;
    do {
      const res = await query("teams.usersPage", { team_id: "club", limit: 2, cursor }, "coach");
      expect(res.status).toBe(200);
      const { items, next_cursor } = (await res.json()).result.data;
      ids.push(items.map((u: { id: string }) => u.id));
      cursor = next_cursor ?? undefined;
    } while (cursor);
    expect(ids).toEqual([["p5", "p4"], ["p3", "p2"], ["p1"]]);

    const teams = await query("teams.authorizedPage", { limit: 4 }, "ann");
    const data = (await teams.json()).result.data;
    expect(data.items.map((x: { id: string }) => x.id)).toEqual(["te", "td", "tc", "tb"]);
    expect(typeof data.next_cursor).toBe("string");
    const all = await h.request("/trpc/teams.authorizedPage", {
      headers: await bearer({ sub: "ann" }),
    });
    expect((await all.json()).result.data.next_cursor).toBeNull();
  });

  it("teams.listPage and manage.membersPage answer { items, next_cursor }", async () => {
    await h.teams.adminPutMember(admin, "ta", "coach", { role: "member" });
    const first = (await (await query("teams.listPage", { limit: 1 }, "coach")).json()).result.data;
    expect(first.items).toHaveLength(1);
    const rest = await query("teams.listPage", { cursor: first.next_cursor }, "coach");
    const after = (await rest.json()).result.data;
    expect(after.next_cursor).toBeNull();
    const list = (await (await query("teams.list", {}, "coach")).json()).result.data;
    expect([...first.items, ...after.items]).toEqual(list);
    const members = await query("manage.membersPage", { team_id: "club", limit: 1 }, "coach");
    const page = (await members.json()).result.data;
    expect(page.items).toHaveLength(1);
    expect(typeof page.next_cursor).toBe("string");
  });

  it("answers a bad limit with 422 and pydantic issues", async () => {
    const res = await query("teams.usersPage", { team_id: "club", limit: 0 }, "coach");
    expect(res.status).toBe(422);
    expect((await res.json()).error.data.issues).toEqual([
      {
        type: "greater_than_equal",
        loc: ["limit"],
        msg: "Input should be greater than or equal to 1",
        input: 0,
      },
    ]);
  });
});
