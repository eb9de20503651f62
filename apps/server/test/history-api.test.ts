import { describe, expect, it } from "vitest";
import { bearer, type Harness, harness } from "./harness.js";
import { bothStores } from "./support/both-stores.js";

// Issue 16, point 2: the consent history over REST, read by those it concerns, paged as the other
// lists are, alike on both stores.

const { stores, cleanup } = bothStores();

describe.each(stores)("the consent history over REST on %s", (_, skip, open) => {
  /** The server, after ann's manager granted the club two scopes, then one, then revoked it. */
  async function app(): Promise<Harness> {
    const h = await harness({ open });
    cleanup(() => h.close());
    const ann = await bearer({ sub: "ann", azp: "coach" });
    for (const scopes of [["profile", "data:read"], ["data:read"]]) {
      const res = await h.request("/api/v1/teams/club/authorize", {
        method: "POST",
        headers: ann,
        json: { scopes },
      });
      expect(res.status).toBe(200);
    }
    const revoked = await h.request("/api/v1/teams/club/authorize", {
      method: "DELETE",
      headers: ann,
    });
    expect(revoked.status).toBe(200);
    return h;
  }
  const get = async (h: Harness, path: string, sub: string) =>
    h.request(path, { headers: await bearer({ sub }) });

  it.skipIf(skip)("a manager reads its managed user's history, with actor and cause", async () => {
    const h = await app();
    const res = await get(h, "/api/v1/teams/authorized/history?user_id=ann", "coach");
    expect(res.status).toBe(200);
    const records = await res.json();
    const actor = { user_id: "ann", authorized_party: "coach", via: "manager_token" };
    expect(records).toEqual([
      {
        id: expect.any(Number),
        type: "authorization.granted",
        occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        team_id: "club",
        user_id: "ann",
        scopes: ["data:read", "profile"],
        previous_scopes: null,
        actor,
        cause: "manager",
      },
      expect.objectContaining({
        type: "authorization.updated",
        scopes: ["data:read"],
        previous_scopes: ["data:read", "profile"],
        actor,
      }),
      expect.objectContaining({
        type: "authorization.revoked",
        scopes: null,
        previous_scopes: ["data:read"],
        actor,
      }),
    ]);
    // The caller's own history is its own: the coach granted nothing for itself.
    expect(await (await get(h, "/api/v1/teams/authorized/history", "coach")).json()).toEqual([]);
  });

  it.skipIf(skip)("refuses another user's history and a delegated token", async () => {
    const h = await app();
    const notFound = await get(h, "/api/v1/teams/authorized/history?user_id=ann", "carl");
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({ detail: "User not found" });
    const delegated = await h.request("/api/v1/teams/authorized/history", {
      headers: await bearer({ sub: "ann", azp: "coach" }),
    });
    expect(delegated.status).toBe(403);
    expect((await h.request("/api/v1/teams/authorized/history")).status).toBe(401);
  });

  it.skipIf(skip)(
    "a team's members read its history; others get the users list's 404",
    async () => {
      const h = await app();
      const res = await get(h, "/api/v1/teams/club/history", "assistant");
      expect(res.status).toBe(200);
      expect((await res.json()).map((r: { type: string }) => r.type)).toEqual([
        "authorization.granted",
        "authorization.updated",
        "authorization.revoked",
      ]);
      const users = await get(h, "/api/v1/teams/club/users", "carl");
      for (const [path, sub] of [
        ["/api/v1/teams/club/history", "carl"],
        ["/api/v1/teams/nope/history", "coach"],
      ] as const) {
        const refused = await get(h, path, sub);
        expect(refused.status).toBe(404);
        expect(await refused.text()).toBe(await users.clone().text());
      }
    },
  );

  it.skipIf(skip)(
    "pages with limit and cursor, the next page in Link and X-Next-Cursor",
    async () => {
      const h = await app();
      const all = await (await get(h, "/api/v1/teams/club/history", "coach")).json();
      const first = await get(h, "/api/v1/teams/club/history?limit=2", "coach");
      expect(await first.json()).toEqual(all.slice(0, 2));
      const cursor = first.headers.get("x-next-cursor");
      expect(cursor).toBeTruthy();
      expect(first.headers.get("link")).toBe(
        `</api/v1/teams/club/history?limit=2&cursor=${cursor}>; rel="next"`,
      );
      const second = await get(h, `/api/v1/teams/club/history?limit=2&cursor=${cursor}`, "coach");
      expect(await second.json()).toEqual(all.slice(2));
      expect(second.headers.get("x-next-cursor")).toBeNull();
      const bad = await get(h, "/api/v1/teams/club/history?limit=2&cursor=nonsense", "coach");
      expect(bad.status).toBe(422);
      expect((await bad.json()).detail[0].loc).toEqual(["query", "cursor"]);
    },
  );
});
