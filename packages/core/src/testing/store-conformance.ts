import type { Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import type { Database } from "../database.js";
import { Forbidden, Invalid, NotAuthenticated, NotFound } from "../errors.js";
import { arrayText } from "../list-lines.js";
import { LATEST_SCHEMA_VERSION, readSchemaVersion } from "../migrations.js";
import { AuthorizedTeamResponse, TeamResponse, UserSummary } from "../schemas.js";
import { createTeams } from "../teams.js";
import { runConsentLogConformance } from "./consent-log-conformance.js";
import { runDelegationConformance } from "./delegation-conformance.js";
import { runEventsConformance } from "./events-conformance.js";
import { admin, delegated, principal, seedWorld, teamBody } from "./fixtures.js";
import { expectListLinesFresh } from "./list-line-check.js";
import { type TeamsWithListValues as Teams, withListValues } from "./list-values.js";
import { runPaginationConformance } from "./pagination-conformance.js";
import type { StoreConformanceOptions } from "./store-under-test.js";
import { runTokenTableConformance } from "./token-table-conformance.js";

/**
 * Registers the store conformance suite with vitest: every use case of the core, its rules and its
 * cascades, run against the store `open` returns. One call per store:
 * `runStoreConformance({ name: "sqlite", open: () => openSqliteStore({ filename: ":memory:" }) })`.
 */
export function runStoreConformance(options: StoreConformanceOptions): void {
  /** Runs `fn` with a fresh store and a clock the test can move. */
  async function withTeams(
    fn: (teams: Teams, clock: { now: Date }, db: Kysely<Database>) => Promise<void>,
    seed = true,
  ) {
    const store = await options.open();
    const clock = { now: new Date("2026-01-01T00:00:00.000Z") };
    try {
      const core = createTeams({ db: store.db, kind: store.kind, clock: () => clock.now });
      const teams = withListValues(core);
      if (seed) await seedWorld(core);
      await fn(teams, clock, store.db);
    } finally {
      await store.close();
    }
  }
  const t = (
    name: string,
    fn: (teams: Teams, clock: { now: Date }, db: Kysely<Database>) => Promise<void>,
  ) => it(name, () => withTeams(fn));

  const coach = principal("coach");
  const assistant = principal("assistant");
  const carl = principal("carl");
  const annByCoach = delegated("ann", "coach");

  describe(`store conformance: ${options.name}`, () => {
    it("opens at the latest schema version", () =>
      withTeams(async () => {
        const store = await options.open();
        try {
          expect(await readSchemaVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
        } finally {
          await store.close();
        }
      }, false));

    it("keeps every stored list line and copied sort key fresh through every write path", async () => {
      const store = await options.open();
      try {
        const core = createTeams({ db: store.db, kind: store.kind });
        await seedWorld(core);
        const check = (after: string) => expectListLinesFresh(store, after);
        let newt = "";
        const steps: [string, () => Promise<unknown>][] = [
          ["grants", () => core.authorizeTeam(annByCoach, "club", { scopes: ["data:read"] })],
          ["a second team", () => core.authorizeTeam(annByCoach, "other", { scopes: ["profile"] })],
          [
            "scope change",
            () => core.authorizeTeam(annByCoach, "club", { scopes: ["data:write"] }),
          ],
          ["consent", () => core.consentToTeam(carl, "club", { scopes: ["profile"] })],
          [
            "consent added",
            () => core.consentToTeam(carl, "club", { scopes: ["data:read"] }, { add: true }),
          ],
          [
            "rename",
            () =>
              core.adminPutUser(admin, "ann", {
                first_name: "Anna",
                last_name: 'Ö "q"',
                manager_id: "coach",
              }),
          ],
          [
            "rename to names that fold",
            () =>
              core.adminPutUser(admin, "ann", {
                first_name: "ÉMILE \ufb01",
                last_name: "Strauß",
                manager_id: "coach",
              }),
          ],
          [
            "names cleared",
            () =>
              core.adminPutUser(admin, "carl", {
                first_name: null,
                last_name: null,
                manager_id: null,
              }),
          ],
          [
            "manager change",
            () =>
              core.adminPutUser(admin, "carl", {
                first_name: "Carl",
                last_name: null,
                manager_id: "assistant",
              }),
          ],
          [
            "manager cleared",
            () =>
              core.adminPutUser(admin, "carl", {
                first_name: "Carl",
                last_name: "C",
                manager_id: null,
              }),
          ],
          ["team rename", () => core.updateTeam(coach, "club", { name: "Club Renamed" })],
          ["admin team put", () => core.adminPutTeam(admin, "other", teamBody("Other Renamed"))],
          ["member added", () => core.putMember(coach, "club", "carl", { role: "member" })],
          [
            "managed user",
            async () => {
              newt = (await core.createManagedUser(coach, { first_name: "Newt", last_name: null }))
                .id;
            },
          ],
          [
            "managed user authorizes",
            () => core.authorizeTeam(delegated(newt, "coach"), "club", { scopes: ["profile"] }),
          ],
          [
            "managed user renamed, one name",
            () => core.updateManagedUser(coach, newt, { last_name: "ẞ" }),
          ],
          [
            "managed user renamed, the other name",
            () => core.updateManagedUser(coach, newt, { first_name: "Ǆ" }),
          ],
          ["member removed", () => core.removeMember(coach, "club", "carl")],
          ["revoke", () => core.revokeTeam(annByCoach, "other")],
          ["withdraw", () => core.withdrawConsent(carl, "club")],
          ["team deleted", () => core.adminDeleteTeam(admin, "other")],
          ["user deleted", () => core.adminDeleteUser(admin, "ann")],
          ["manager deleted", () => core.adminDeleteUser(admin, "coach")],
        ];
        for (const [name, step] of steps) {
          await step();
          await check(name);
        }
        expect(await store.db.selectFrom("authorizations").select("user_id").execute()).toEqual([]);
      } finally {
        await store.close();
      }
    });

    describe("reference operations", () => {
      t("every operation answers NotAuthenticated without a principal", async (teams) => {
        await expect(teams.listTeams(null)).rejects.toBeInstanceOf(NotAuthenticated);
        await expect(teams.listAuthorizedTeams(undefined)).rejects.toBeInstanceOf(NotAuthenticated);
        await expect(
          teams.authorizeTeam(null, "club", { scopes: ["data:read"] }),
        ).rejects.toBeInstanceOf(NotAuthenticated);
        await expect(teams.revokeTeam(null, "club")).rejects.toBeInstanceOf(NotAuthenticated);
        await expect(teams.listTeamUsers(null, "club")).rejects.toBeInstanceOf(NotAuthenticated);
      });

      t(
        "writes lists as JSON text byte for byte as JSON.stringify writes the lists",
        async (teams) => {
          const awkward = 'Quote " back \\ slash </script> Åsa 😀 \u0001\u001f\n\t\u007f';
          await teams.adminPutTeam(admin, "odd", teamBody("Odd", { description: awkward }));
          await teams.adminPutMember(admin, "odd", "coach", { role: "owner" });
          await teams.adminPutUser(admin, "ann", {
            first_name: awkward,
            last_name: null,
            manager_id: "coach",
          });
          for (const team of ["club", "odd"]) {
            await teams.authorizeTeam(annByCoach, team, { scopes: ["profile", "data:read"] });
            await teams.authorizeTeam(delegated("ben", "coach"), team, { scopes: ["data:write"] });
          }
          const ann = principal("ann");
          // Each line is what JSON.stringify writes for its item, whole list or page.
          const authorized = await teams.core.listAuthorizedTeams(ann);
          const values = await teams.listAuthorizedTeams(ann);
          expect(authorized.lines).toEqual(values.map((team) => JSON.stringify(team)));
          expect(arrayText(authorized.lines)).toBe(JSON.stringify(values));
          expect(values[1]).toMatchObject({ id: "odd", description: awkward });
          expect((await teams.core.listAuthorizedTeams(principal("nobody"))).lines).toEqual([]);
          const consents = await teams.core.listAuthorizedTeams(ann, {}, { times: true });
          expect(consents.lines).toEqual(
            (await teams.listConsents(ann)).map((c) => JSON.stringify(c)),
          );
          const page = await teams.core.listTeamUsers(coach, "odd", { limit: 1 });
          const users = await teams.listTeamUsers(coach, "odd");
          expect(page.lines).toEqual([JSON.stringify(users[0])]);
          expect((await teams.core.listTeamUsers(coach, "odd")).lines).toEqual(
            users.map((user) => JSON.stringify(user)),
          );
          expect(users.find((u) => u.id === "ann")).toMatchObject({
            first_name: awkward,
            is_managed: true,
          });
        },
      );

      t("lists the teams a user belongs to, with its role, by name then id", async (teams) => {
        await teams.adminPutTeam(admin, "b-twin", teamBody("Club"));
        await teams.adminPutMember(admin, "b-twin", "assistant", { role: "owner" });
        const listed = await teams.listTeams(assistant);
        expect(listed.map((x) => [x.id, x.role])).toEqual([
          ["b-twin", "owner"],
          ["club", "member"],
        ]);
        for (const team of listed) TeamResponse.parse(team);
        expect(Object.keys(listed[0] ?? {})).toEqual([
          "id",
          "name",
          "description",
          "url",
          "image",
          "privacy_statement",
          "role",
        ]);
        expect(await teams.listTeams(carl)).toEqual([]);
      });

      t(
        "authorizes with a delegated token and lists the authorization both ways",
        async (teams) => {
          const answer = await teams.authorizeTeam(annByCoach, "club", {
            scopes: ["profile", "data:read", "data:read"],
          });
          expect(answer).toEqual({
            team_id: "club",
            user_id: "ann",
            scopes: ["data:read", "profile"],
          });
          const authorized = await teams.listAuthorizedTeams(principal("ann"));
          expect(authorized).toHaveLength(1);
          expect(AuthorizedTeamResponse.parse(authorized[0])).toMatchObject({
            id: "club",
            scopes: ["data:read", "profile"],
          });
          const users = await teams.listTeamUsers(assistant, "club");
          expect(users).toEqual([
            {
              id: "ann",
              first_name: "Ann",
              last_name: "Athlete",
              scopes: ["data:read", "profile"],
              display_name: "Ann Athlete",
              is_managed: true,
            },
          ]);
          UserSummary.parse(users[0]);
        },
      );

      t(
        "authorizing again replaces the scope set and keeps the first grant time",
        async (teams, clock, db) => {
          await teams.authorizeTeam(annByCoach, "club", { scopes: ["data:read", "data:write"] });
          clock.now = new Date("2026-02-01T00:00:00.000Z");
          const again = await teams.authorizeTeam(annByCoach, "club", { scopes: ["profile"] });
          expect(again.scopes).toEqual(["profile"]);
          expect((await teams.listAuthorizedTeams(principal("ann")))[0]?.scopes).toEqual([
            "profile",
          ]);
          const row = await db
            .selectFrom("authorizations")
            .selectAll()
            .where("user_id", "=", "ann")
            .executeTakeFirstOrThrow();
          expect(row.granted_at).toBe("2026-01-01T00:00:00.000Z");
          expect(row.updated_at).toBe("2026-02-01T00:00:00.000Z");
        },
      );

      t("refuses bad bodies with 422 issues and changes nothing", async (teams) => {
        const bodies: [unknown, string][] = [
          [{}, "missing"],
          [null, "model_attributes_type"],
          [{ scopes: "data:read" }, "list_type"],
          [{ scopes: [] }, "too_short"],
          [{ scopes: ["data:delete"] }, "enum"],
          [{ scopes: [42] }, "enum"],
          [{ scopes: ["admin"] }, "value_error"],
          [{ scopes: ["openid", "data:read"] }, "value_error"],
        ];
        for (const [body, type] of bodies) {
          const error = await teams
            .authorizeTeam(annByCoach, "club", body)
            .catch((e: unknown) => e);
          expect(error, JSON.stringify(body)).toBeInstanceOf(Invalid);
          expect((error as Invalid).issues[0]?.type, JSON.stringify(body)).toBe(type);
        }
        expect(await teams.listAuthorizedTeams(principal("ann"))).toEqual([]);
      });

      t("checks 422 before 403 before 404", async (teams) => {
        await expect(teams.authorizeTeam(carl, "nope", { scopes: [] })).rejects.toBeInstanceOf(
          Invalid,
        );
        await expect(
          teams.authorizeTeam(carl, "nope", { scopes: ["data:read"] }),
        ).rejects.toBeInstanceOf(Forbidden);
        await expect(
          teams.authorizeTeam(annByCoach, "nope", { scopes: ["data:read"] }),
        ).rejects.toBeInstanceOf(NotFound);
        await expect(teams.revokeTeam(carl, "nope")).rejects.toBeInstanceOf(Forbidden);
        await expect(teams.revokeTeam(annByCoach, "nope")).rejects.toBeInstanceOf(NotFound);
      });

      t("refuses tokens that are not the managed user's manager's delegation", async (teams) => {
        const refused = [
          principal("ann"), // the managed user's own token: not delegated
          principal("ann", { azp: "ann" }), // azp equal to sub: not delegated
          delegated("ann", "coach", ["data:read"]), // cannot grant data:write it lacks
        ];
        for (const p of refused) {
          await expect(
            teams.authorizeTeam(p, "club", { scopes: ["data:read", "data:write"] }),
          ).rejects.toBeInstanceOf(Forbidden);
        }
        // DESIGN §2: a delegation by someone who is not the subject's manager can never be valid.
        const invalid = [
          delegated("ann", "rival"), // someone else's delegation
          delegated("carl", "coach"), // carl is not managed
          delegated("ghost", "coach"), // no such user
        ];
        for (const p of invalid) {
          await expect(
            teams.authorizeTeam(p, "club", { scopes: ["data:read", "data:write"] }),
          ).rejects.toBeInstanceOf(NotAuthenticated);
        }
        expect(await teams.listAuthorizedTeams(principal("ann"))).toEqual([]);
      });

      t("revokes, answering the scopes it removed, then 404s", async (teams) => {
        await teams.authorizeTeam(annByCoach, "club", { scopes: ["data:read"] });
        await expect(teams.revokeTeam(delegated("ann", "rival"), "club")).rejects.toBeInstanceOf(
          NotAuthenticated,
        );
        expect(await teams.revokeTeam(annByCoach, "club")).toEqual({
          team_id: "club",
          user_id: "ann",
          scopes: ["data:read"],
        });
        expect(await teams.listAuthorizedTeams(principal("ann"))).toEqual([]);
        expect(await teams.listTeamUsers(coach, "club")).toEqual([]);
        await expect(teams.revokeTeam(annByCoach, "club")).rejects.toBeInstanceOf(NotFound);
      });

      t("shows a team's users to members only, the same way for a missing team", async (teams) => {
        await teams.authorizeTeam(annByCoach, "club", { scopes: ["data:read"] });
        const outsider = await teams.listTeamUsers(carl, "club").catch((e: Error) => e);
        const missing = await teams.listTeamUsers(carl, "no-such-team").catch((e: Error) => e);
        expect(outsider).toBeInstanceOf(NotFound);
        expect(missing).toBeInstanceOf(NotFound);
        expect((outsider as Error).message).toBe((missing as Error).message);
        await expect(teams.listTeamUsers(principal("rival"), "club")).rejects.toBeInstanceOf(
          NotFound,
        );
        expect(await teams.listTeamUsers(coach, "club")).toHaveLength(1);
      });

      t(
        "orders team users by display name then id, and filters by name ignoring case",
        async (teams) => {
          await teams.adminPutUser(admin, "zed", { manager_id: "coach" });
          await teams.adminPutUser(admin, "amy2", {
            first_name: "Ann",
            last_name: "Athlete",
            manager_id: "coach",
          });
          await teams.adminPutUser(admin, "pct", {
            first_name: "100%",
            last_name: "Effort",
            manager_id: "coach",
          });
          for (const id of ["zed", "ann", "amy2", "ben", "pct"]) {
            await teams.authorizeTeam(delegated(id, "coach"), "club", { scopes: ["data:read"] });
          }
          const all = await teams.listTeamUsers(coach, "club");
          expect(all.map((u) => [u.display_name, u.id])).toEqual([
            ["100% Effort", "pct"],
            ["Ann Athlete", "amy2"],
            ["Ann Athlete", "ann"],
            ["Ben Bold", "ben"],
            ["zed", "zed"],
          ]);
          expect(
            (await teams.listTeamUsers(coach, "club", { name: "aTHL" })).map((u) => u.id),
          ).toEqual(["amy2", "ann"]);
          expect(
            (await teams.listTeamUsers(coach, "club", { name: "0%" })).map((u) => u.id),
          ).toEqual(["pct"]);
          expect(
            (await teams.listTeamUsers(coach, "club", { name: "_" })).map((u) => u.id),
          ).toEqual([]);
          expect(await teams.listTeamUsers(coach, "club", { name: "" })).toHaveLength(5);
        },
      );

      t(
        "filters team users by name ignoring case by Unicode full case folding after NFKC",
        async (teams) => {
          // Names as typed, each authorizing the club; the filter must answer alike on every store.
          const people: [id: string, first: string, last: string | null][] = [
            ["emile", "Émile", "Zola"],
            ["strauss", "Johann", "Strauß"],
            ["fiona", "Fiona", null],
            ["odysseus", "ΟΔΥΣΣΕΥΣ", null],
            ["cherokee", "ᏣᎳᎩ", null],
            ["tamar", "ᲗᲐᲛᲐᲠ", null],
            ["ipek", "İpek", null],
            ["isik", "Işık", null],
            ["kelvin", "\u212aelvin", null],
          ];
          for (const [id, first_name, last_name] of people) {
            await teams.adminPutUser(admin, id, { first_name, last_name, manager_id: "coach" });
            await teams.authorizeTeam(delegated(id, "coach"), "club", { scopes: ["profile"] });
          }
          const named = async (name: string) =>
            (await teams.listTeamUsers(coach, "club", { name })).map((u) => u.id).sort();
          const cases: [needle: string, ids: string[]][] = [
            ["émile", ["emile"]],
            ["ÉMILE", ["emile"]],
            ["E\u0301mile", ["emile"]],
            ["emile", []],
            ["ＺＯＬＡ", ["emile"]],
            ["STRAUSS", ["strauss"]],
            ["strauß", ["strauss"]],
            ["\u1e9e", ["strauss"]],
            ["\ufb01", ["fiona"]],
            ["FI", ["fiona"]],
            ["οδυσσευς", ["odysseus"]],
            ["ꮳꮃꭹ", ["cherokee"]],
            ["თამარ", ["tamar"]],
            ["İPEK", ["ipek"]],
            ["i\u0307p", ["ipek"]],
            ["ipek", []],
            ["ŞIk", []],
            ["şık", ["isik"]],
            ["IŞ", ["isik"]],
            ["isik", []],
            ["KELVIN", ["kelvin"]],
            ["\u212aELV", ["kelvin"]],
            ["%", []],
          ];
          for (const [needle, ids] of cases) {
            expect(await named(needle), `name=${JSON.stringify(needle)}`).toEqual(ids);
          }
          // A page of a filtered list, and its next page, from the same folded filter.
          // In display-name order, by bytes: "Émile Zola", "İpek", then "\u212aelvin".
          const first = await teams.listTeamUsersPage(coach, "club", { name: "E", limit: 1 });
          const rest = await teams.listTeamUsersPage(coach, "club", {
            name: "E",
            limit: 10,
            cursor: first.next_cursor ?? "",
          });
          expect([...first.items, ...rest.items].map((u) => u.id)).toEqual([
            "emile",
            "ipek",
            "kelvin",
          ]);
          expect(rest.next_cursor).toBeNull();
          // Renames fold too: by the administration, and a manager's partial rename.
          await teams.adminPutUser(admin, "strauss", {
            first_name: "Johann",
            last_name: "Strauss",
            manager_id: "coach",
          });
          expect(await named("straß")).toEqual([]);
          expect(await named("STRAUß")).toEqual(["strauss"]);
          await teams.updateManagedUser(coach, "fiona", { last_name: "Maß" });
          expect(await named("FIONA MASS")).toEqual(["fiona"]);
          await teams.updateManagedUser(coach, "fiona", { first_name: "Fee" });
          expect(await named("fee mass")).toEqual(["fiona"]);
          expect(await named("\ufb01")).toEqual([]);
        },
      );

      t(
        "lets a regular user authorize and withdraw a team for itself, and no one else",
        async (teams) => {
          expect(
            await teams.consentToTeam(carl, "club", { scopes: ["profile", "data:read"] }),
          ).toEqual({
            team_id: "club",
            user_id: "carl",
            scopes: ["data:read", "profile"],
          });
          expect(
            (await teams.listTeamUsers(coach, "club")).map((u) => [u.id, u.is_managed]),
          ).toEqual([["carl", false]]);
          await expect(
            teams.consentToTeam(principal("ann"), "club", { scopes: ["data:read"] }),
          ).rejects.toBeInstanceOf(Forbidden);
          await expect(
            teams.consentToTeam(annByCoach, "club", { scopes: ["data:read"] }),
          ).rejects.toBeInstanceOf(Forbidden);
          await expect(
            teams.consentToTeam(carl, "club", { scopes: ["admin"] }),
          ).rejects.toBeInstanceOf(Invalid);
          await expect(
            teams.consentToTeam(carl, "nope", { scopes: ["data:read"] }),
          ).rejects.toBeInstanceOf(NotFound);
          await expect(teams.withdrawConsent(annByCoach, "club")).rejects.toBeInstanceOf(Forbidden);
          expect((await teams.withdrawConsent(carl, "club")).scopes).toEqual([
            "data:read",
            "profile",
          ]);
          await expect(teams.withdrawConsent(carl, "club")).rejects.toBeInstanceOf(NotFound);
          expect(await teams.listAuthorizedTeams(carl)).toEqual([]);
        },
      );

      t(
        "shows any signed-in user a team's consent details and what it already granted",
        async (teams) => {
          await expect(teams.getTeamForConsent(null, "club")).rejects.toBeInstanceOf(
            NotAuthenticated,
          );
          // carl is neither a member nor has authorized the team, and still reads what it asks.
          expect(await teams.getTeamForConsent(carl, "club")).toEqual({
            id: "club",
            name: "Club",
            description: "Club description",
            url: "https://club.example/",
            image: "https://club.example/logo.png",
            privacy_statement: "https://club.example/privacy",
            granted: null,
          });
          await teams.consentToTeam(carl, "club", { scopes: ["profile", "data:read"] });
          expect((await teams.getTeamForConsent(carl, "club")).granted).toEqual([
            "data:read",
            "profile",
          ]);
          // The consent pages are for a person: a manager's delegated token is refused there.
          await teams.authorizeTeam(annByCoach, "club", { scopes: ["profile"] });
          await expect(teams.getTeamForConsent(annByCoach, "club")).rejects.toBeInstanceOf(
            Forbidden,
          );
          for (const id of ["nope", "", "x".repeat(300)]) {
            await expect(teams.getTeamForConsent(carl, id)).rejects.toBeInstanceOf(NotFound);
          }
        },
      );

      t(
        "lists the teams a user consented to with grant and change times, by name then id",
        async (teams, clock) => {
          await teams.adminPutTeam(admin, "a-team", teamBody("A Team"));
          await teams.consentToTeam(carl, "club", { scopes: ["data:read"] });
          clock.now = new Date("2026-01-02T00:00:00.000Z");
          await teams.consentToTeam(carl, "a-team", { scopes: ["profile"] });
          clock.now = new Date("2026-01-03T00:00:00.000Z");
          await teams.consentToTeam(carl, "club", { scopes: ["data:read", "data:write"] });
          const consents = await teams.listConsents(carl);
          expect(consents).toEqual([
            {
              ...teamBody("A Team"),
              id: "a-team",
              scopes: ["profile"],
              granted_at: "2026-01-02T00:00:00.000Z",
              updated_at: "2026-01-02T00:00:00.000Z",
            },
            {
              ...teamBody("Club"),
              id: "club",
              scopes: ["data:read", "data:write"],
              granted_at: "2026-01-01T00:00:00.000Z",
              updated_at: "2026-01-03T00:00:00.000Z",
            },
          ]);
          // The reference's list is the same teams in the same order, in its exact shape.
          expect(await teams.listAuthorizedTeams(carl)).toEqual(
            consents.map(({ granted_at: _g, updated_at: _u, ...team }) => team),
          );
          expect(await teams.listConsents(coach)).toEqual([]);
          await expect(teams.listConsents(undefined)).rejects.toBeInstanceOf(NotAuthenticated);
        },
      );

      t("reads one authorizing user of a team", async (teams) => {
        await teams.authorizeTeam(annByCoach, "club", { scopes: ["profile"] });
        expect(await teams.getTeamUser(assistant, "club", "ann")).toMatchObject({
          id: "ann",
          scopes: ["profile"],
        });
        await expect(teams.getTeamUser(assistant, "club", "ben")).rejects.toBeInstanceOf(NotFound);
        await expect(teams.getTeamUser(carl, "club", "ann")).rejects.toBeInstanceOf(NotFound);
      });
    });

    describe("management", () => {
      t("creates a team owned by its creator and lets owners edit it", async (teams) => {
        const created = await teams.createTeam(carl, teamBody("Carl's Crew"));
        expect(created.role).toBe("owner");
        expect(await teams.listTeams(carl)).toEqual([created]);
        const edited = await teams.updateTeam(carl, created.id, { description: "Weekend rides" });
        expect(edited).toMatchObject({
          id: created.id,
          description: "Weekend rides",
          name: "Carl's Crew",
        });
        expect(await teams.getTeam(carl, created.id)).toEqual(edited);
        await expect(
          teams.updateTeam(assistant, created.id, { name: "Mine" }),
        ).rejects.toBeInstanceOf(NotFound);
        await expect(teams.updateTeam(assistant, "club", { name: "Mine" })).rejects.toBeInstanceOf(
          Forbidden,
        );
        await expect(
          teams.updateTeam(carl, created.id, { url: "javascript:alert(1)" }),
        ).rejects.toBeInstanceOf(Invalid);
        expect((await teams.getTeam(carl, created.id)).name).toBe("Carl's Crew");
      });

      t("shows a team to members and to users who authorized it, to nobody else", async (teams) => {
        await teams.authorizeTeam(annByCoach, "club", { scopes: ["data:read"] });
        expect((await teams.getTeam(principal("ann"), "club")).role).toBeNull();
        expect((await teams.getTeam(assistant, "club")).role).toBe("member");
        await expect(teams.getTeam(carl, "club")).rejects.toBeInstanceOf(NotFound);
      });

      t("deletes a team with its memberships and authorizations", async (teams, _clock, db) => {
        await teams.authorizeTeam(annByCoach, "club", { scopes: ["data:read"] });
        await expect(teams.deleteTeam(assistant, "club")).rejects.toBeInstanceOf(Forbidden);
        await teams.deleteTeam(coach, "club");
        expect(await teams.listTeams(assistant)).toEqual([]);
        expect(await teams.listAuthorizedTeams(principal("ann"))).toEqual([]);
        expect(
          await db.selectFrom("memberships").selectAll().where("team_id", "=", "club").execute(),
        ).toEqual([]);
        expect(
          await db.selectFrom("authorizations").selectAll().where("team_id", "=", "club").execute(),
        ).toEqual([]);
        await expect(teams.deleteTeam(coach, "club")).rejects.toBeInstanceOf(NotFound);
      });

      t("owners add, re-role and remove members; a team keeps its last owner", async (teams) => {
        expect(await teams.putMember(coach, "club", "carl", { role: "member" })).toMatchObject({
          id: "carl",
          role: "member",
        });
        await expect(
          teams.putMember(assistant, "club", "rival", { role: "member" }),
        ).rejects.toBeInstanceOf(Forbidden);
        await expect(
          teams.putMember(carl, "other", "carl", { role: "owner" }),
        ).rejects.toBeInstanceOf(NotFound);
        await expect(
          teams.putMember(coach, "club", "nobody", { role: "member" }),
        ).rejects.toBeInstanceOf(NotFound);
        await expect(
          teams.putMember(coach, "club", "carl", { role: "boss" }),
        ).rejects.toBeInstanceOf(Invalid);
        await expect(
          teams.putMember(coach, "club", "coach", { role: "member" }),
        ).rejects.toBeInstanceOf(Forbidden);
        await expect(teams.removeMember(coach, "club", "coach")).rejects.toBeInstanceOf(Forbidden);
        await teams.putMember(coach, "club", "assistant", { role: "owner" });
        await teams.putMember(coach, "club", "coach", { role: "member" });
        expect((await teams.listMembers(carl, "club")).map((m) => [m.id, m.role])).toEqual([
          ["assistant", "owner"],
          ["carl", "member"],
          ["coach", "member"],
        ]);
        await expect(teams.removeMember(carl, "club", "coach")).rejects.toBeInstanceOf(Forbidden);
        await teams.removeMember(carl, "club", "carl");
        await teams.removeMember(principal("assistant"), "club", "coach");
        expect((await teams.listMembers(assistant, "club")).map((m) => m.id)).toEqual([
          "assistant",
        ]);
        await expect(teams.listMembers(carl, "club")).rejects.toBeInstanceOf(NotFound);
        await expect(teams.removeMember(assistant, "club", "carl")).rejects.toBeInstanceOf(
          NotFound,
        );
      });

      t(
        "regular users create and list managed users; managed and delegated callers cannot",
        async (teams) => {
          const created = await teams.createManagedUser(carl, {
            first_name: "Kid",
            last_name: "Carlson",
          });
          expect(created).toMatchObject({
            first_name: "Kid",
            display_name: "Kid Carlson",
            is_managed: true,
            admin: false,
          });
          expect((await teams.listUsers(carl)).items.map((u) => u.id)).toEqual([
            "carl",
            created.id,
          ]);
          await expect(teams.createManagedUser(principal("ann"), {})).rejects.toBeInstanceOf(
            Forbidden,
          );
          await expect(teams.createManagedUser(annByCoach, {})).rejects.toBeInstanceOf(Forbidden);
          await expect(teams.createManagedUser(carl, { first_name: 7 })).rejects.toBeInstanceOf(
            Invalid,
          );
          const fresh = await teams.createManagedUser(principal("newcomer"), {});
          expect(fresh.display_name).toBe(fresh.id);
          expect(
            (await teams.listUsers(principal("newcomer"))).items.map((u) => u.id).sort(),
          ).toEqual([fresh.id, "newcomer"].sort());
        },
      );

      t(
        "answers the access check for self, manager and team members with the scope",
        async (teams) => {
          await teams.authorizeTeam(annByCoach, "club", { scopes: ["data:read"] });
          const ask = (p: ReturnType<typeof principal>, userId: string, scope: string) =>
            teams.canAccess(p, { userId, scope });
          expect(await ask(principal("ann"), "ann", "data:write")).toBe(true);
          expect(await ask(coach, "ben", "data:write")).toBe(true);
          expect(await ask(assistant, "ann", "data:read")).toBe(true);
          expect(await ask(assistant, "ann", "data:write")).toBe(false);
          expect(await ask(assistant, "ben", "data:read")).toBe(false);
          expect(await ask(principal("rival"), "ann", "data:read")).toBe(false);
          expect(await ask(carl, "ghost", "data:read")).toBe(false);
          await expect(ask(carl, "ann", "everything")).rejects.toBeInstanceOf(Invalid);
          await teams.revokeTeam(annByCoach, "club");
          expect(await ask(assistant, "ann", "data:read")).toBe(false);
        },
      );
    });

    describe("administration", () => {
      t("requires the admin scope", async (teams) => {
        await expect(teams.adminPutUser(coach, "x", {})).rejects.toBeInstanceOf(Forbidden);
        await expect(teams.adminPutTeam(coach, "x", teamBody("X"))).rejects.toBeInstanceOf(
          Forbidden,
        );
        await expect(teams.adminDeleteUser(coach, "carl")).rejects.toBeInstanceOf(Forbidden);
        await expect(teams.adminDeleteTeam(coach, "club")).rejects.toBeInstanceOf(Forbidden);
        await expect(
          teams.adminPutMember(coach, "club", "carl", { role: "member" }),
        ).rejects.toBeInstanceOf(Forbidden);
        await expect(teams.adminDeleteMember(coach, "club", "assistant")).rejects.toBeInstanceOf(
          Forbidden,
        );
        expect(await teams.listTeams(carl)).toEqual([]);
      });

      t("puts users idempotently and validates managers", async (teams) => {
        const first = await teams.adminPutUser(admin, "dora", { first_name: "Dora" });
        expect(await teams.adminPutUser(admin, "dora", { first_name: "Dora" })).toEqual(first);
        expect(
          (await teams.adminPutUser(admin, "dora", { first_name: "Dora", last_name: "D" }))
            .display_name,
        ).toBe("Dora D");
        for (const manager of ["dora", "ann", "ghost"]) {
          await expect(
            teams.adminPutUser(admin, "dora", { manager_id: manager }),
          ).rejects.toBeInstanceOf(Invalid);
        }
        await expect(
          teams.adminPutUser(admin, "coach", { manager_id: "carl" }),
        ).rejects.toBeInstanceOf(Invalid);
        await expect(teams.adminPutUser(admin, "bad\u0000id", {})).rejects.toBeInstanceOf(Invalid);
        await expect(teams.adminPutUser(admin, "x".repeat(256), {})).rejects.toBeInstanceOf(
          Invalid,
        );
        expect((await teams.adminPutUser(admin, "dora", { manager_id: "carl" })).is_managed).toBe(
          true,
        );
      });

      t(
        "deletes a user with its managed users, memberships and authorizations",
        async (teams, _clock, db) => {
          await teams.authorizeTeam(annByCoach, "club", { scopes: ["data:read"] });
          await teams.authorizeTeam(delegated("ben", "coach"), "other", { scopes: ["data:read"] });
          await teams.adminDeleteUser(admin, "coach");
          const users = await db.selectFrom("users").select("id").orderBy("id").execute();
          expect(users.map((u) => u.id)).toEqual(["assistant", "carl", "rival"]);
          expect(await db.selectFrom("authorizations").selectAll().execute()).toEqual([]);
          expect((await teams.listMembers(assistant, "club")).map((m) => m.id)).toEqual([
            "assistant",
          ]);
          await expect(teams.adminDeleteUser(admin, "coach")).rejects.toBeInstanceOf(NotFound);
        },
      );

      t("puts and deletes teams and members", async (teams) => {
        const body = teamBody("Admin Team");
        expect(await teams.adminPutTeam(admin, "t1", body)).toEqual({ id: "t1", ...body });
        expect(await teams.adminPutTeam(admin, "t1", { ...body, name: "Renamed" })).toMatchObject({
          name: "Renamed",
        });
        await expect(
          teams.adminPutTeam(admin, "t1", { ...body, image: "not a url" }),
        ).rejects.toBeInstanceOf(Invalid);
        await expect(
          teams.adminPutMember(admin, "t1", "ghost", { role: "owner" }),
        ).rejects.toBeInstanceOf(NotFound);
        await expect(
          teams.adminPutMember(admin, "nope", "carl", { role: "owner" }),
        ).rejects.toBeInstanceOf(NotFound);
        await teams.adminPutMember(admin, "t1", "carl", { role: "owner" });
        expect(await teams.listTeams(carl)).toMatchObject([
          { id: "t1", name: "Renamed", role: "owner" },
        ]);
        await expect(teams.adminDeleteMember(admin, "t1", "carl")).rejects.toBeInstanceOf(
          Forbidden,
        );
        await teams.adminPutMember(admin, "t1", "rival", { role: "owner" });
        await teams.adminDeleteMember(admin, "t1", "carl");
        await expect(teams.adminDeleteMember(admin, "t1", "carl")).rejects.toBeInstanceOf(NotFound);
        await teams.adminDeleteTeam(admin, "t1");
        await expect(teams.adminDeleteTeam(admin, "t1")).rejects.toBeInstanceOf(NotFound);
        expect((await teams.listTeams(principal("rival"))).map((x) => x.id)).toEqual(["other"]);
      });

      t("records users first seen in a token once, keeping what is stored", async (teams) => {
        await teams.ensureUser({ id: "newbie", first_name: "New", last_name: "Bie" });
        await teams.ensureUser({ id: "newbie", first_name: "Other" });
        await teams.ensureUser({ id: "ann" });
        const users = (await teams.listUsers(principal("newbie"))).items;
        expect(users).toEqual([
          {
            id: "newbie",
            first_name: "New",
            last_name: "Bie",
            display_name: "New Bie",
            is_managed: false,
            scopes: ["data:read", "data:write", "profile"],
          },
        ]);
        const coachSees = (await teams.listUsers(principal("coach"))).items;
        expect(coachSees.find((u) => u.id === "ann")?.is_managed).toBe(true);
        await expect(teams.ensureUser({ id: "" })).rejects.toBeInstanceOf(Invalid);
      });

      t(
        "refuses a deleted user's older tokens, and re-creates it for a newer one",
        async (teams, clock, db) => {
          // Deleted at 2026-01-01T00:00:10.500Z; seconds since the epoch around it.
          const second = Date.parse("2026-01-01T00:00:10.000Z") / 1000;
          clock.now = new Date("2026-01-01T00:00:10.500Z");
          await teams.adminDeleteUser(admin, "coach");
          const deletions = await db
            .selectFrom("deleted_users")
            .selectAll()
            .orderBy("id")
            .execute();
          // The users it managed went with it, and are recorded too.
          expect(deletions).toEqual(
            ["ann", "ben", "coach"].map((id) => ({ id, deleted_at: "2026-01-01T00:00:10.500Z" })),
          );
          const userIds = async () =>
            (await db.selectFrom("users").select("id").orderBy("id").execute()).map((u) => u.id);
          const before = await userIds();
          // Issued before the deletion, in its second (not provably after), or without iat.
          for (const iat of [second - 3600, second, undefined]) {
            const refused = teams.ensureUser({
              id: "coach",
              ...(iat === undefined ? {} : { iat }),
            });
            await expect(refused).rejects.toBeInstanceOf(NotAuthenticated);
            await expect(refused).rejects.toThrow("Could not validate credentials");
            await expect(teams.ensureUser({ id: "ann", iat: second })).rejects.toBeInstanceOf(
              NotAuthenticated,
            );
          }
          expect(await userIds()).toEqual(before);

          // A newer token: the identity provider's new account with the same id.
          clock.now = new Date("2026-01-01T00:00:12.000Z");
          await teams.ensureUser({ id: "coach", first_name: "New", iat: second + 1 });
          expect((await teams.listUsers(coach)).items).toMatchObject([
            { id: "coach", first_name: "New", is_managed: false },
          ]);
          expect(await teams.listTeams(coach)).toEqual([]);
          // Its record has moved into the user row; ann is still deleted.
          expect(
            (await db.selectFrom("deleted_users").select("id").orderBy("id").execute()).map(
              (r) => r.id,
            ),
          ).toEqual(["ann", "ben"]);
          // The re-created user still refuses a token older than the deletion, and takes newer ones.
          await expect(teams.ensureUser({ id: "coach", iat: second - 60 })).rejects.toBeInstanceOf(
            NotAuthenticated,
          );
          await expect(teams.ensureUser({ id: "coach" })).rejects.toBeInstanceOf(NotAuthenticated);
          await teams.ensureUser({ id: "coach", iat: second + 2 });
          // A user never deleted takes a token without iat, as before.
          await teams.ensureUser({ id: "carl" });
          await teams.ensureUser({ id: "fresh" });

          // Deleted again: the latest deletion is the bound.
          clock.now = new Date("2026-01-01T00:01:00.000Z");
          await teams.adminDeleteUser(admin, "coach");
          await expect(teams.ensureUser({ id: "coach", iat: second + 2 })).rejects.toBeInstanceOf(
            NotAuthenticated,
          );
          await teams.ensureUser({ id: "coach", iat: second + 51 });
          expect((await teams.listUsers(coach)).items.map((u) => u.id)).toEqual(["coach"]);
        },
      );

      t(
        "a write whose caller was deleted meanwhile re-creates a user that still refuses its old tokens",
        async (teams, clock) => {
          const second = Date.parse("2026-01-01T00:00:10.000Z") / 1000;
          clock.now = new Date("2026-01-01T00:00:10.500Z");
          // carl's request passed ensureUser, then carl was deleted before its write ran.
          await teams.adminDeleteUser(admin, "carl");
          await teams.createTeam(carl, teamBody("Late"));
          await expect(teams.ensureUser({ id: "carl", iat: second })).rejects.toBeInstanceOf(
            NotAuthenticated,
          );
          await teams.ensureUser({ id: "carl", iat: second + 1 });
        },
      );
    });

    describe("concurrency within one process", () => {
      t(
        "concurrent authorizations of one pair end in one of the requested states",
        async (teams) => {
          const sets = [
            ["data:read"],
            ["profile"],
            ["data:write", "profile"],
            ["data:read", "data:write"],
          ];
          const results = await Promise.all(
            sets.map((scopes) => teams.authorizeTeam(annByCoach, "club", { scopes })),
          );
          const final = (await teams.listAuthorizedTeams(principal("ann")))[0]?.scopes;
          expect(results.map((r) => r.scopes)).toContainEqual(final);
        },
      );
    });
  });
  runPaginationConformance(options);
  runTokenTableConformance(options);
  runConsentLogConformance(options);
  runEventsConformance(options);
  runDelegationConformance(options);
}
