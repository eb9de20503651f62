import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bearer, type Harness, harness } from "./harness.js";

// The users procedures over tRPC: the same core and rules as `/api/v1/users/...` (DESIGN §4).

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

const query = async (path: string, input: unknown, headers: Record<string, string>) =>
  h.request(`/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers });
const mutate = async (path: string, input: unknown, headers: Record<string, string>) =>
  h.request(`/trpc/${path}`, { method: "POST", headers, json: input });
const data = async (res: Response) => {
  expect(res.status).toBe(200);
  // biome-ignore lint/suspicious/noExplicitAny: a tRPC answer walked by the test
  return ((await res.json()) as any).result.data;
};

describe("users over tRPC", () => {
  it("creates, lists, reads, renames and deletes managed users", async () => {
    const coach = await bearer({ sub: "coach" });
    const created = await data(
      await mutate("manage.createManagedUser", { first_name: "Kim", last_name: null }, coach),
    );
    expect(created).toMatchObject({ first_name: "Kim", admin: false, is_managed: true });
    expect(typeof created.registered_at).toBe("string");

    const all = await data(await query("manage.users", {}, coach));
    expect(all.map((u: { id: string }) => u.id)).toEqual(["ann", "ben", "coach", created.id]);
    const own = await data(await query("manage.users", { include_managed: false }, coach));
    expect(own.map((u: { id: string }) => u.id)).toEqual(["coach"]);
    const page = await data(await query("manage.usersPage", { limit: 2 }, coach));
    expect(page.items.map((u: { id: string }) => u.id)).toEqual(["ann", "ben"]);
    expect(typeof page.next_cursor).toBe("string");

    expect(await data(await query("manage.managedUser", { user_id: created.id }, coach))).toEqual(
      created,
    );
    const renamed = await data(
      await mutate("manage.updateManagedUser", { user_id: created.id, last_name: "Lee" }, coach),
    );
    expect(renamed).toMatchObject({ first_name: "Kim", last_name: "Lee", display_name: "Kim Lee" });
    expect(
      await data(await mutate("manage.deleteManagedUser", { user_id: created.id }, coach)),
    ).toBe(null);
    const gone = await query("manage.managedUser", { user_id: created.id }, coach);
    expect(gone.status).toBe(404);
  });

  it("refuses someone else's users with NOT_FOUND and delegated tokens with FORBIDDEN", async () => {
    const rival = await bearer({ sub: "rival" });
    for (const res of [
      await query("manage.managedUser", { user_id: "ann" }, rival),
      await mutate("manage.updateManagedUser", { user_id: "ann", first_name: "X" }, rival),
      await mutate("manage.deleteManagedUser", { user_id: "ann" }, rival),
    ]) {
      expect(res.status).toBe(404);
      expect((await res.json()).error.data.code).toBe("NOT_FOUND");
    }
    const delegated = await bearer({ sub: "ann", azp: "coach" });
    const refused = await query("manage.users", {}, delegated);
    expect(refused.status).toBe(403);
    const coach = await bearer({ sub: "coach" });
    const ann = await data(await query("manage.managedUser", { user_id: "ann" }, coach));
    expect(ann).toMatchObject({ first_name: "Ann", last_name: "Athlete" });
  });
});
