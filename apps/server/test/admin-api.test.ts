import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bearer, type Harness, harness } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

const admin = () => bearer({ sub: "platform", scope: "admin" });
const team = {
  name: "Harbour Rowing",
  description: "Rowing club",
  url: "https://rowing.example/",
  image: "https://rowing.example/logo.png",
  privacy_statement: "https://rowing.example/privacy",
};

describe("administration API", () => {
  it.each([
    ["PUT", "/api/v1/admin/users/u1", {}],
    ["DELETE", "/api/v1/admin/users/carl", undefined],
    ["PUT", "/api/v1/admin/teams/t1", team],
    ["DELETE", "/api/v1/admin/teams/club", undefined],
    ["PUT", "/api/v1/admin/teams/club/members/carl", { role: "member" }],
    ["DELETE", "/api/v1/admin/teams/club/members/assistant", undefined],
  ])("%s %s needs the admin scope (403), and changes nothing", async (method, path, json) => {
    const res = await h.request(path, { method, headers: await bearer({ sub: "coach" }), json });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ detail: "This operation requires the admin scope" });
    const members = await h.request("/api/v1/teams/club/members", {
      headers: await bearer({ sub: "coach" }),
    });
    expect((await members.json()).map((m: { id: string }) => m.id)).toEqual(["assistant", "coach"]);
  });

  it("puts users, teams and members idempotently with caller-chosen ids", async () => {
    const headers = await admin();
    const user = await h.request("/api/v1/admin/users/dana", {
      method: "PUT",
      headers,
      json: { first_name: "Dana", last_name: "Diver", manager_id: null },
    });
    expect(user.status).toBe(200);
    expect(await user.json()).toEqual({
      id: "dana",
      first_name: "Dana",
      last_name: "Diver",
      display_name: "Dana Diver",
      is_managed: false,
      manager_id: null,
    });
    for (let i = 0; i < 2; i++) {
      const put = await h.request("/api/v1/admin/teams/rowing", {
        method: "PUT",
        headers,
        json: team,
      });
      expect(put.status).toBe(200);
      expect(await put.json()).toEqual({ id: "rowing", ...team });
    }
    const member = await h.request("/api/v1/admin/teams/rowing/members/dana", {
      method: "PUT",
      headers,
      json: { role: "owner" },
    });
    expect(await member.json()).toMatchObject({ id: "dana", role: "owner" });
    const mine = await h.request("/api/v1/teams/", { headers: await bearer({ sub: "dana" }) });
    expect(await mine.json()).toEqual([{ id: "rowing", ...team, role: "owner" }]);
  });

  it("answers 422 in pydantic's words for bad admin bodies and ids, 404 for what is missing", async () => {
    const headers = await admin();
    const badTeam = await h.request("/api/v1/admin/teams/t1", {
      method: "PUT",
      headers,
      json: { ...team, url: "ftp://rowing.example/" },
    });
    expect(badTeam.status).toBe(422);
    expect((await badTeam.json()).detail).toEqual([
      {
        type: "url_scheme",
        loc: ["body", "url"],
        msg: "URL scheme should be 'http' or 'https'",
        input: "ftp://rowing.example/",
      },
    ]);
    const longId = await h.request(`/api/v1/admin/users/${"x".repeat(300)}`, {
      method: "PUT",
      headers,
      json: {},
    });
    expect(longId.status).toBe(422);
    expect((await longId.json()).detail[0].loc).toEqual(["path", "user_id"]);
    const badRole = await h.request("/api/v1/admin/teams/club/members/carl", {
      method: "PUT",
      headers,
      json: { role: "captain" },
    });
    expect((await badRole.json()).detail[0]).toMatchObject({ type: "enum", loc: ["body", "role"] });
    const missing = await h.request("/api/v1/admin/teams/nope", { method: "DELETE", headers });
    expect(missing.status).toBe(404);
    const missingUser = await h.request("/api/v1/admin/teams/club/members/ghost", {
      method: "PUT",
      headers,
      json: { role: "member" },
    });
    expect(missingUser.status).toBe(404);
  });

  it("deletes users and teams with what hangs on them (204)", async () => {
    const headers = await admin();
    await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: await bearer({ sub: "ann", azp: "coach" }),
      json: { scopes: ["data:read"] },
    });
    const del = await h.request("/api/v1/admin/users/ann", { method: "DELETE", headers });
    expect(del.status).toBe(204);
    const users = await h.request("/api/v1/teams/club/users", {
      headers: await bearer({ sub: "coach" }),
    });
    expect(await users.json()).toEqual([]);
    expect(
      (await h.request("/api/v1/admin/teams/club", { method: "DELETE", headers })).status,
    ).toBe(204);
    const teams = await h.request("/api/v1/teams/", { headers: await bearer({ sub: "coach" }) });
    expect(await teams.json()).toEqual([]);
  });

  it("refuses to demote or remove a team's last owner (403)", async () => {
    const headers = await admin();
    const demote = await h.request("/api/v1/admin/teams/club/members/coach", {
      method: "PUT",
      headers,
      json: { role: "member" },
    });
    expect(demote.status).toBe(403);
    expect(await demote.json()).toEqual({ detail: "A team must keep at least one owner" });
    const remove = await h.request("/api/v1/admin/teams/club/members/coach", {
      method: "DELETE",
      headers,
    });
    expect(remove.status).toBe(403);
  });
});
