import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_BATCH_SIZE } from "../src/trpc/trpc-routes.js";
import { bearer, type Harness, harness, token } from "./harness.js";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

const query = async (path: string, input: unknown, headers: Record<string, string>) =>
  h.request(`/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers });
const mutate = async (path: string, input: unknown, headers: Record<string, string>) =>
  h.request(`/trpc/${path}`, { method: "POST", headers, json: input });

describe("tRPC at /trpc", () => {
  it("answers with the same core as REST", async () => {
    const res = await h.request("/trpc/teams.list", { headers: await bearer({ sub: "coach" }) });
    expect(res.status).toBe(200);
    expect(
      (await res.json()).result.data.map((t: { id: string; role: string }) => [t.id, t.role]),
    ).toEqual([["club", "owner"]]);
  });

  it.each([
    [
      "no credentials",
      () => mutate("teams.authorize", { team_id: "club", scopes: ["data:read"] }, {}),
      401,
      "UNAUTHORIZED",
    ],
    [
      "a regular token on authorize",
      async () =>
        mutate(
          "teams.authorize",
          { team_id: "club", scopes: ["data:read"] },
          await bearer({ sub: "ann" }),
        ),
      403,
      "FORBIDDEN",
    ],
    [
      "a missing team",
      async () =>
        mutate(
          "teams.authorize",
          { team_id: "nope", scopes: ["data:read"] },
          await bearer({ sub: "ann", azp: "coach" }),
        ),
      404,
      "NOT_FOUND",
    ],
    [
      "a non-grantable scope",
      async () =>
        mutate(
          "teams.authorize",
          { team_id: "club", scopes: ["admin"] },
          await bearer({ sub: "ann", azp: "coach" }),
        ),
      422,
      "UNPROCESSABLE_CONTENT",
    ],
    [
      "a non-member listing users",
      async () => query("teams.users", { team_id: "club" }, await bearer({ sub: "carl" })),
      404,
      "NOT_FOUND",
    ],
    [
      "an input that is not an object",
      async () => query("teams.users", "club", await bearer({ sub: "coach" })),
      422,
      "UNPROCESSABLE_CONTENT",
    ],
  ])("maps %s to the REST status (%i)", async (_, call, status, code) => {
    const res = await call();
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(body.error.data).toMatchObject({ code, httpStatus: status });
    expect(body.error.data.stack).toBeUndefined();
  });

  it("carries pydantic-shaped issues for 422", async () => {
    const res = await mutate(
      "teams.authorize",
      { team_id: "club", scopes: [] },
      await bearer({ sub: "ann", azp: "coach" }),
    );
    expect((await res.json()).error.data.issues).toEqual([
      {
        type: "too_short",
        loc: ["scopes"],
        msg: "List should have at least 1 item after validation, not 0",
        input: [],
      },
    ]);
  });

  it("takes the delegated token from the Authorization header only on authorize and revoke", async () => {
    const cookie = `token=${await token({ sub: "ann", azp: "coach" })}`;
    const res = await mutate(
      "teams.authorize",
      { team_id: "club", scopes: ["data:read"] },
      { cookie },
    );
    expect(res.status).toBe(401);
    const list = await h.request("/trpc/teams.authorized", {
      headers: { cookie: `token=${await token({ sub: "ann" })}` },
    });
    expect((await list.json()).result.data).toEqual([]);
  });

  it("bounds batches", async () => {
    const headers = await bearer({ sub: "coach" });
    const batch = (n: number) =>
      h.request(
        `/trpc/${Array(n).fill("teams.list").join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify({}))}`,
        { headers },
      );
    expect((await batch(MAX_BATCH_SIZE)).status).toBe(200);
    const tooMany = await batch(MAX_BATCH_SIZE + 1);
    expect(tooMany.status).toBe(400);
  });

  it("answers an over-limit body with 413 before tRPC reads it", async () => {
    const res = await mutate(
      "manage.createTeam",
      { name: "x".repeat(70_000) },
      await bearer({ sub: "coach" }),
    );
    expect(res.status).toBe(413);
  });

  it("reads the consent history as REST does: a person's, a managed user's, a team's", async () => {
    const ann = await bearer({ sub: "ann", azp: "coach" });
    await mutate("teams.authorize", { team_id: "club", scopes: ["profile"] }, ann);
    await mutate("teams.revoke", { team_id: "club" }, ann);
    const coach = await bearer({ sub: "coach" });
    const managed = await query("manage.authorizationHistory", { user_id: "ann" }, coach);
    expect(managed.status).toBe(200);
    const { items, next_cursor } = (await managed.json()).result.data;
    expect(next_cursor).toBeNull();
    expect(items.map((r: { type: string }) => r.type)).toEqual([
      "authorization.granted",
      "authorization.revoked",
    ]);
    const rest = await h.request("/api/v1/teams/authorized/history?user_id=ann", {
      headers: coach,
    });
    expect(items).toEqual(await rest.json());
    const page = await query("manage.teamHistory", { team_id: "club", limit: 1 }, coach);
    const first = (await page.json()).result.data;
    expect(first.items).toEqual(items.slice(0, 1));
    expect(first.next_cursor).toEqual(expect.any(String));
    const outsider = await query(
      "manage.teamHistory",
      { team_id: "club" },
      await bearer({ sub: "carl" }),
    );
    expect(outsider.status).toBe(404);
  });
});
