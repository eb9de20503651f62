import { expressionBuilder, type Kysely, sql } from "kysely";
import type { Database } from "./database.js";
import { userSummaryJson } from "./list-line-sql.js";
import { prepare } from "./prepared-query.js";

// The writes that carry the sort keys copied into memberships and authorizations (migration 2) and
// each authorization's line of its team's users list (migration 3): every row is written with its
// copies, and a rename updates them, in the caller's transaction.

type Db = Kysely<Database>;

// The copies are read from the rows they copy, inside the same statement: nothing can change them
// in between. A missing row (foreign keys off in an embedder's database) copies as ''.
const eb = expressionBuilder<Database, never>();
const teamName = (teamId: string) =>
  eb.fn.coalesce(
    eb.selectFrom("teams").select("teams.name").where("teams.id", "=", teamId),
    eb.val(""),
  );
const userDisplayName = (userId: string) =>
  eb.fn.coalesce(
    eb.selectFrom("users").select("users.display_name").where("users.id", "=", userId),
    eb.val(""),
  );

const upsertAuthorization = prepare(
  (db: Db, teamId: string, userId: string, scopes: string, now: string) =>
    db
      .insertInto("authorizations")
      .values({
        team_id: teamId,
        user_id: userId,
        scopes,
        granted_at: now,
        updated_at: now,
        team_name: teamName(teamId),
        user_display_name: userDisplayName(userId),
        user_summary: userSummaryJson(db, userId, sql.val(scopes)),
      })
      .onConflict((oc) =>
        oc.columns(["user_id", "team_id"]).doUpdateSet((eb) => ({
          scopes,
          updated_at: now,
          user_summary: userSummaryJson(db, userId, eb.ref("excluded.scopes")),
        })),
      ),
);

/** Records a user's authorization of a team, or replaces its scopes (keeping `granted_at`). */
export async function upsertAuthorizationRow(
  db: Db,
  row: { teamId: string; userId: string; scopes: string; now: string },
): Promise<void> {
  await upsertAuthorization(db, row.teamId, row.userId, row.scopes, row.now);
}

const deleteAuthorization = prepare((db: Db, teamId: string, userId: string) =>
  db
    .deleteFrom("authorizations")
    .where("user_id", "=", userId)
    .where("team_id", "=", teamId)
    .returning("scopes"),
);

/** Removes a user's authorization of a team; the scopes it held, or undefined when there was none. */
export async function deleteAuthorizationRow(
  db: Db,
  teamId: string,
  userId: string,
): Promise<string | undefined> {
  return (await deleteAuthorization(db, teamId, userId)).rows[0]?.scopes;
}

/** Adds a membership, or changes its role. */
export async function upsertMembershipRow(
  db: Db,
  teamId: string,
  userId: string,
  role: "owner" | "member",
): Promise<void> {
  await db
    .insertInto("memberships")
    .values({
      team_id: teamId,
      user_id: userId,
      role,
      team_name: teamName(teamId),
      user_display_name: userDisplayName(userId),
    })
    .onConflict((oc) => oc.columns(["team_id", "user_id"]).doUpdateSet({ role }))
    .execute();
}

/** After a team's name may have changed: its copies in memberships and authorizations follow. */
export async function copyTeamName(db: Db, teamId: string): Promise<void> {
  for (const table of ["memberships", "authorizations"] as const) {
    await db
      .updateTable(table)
      .set({ team_name: teamName(teamId) })
      .where("team_id", "=", teamId)
      .where("team_name", "!=", teamName(teamId))
      .execute();
  }
}

/** After a user's names or manager may have changed: their copies follow. */
export async function copyUserColumns(db: Db, userId: string): Promise<void> {
  await db
    .updateTable("memberships")
    .set({ user_display_name: userDisplayName(userId) })
    .where("user_id", "=", userId)
    .where("user_display_name", "!=", userDisplayName(userId))
    .execute();
  await db
    .updateTable("authorizations")
    .set((eb) => ({
      user_display_name: userDisplayName(userId),
      user_summary: userSummaryJson(db, userId, eb.ref("authorizations.scopes")),
    }))
    .where("user_id", "=", userId)
    .execute();
}
