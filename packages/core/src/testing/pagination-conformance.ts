import { describe, expect, it } from "vitest";
import { Invalid, NotFound } from "../errors.js";
import { createTeams } from "../teams.js";
import { admin, delegated, principal, seedWorld, teamBody } from "./fixtures.js";
import { type TeamsWithListValues as Teams, withListValues } from "./list-values.js";
import type { StoreConformanceOptions } from "./store-under-test.js";

/**
 * Pages of the two lists (a team's users, a user's authorized teams) and the sort keys the store
 * keeps copied for them, run against a store. `runStoreConformance` includes it.
 */
export function runPaginationConformance(options: StoreConformanceOptions): void {
  async function withTeams(fn: (teams: Teams) => Promise<void>) {
    const store = await options.open();
    try {
      const core = createTeams({ db: store.db, kind: store.kind });
      const teams = withListValues(core);
      await seedWorld(core);
      await fn(teams);
    } finally {
      await store.close();
    }
  }
  const t = (name: string, fn: (teams: Teams) => Promise<void>) => it(name, () => withTeams(fn));

  const coach = principal("coach");
  const ann = principal("ann");

  /** Seven managed users of coach authorizing "club", named so that names tie and ids break it. */
  async function sevenUsers(teams: Teams) {
    const names: [string, string | null][] = [
      ["u1", "Zoe"],
      ["u2", "Adam"],
      ["u3", "Adam"],
      ["u4", "Émile"],
      ["u5", "bea"],
      ["u6", null],
      ["u7", "Adam"],
    ];
    for (const [id, first] of names) {
      await teams.adminPutUser(admin, id, { first_name: first, manager_id: "coach" });
      await teams.authorizeTeam(delegated(id, "coach"), "club", { scopes: ["data:read"] });
    }
  }

  /** Every page of a list, following the cursors. */
  async function allPages<T>(
    read: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor: string | null }>,
  ): Promise<T[][]> {
    const pages: T[][] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const page = await read(cursor);
      pages.push(page.items);
      if (page.next_cursor === null) return pages;
      cursor = page.next_cursor;
    }
    throw new Error("the cursors never ended");
  }

  describe(`pagination conformance: ${options.name}`, () => {
    t("pages of a team's users, in list order, end with a null cursor", async (teams) => {
      await sevenUsers(teams);
      const whole = await teams.listTeamUsers(coach, "club");
      expect(whole.map((u) => u.id)).toEqual(["u2", "u3", "u7", "u1", "u5", "u6", "u4"]);
      const pages = await allPages((cursor) =>
        teams.listTeamUsersPage(coach, "club", { limit: 3, cursor }),
      );
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(pages.flat()).toEqual(whole);
      // A page exactly as long as what is left is the last one.
      const exact = await teams.listTeamUsersPage(coach, "club", { limit: 7 });
      expect(exact).toEqual({ items: whole, next_cursor: null });
      // Without a limit: everything, with no next page; with a cursor and no limit: the rest.
      expect(await teams.listTeamUsersPage(coach, "club")).toEqual({
        items: whole,
        next_cursor: null,
      });
      const first = await teams.listTeamUsersPage(coach, "club", { limit: "2" });
      expect(first.items).toEqual(whole.slice(0, 2));
      const rest = await teams.listTeamUsersPage(coach, "club", {
        cursor: first.next_cursor ?? "",
      });
      expect(rest).toEqual({ items: whole.slice(2), next_cursor: null });
    });

    t("pages keep the name filter and continue after their last key", async (teams) => {
      await sevenUsers(teams);
      const pages = await allPages((cursor) =>
        teams.listTeamUsersPage(coach, "club", { name: "ADAM", limit: 2, cursor }),
      );
      expect(pages.map((p) => p.map((u) => u.id))).toEqual([["u2", "u3"], ["u7"]]);
      // A user added before the cursor's key is not seen by later pages; one after it is.
      const first = await teams.listTeamUsersPage(coach, "club", { limit: 3 });
      await teams.adminPutUser(admin, "u0", { first_name: "Aaron", manager_id: "coach" });
      await teams.adminPutUser(admin, "u8", { first_name: "Yves", manager_id: "coach" });
      for (const id of ["u0", "u8"]) {
        await teams.authorizeTeam(delegated(id, "coach"), "club", { scopes: ["data:read"] });
      }
      const next = await teams.listTeamUsersPage(coach, "club", {
        cursor: first.next_cursor ?? "",
      });
      expect(next.items.map((u) => u.id)).toEqual(["u8", "u1", "u5", "u6", "u4"]);
    });

    t("pages the members and a member's teams the same way, by name then id", async (teams) => {
      await sevenUsers(teams);
      for (const id of ["u1", "u2", "u3", "u4", "u5"]) {
        await teams.adminPutMember(admin, "club", id, { role: "member" });
      }
      const whole = await teams.listMembers(coach, "club");
      const pages = await allPages((cursor) =>
        teams.core.listMembers(coach, "club", { limit: 2, cursor }),
      );
      expect(pages.flat()).toEqual(whole);
      expect(whole.length).toBeGreaterThan(4);
      expect(pages).toHaveLength(Math.ceil(whole.length / 2));
      for (const [id, name] of [
        ["t1", "B"],
        ["t2", "A"],
        ["t3", "C"],
      ] as const) {
        await teams.adminPutTeam(admin, id, teamBody(name));
        await teams.adminPutMember(admin, id, "coach", { role: "member" });
      }
      const mine = await teams.listTeams(coach);
      const myPages = await allPages((cursor) => teams.core.listTeams(coach, { limit: 1, cursor }));
      expect(myPages.flat()).toEqual(mine);
      expect(myPages).toHaveLength(mine.length);
      // One list's cursor is not another's.
      const memberCursor = (await teams.core.listMembers(coach, "club", { limit: 1 })).next_cursor;
      await expect(
        teams.core.listTeams(coach, { limit: 1, cursor: memberCursor ?? "" }),
      ).rejects.toBeInstanceOf(Invalid);
    });

    t("pages of a user's authorized teams, by name then id", async (teams) => {
      for (const [id, name] of [
        ["t1", "Beta"],
        ["t2", "alpha"],
        ["t3", "Beta"],
        ["t4", "Alpha"],
        ["t5", "Ωmega"],
      ] as const) {
        await teams.adminPutTeam(admin, id, teamBody(name));
        await teams.authorizeTeam(delegated("ann", "coach"), id, { scopes: ["profile"] });
      }
      const whole = await teams.listAuthorizedTeams(ann);
      expect(whole.map((x) => x.id)).toEqual(["t4", "t1", "t3", "t2", "t5"]);
      const pages = await allPages((cursor) =>
        teams.listAuthorizedTeamsPage(ann, { limit: 2, cursor }),
      );
      expect(pages.map((p) => p.map((x) => x.id))).toEqual([["t4", "t1"], ["t3", "t2"], ["t5"]]);
      expect(pages.flat()).toEqual(whole);
      expect(await teams.listAuthorizedTeamsPage(ann, {})).toEqual({
        items: whole,
        next_cursor: null,
      });
    });

    t(
      "refuses a bad limit or cursor in pydantic's words, before the membership check",
      async (teams) => {
        const limits: [unknown, string, string][] = [
          [0, "greater_than_equal", "Input should be greater than or equal to 1"],
          ["0", "greater_than_equal", "Input should be greater than or equal to 1"],
          [1001, "less_than_equal", "Input should be less than or equal to 1000"],
          [
            "ten",
            "int_parsing",
            "Input should be a valid integer, unable to parse string as an integer",
          ],
          [
            "",
            "int_parsing",
            "Input should be a valid integer, unable to parse string as an integer",
          ],
          [
            2.5,
            "int_from_float",
            "Input should be a valid integer, got a number with a fractional part",
          ],
          [null, "int_type", "Input should be a valid integer"],
        ];
        for (const [limit, type, msg] of limits) {
          for (const read of [
            () => teams.listTeamUsersPage(principal("carl"), "club", { limit } as never),
            () => teams.listAuthorizedTeamsPage(ann, { limit } as never),
          ]) {
            const error = await read().catch((e: unknown) => e);
            expect(error, String(limit)).toBeInstanceOf(Invalid);
            expect((error as Invalid).issues).toEqual([
              { type, loc: ["limit"], msg, input: limit },
            ]);
          }
        }
        const teamsCursor = (await teams.listAuthorizedTeamsPage(ann, { limit: 1 })).next_cursor;
        for (const cursor of ["not a cursor", "e30", teamsCursor ?? "eyJ9"]) {
          const error = await teams
            .listTeamUsersPage(coach, "club", { limit: 1, cursor })
            .catch((e: unknown) => e);
          expect(error, cursor).toBeInstanceOf(Invalid);
          expect((error as Invalid).issues).toEqual([
            {
              type: "value_error",
              loc: ["cursor"],
              msg: "Value error, not a cursor of this list",
              input: cursor,
            },
          ]);
        }
        await expect(
          teams.listTeamUsersPage(principal("carl"), "club", { limit: 5 }),
        ).rejects.toBeInstanceOf(NotFound);
      },
    );

    t("renaming a team or a user moves it in every list that shows it", async (teams) => {
      await teams.adminPutTeam(admin, "t1", teamBody("Middle"));
      await teams.adminPutMember(admin, "t1", "coach", { role: "member" });
      for (const id of ["club", "t1", "other"]) {
        await teams.authorizeTeam(delegated("ann", "coach"), id, { scopes: ["data:read"] });
      }
      await teams.authorizeTeam(delegated("ben", "coach"), "club", { scopes: ["data:read"] });
      expect((await teams.listAuthorizedTeams(ann)).map((x) => x.id)).toEqual([
        "club",
        "t1",
        "other",
      ]);
      await teams.updateTeam(coach, "club", { name: "Zulu" });
      await teams.adminPutTeam(admin, "other", teamBody("Alpha"));
      expect((await teams.listAuthorizedTeams(ann)).map((x) => [x.id, x.name])).toEqual([
        ["other", "Alpha"],
        ["t1", "Middle"],
        ["club", "Zulu"],
      ]);
      expect((await teams.listConsents(ann)).map((x) => x.id)).toEqual(["other", "t1", "club"]);
      expect((await teams.listTeams(coach)).map((x) => x.id)).toEqual(["t1", "club"]);

      expect((await teams.listTeamUsers(coach, "club")).map((u) => u.id)).toEqual(["ann", "ben"]);
      await teams.adminPutUser(admin, "ann", { first_name: "Zed", manager_id: "coach" });
      expect((await teams.listTeamUsers(coach, "club")).map((u) => [u.id, u.display_name])).toEqual(
        [
          ["ben", "Ben Bold"],
          ["ann", "Zed"],
        ],
      );
      expect((await teams.listTeamUsers(coach, "club", { name: "zE" })).map((u) => u.id)).toEqual([
        "ann",
      ]);
      // Every column the list shows follows the user, not only the name it is ordered by.
      await teams.adminPutUser(admin, "ben", { first_name: "Ben", last_name: null });
      expect(await teams.getTeamUser(coach, "club", "ben")).toEqual({
        id: "ben",
        first_name: "Ben",
        last_name: null,
        scopes: ["data:read"],
        display_name: "Ben",
        is_managed: false,
      });
      expect((await teams.listTeamUsers(coach, "club"))[0]).toMatchObject({
        id: "ben",
        last_name: null,
        is_managed: false,
      });
      await teams.adminPutUser(admin, "coach", { first_name: "Aaa" });
      expect((await teams.listMembers(coach, "club")).map((m) => m.id)).toEqual([
        "coach",
        "assistant",
      ]);
    });
  });
}
