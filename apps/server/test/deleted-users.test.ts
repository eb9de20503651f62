import { principal } from "@teams/core/testing";
import { describe, expect, it } from "vitest";
import { bearer, type Harness, harness } from "./harness.js";
import { bothStores } from "./support/both-stores.js";

// A deleted user's token stays valid until it expires; it must not bring the user back (a user
// first seen in a token is created on the fly). A token issued after the deletion is the identity
// provider's new account with the same id, and works.

const { stores, cleanup } = bothStores();

/** Seconds since the epoch, one more than now: a token surely issued after what just happened. */
const nextSecond = () => Math.floor(Date.now() / 1000) + 1;

describe.each(stores)("deleted users on %s", (_, skip, open) => {
  async function app(): Promise<Harness> {
    const h = await harness({ open });
    cleanup(() => h.close());
    return h;
  }
  const teamsOf = (h: Harness, headers: Record<string, string>) =>
    h.request("/api/v1/teams/", { headers });
  const trpcTeamsOf = (h: Harness, headers: Record<string, string>) =>
    h.request("/trpc/teams.list", { headers });

  it.skipIf(skip)("an old token of a deleted user is a 401 and does not re-create it", async () => {
    const h = await app();
    const old = await bearer({ sub: "carl" });
    expect((await teamsOf(h, old)).status).toBe(200);
    const deleted = await h.request("/api/v1/admin/users/carl", {
      method: "DELETE",
      headers: await bearer({ sub: "platform", scope: "admin" }),
    });
    expect(deleted.status).toBe(204);

    for (const res of [await teamsOf(h, old), await trpcTeamsOf(h, old)]) {
      expect(res.status).toBe(401);
    }
    const rest = await teamsOf(h, old);
    expect(await rest.json()).toEqual({ detail: "Could not validate credentials" });
    expect((await h.teams.listUsers(principal("carl"))).items).toEqual([]);

    // The identity provider's new account with the same id: issued after the deletion.
    const fresh = await bearer({ sub: "carl", iat: nextSecond() });
    const again = await teamsOf(h, fresh);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual([]);
    expect((await trpcTeamsOf(h, fresh)).status).toBe(200);
    expect((await h.teams.listUsers(principal("carl"))).items).toMatchObject([
      { id: "carl", first_name: null, is_managed: false },
    ]);
    // Re-created, it still refuses the token of the account that was deleted.
    expect((await teamsOf(h, old)).status).toBe(401);
  });

  it.skipIf(skip)("the users a deleted manager managed are refused too", async () => {
    const h = await app();
    const ann = await bearer({ sub: "ann" });
    const coach = await bearer({ sub: "coach" });
    expect((await teamsOf(h, ann)).status).toBe(200);
    const deleted = await h.request("/api/v1/admin/users/coach", {
      method: "DELETE",
      headers: await bearer({ sub: "platform", scope: "admin" }),
    });
    expect(deleted.status).toBe(204);
    expect((await teamsOf(h, ann)).status).toBe(401);
    expect((await teamsOf(h, coach)).status).toBe(401);
    expect((await h.teams.listUsers(principal("ann"))).items).toEqual([]);
    expect((await teamsOf(h, await bearer({ sub: "ann", iat: nextSecond() }))).status).toBe(200);
  });
});
