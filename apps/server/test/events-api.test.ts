import { describe, expect, it } from "vitest";
import { bearer, type Harness, harness } from "./harness.js";
import { bothStores } from "./support/both-stores.js";

// Issue 16, point 3: the events feed over REST and tRPC, for integrations, alike on both stores.
// (The late commit it never skips is shown on PostgreSQL in packages/postgres/test/commit-order.test.ts.)

const { stores, cleanup } = bothStores();

/** A cursor as the service spells one (a list's tag and key, base64url), to forge others. */
const cursor = (tag: string, key: string, id: string) =>
  Buffer.from(JSON.stringify([tag, key, id])).toString("base64url");

interface Event {
  id: number;
  type: string;
  user_id: string;
  team_id: string;
}
interface EventsPage {
  events: Event[];
  next_cursor: string;
}

describe.each(stores)("the events feed over REST on %s", (_, skip, open) => {
  async function app(): Promise<Harness> {
    const h = await harness({ open });
    cleanup(() => h.close());
    return h;
  }
  const admin = () => bearer({ sub: "platform", scope: "admin" });
  const events = async (h: Harness, query = "") => {
    const res = await h.request(`/api/v1/admin/events${query}`, { headers: await admin() });
    expect(res.status).toBe(200);
    return (await res.json()) as EventsPage;
  };
  /**
   * Waits until the feed shows `total` records: on PostgreSQL it holds records back while any
   * older transaction of the server runs (other tests' too), so a read right after a write may
   * not show it yet; the horizon only moves forward, so every read after this one shows them.
   */
  async function settle(h: Harness, total: number) {
    while ((await events(h)).events.length < total);
  }
  /** Ann's manager grants and revokes `rounds` times; ben's once: 2 * rounds + 1 records. */
  async function changes(h: Harness, rounds: number) {
    const ann = await bearer({ sub: "ann", azp: "coach" });
    for (let i = 0; i < rounds; i++) {
      const path = "/api/v1/teams/club/authorize";
      const granted = await h.request(path, {
        method: "POST",
        headers: ann,
        json: { scopes: ["profile"] },
      });
      expect(granted.status).toBe(200);
      expect((await h.request(path, { method: "DELETE", headers: ann })).status).toBe(200);
    }
    const ben = await bearer({ sub: "ben", azp: "coach" });
    const res = await h.request("/api/v1/teams/club/authorize", {
      method: "POST",
      headers: ben,
      json: { scopes: ["data:read"] },
    });
    expect(res.status).toBe(200);
    await settle(h, 2 * rounds + 1);
  }

  it.skipIf(skip)("is for admin tokens only: 401 without one, 403 for any other", async () => {
    const h = await app();
    await changes(h, 1);
    expect((await h.request("/api/v1/admin/events")).status).toBe(401);
    for (const claims of [
      { sub: "coach" },
      { sub: "ann", azp: "coach" },
      { sub: "ann", azp: "coach", scope: "admin" },
    ]) {
      const res = await h.request("/api/v1/admin/events", { headers: await bearer(claims) });
      expect(res.status).toBe(403);
    }
    const res = await h.request("/api/v1/admin/events", {
      headers: await bearer({ sub: "coach" }),
    });
    expect(await res.json()).toEqual({ detail: "This operation requires the admin scope" });
  });

  it.skipIf(skip)("answers every record in log order, the history lists' records", async () => {
    const h = await app();
    await changes(h, 1);
    const page = await events(h);
    expect(page.events.map((e) => `${e.user_id} ${e.type}`)).toEqual([
      "ann authorization.granted",
      "ann authorization.revoked",
      "ben authorization.granted",
    ]);
    const history = await h.request("/api/v1/teams/club/history", {
      headers: await bearer({ sub: "coach" }),
    });
    expect(page.events).toEqual(await history.json());
  });

  it.skipIf(skip)("pages with limit and cursor cover every record exactly once", async () => {
    const h = await app();
    await changes(h, 4);
    const whole = await events(h);
    expect(whole.events).toHaveLength(9);
    const seen: Event[] = [];
    let after: string | undefined;
    for (let pages = 0; ; pages++) {
      const page = await events(h, `?limit=2${after ? `&after=${after}` : ""}`);
      expect(page.events.length).toBeLessThanOrEqual(2);
      seen.push(...page.events);
      if (page.events.length === 0) {
        expect(page.next_cursor).toBe(after);
        expect(pages).toBe(5);
        break;
      }
      after = page.next_cursor;
    }
    expect(seen).toEqual(whole.events);
  });

  it.skipIf(skip)(
    "gives a cursor to resume from after an empty page, never restarting",
    async () => {
      const h = await app();
      // An empty log: no events, still a cursor, from which the first record is read.
      const empty = await events(h);
      expect(empty).toEqual({ events: [], next_cursor: expect.any(String) });
      await changes(h, 1);
      const first = await events(h, `?after=${empty.next_cursor}`);
      expect(first.events).toHaveLength(3);
      // Past the end: nothing, and the cursor it was asked with, again and again.
      const idle = await events(h, `?after=${first.next_cursor}`);
      expect(idle).toEqual({ events: [], next_cursor: first.next_cursor });
      const ben = await bearer({ sub: "ben", azp: "coach" });
      await h.request("/api/v1/teams/club/authorize", { method: "DELETE", headers: ben });
      await settle(h, 4);
      const next = await events(h, `?after=${idle.next_cursor}`);
      expect(next.events.map((e) => `${e.user_id} ${e.type}`)).toEqual([
        "ben authorization.revoked",
      ]);
    },
  );

  it.skipIf(skip)("answers 422 for a bad cursor or limit, in pydantic's words", async () => {
    const h = await app();
    await changes(h, 1);
    const foreign = cursor("h", "1", "");
    const forged = cursor("e", "x", "1");
    const tooLarge = cursor("e", "9223372036854775808", "1");
    for (const [query, loc] of [
      ["?after=nonsense", "after"],
      [`?after=${foreign}`, "after"],
      [`?after=${forged}`, "after"],
      [`?after=${tooLarge}`, "after"],
      ["?limit=0", "limit"],
      ["?limit=1001", "limit"],
      ["?limit=ten", "limit"],
    ] as const) {
      const res = await h.request(`/api/v1/admin/events${query}`, { headers: await admin() });
      expect(res.status, query).toBe(422);
      const body = await res.json();
      expect(body.detail[0].loc, query).toEqual(["query", loc]);
    }
  });

  it.skipIf(skip)("over tRPC: admin.events answers as REST does", async () => {
    const h = await app();
    await changes(h, 1);
    const headers = await admin();
    const call = async (input: unknown) => {
      const res = await h.request(
        `/trpc/admin.events?input=${encodeURIComponent(JSON.stringify(input))}`,
        { headers },
      );
      return { status: res.status, body: await res.json() };
    };
    const first = await call({ limit: 2 });
    expect(first.status).toBe(200);
    expect(first.body.result.data).toEqual(await events(h, "?limit=2"));
    const rest = await call({ after: first.body.result.data.next_cursor });
    expect(rest.body.result.data.events.map((e: Event) => e.user_id)).toEqual(["ben"]);
    expect((await call({ limit: 0 })).status).toBe(422);
    const refused = await h.request("/trpc/admin.events", {
      headers: await bearer({ sub: "coach" }),
    });
    expect(refused.status).toBe(403);
  });
});
