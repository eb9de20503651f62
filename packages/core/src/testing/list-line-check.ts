import { type Expression, sql } from "kysely";
import { expect } from "vitest";
import type { Store } from "../context.js";
import { displayName } from "../display-name.js";
import { userSummaryJson } from "../list-lines.js";
import { foldName } from "../name-fold.js";

/**
 * Asserts the rules `store-writes` keeps, over the whole store: every stored list line equals a
 * fresh build of it from its user and scopes, every copied sort key and folded name equals what it
 * copies, every stored display name equals `displayName` of its user, and every folded display
 * name equals `foldName` of the display name.
 */
export async function expectListLinesFresh(s: Store, after: string): Promise<void> {
  const { db, kind } = s;
  const authorizations = await db
    .selectFrom("authorizations")
    .leftJoin("users", "users.id", "authorizations.user_id")
    .leftJoin("teams", "teams.id", "authorizations.team_id")
    .select([
      "authorizations.team_id",
      "authorizations.user_id",
      "authorizations.user_summary as stored",
      "authorizations.user_display_name",
      "authorizations.user_display_name_folded",
      "authorizations.team_name",
      "users.display_name",
      "users.display_name_folded",
      "teams.name",
    ])
    .select(
      userSummaryJson(
        kind,
        sql.ref("authorizations.user_id") as Expression<string>,
        sql.ref("authorizations.scopes") as Expression<string>,
      ).as("fresh"),
    )
    .execute();
  for (const row of authorizations) {
    expect(row.stored, `${after}: line of ${row.user_id} in ${row.team_id}`).toBe(row.fresh);
    expect(row.user_display_name, `${after}: name copy of ${row.user_id}`).toBe(row.display_name);
    expect(row.user_display_name_folded, `${after}: folded name copy of ${row.user_id}`).toBe(
      row.display_name_folded,
    );
    expect(row.team_name, `${after}: team name copy of ${row.team_id}`).toBe(row.name);
  }
  const memberships = await db
    .selectFrom("memberships")
    .leftJoin("users", "users.id", "memberships.user_id")
    .leftJoin("teams", "teams.id", "memberships.team_id")
    .select([
      "memberships.team_id",
      "memberships.user_id",
      "memberships.user_display_name",
      "memberships.team_name",
      "users.display_name",
      "teams.name",
    ])
    .execute();
  for (const row of memberships) {
    expect(row.user_display_name, `${after}: member name copy of ${row.user_id}`).toBe(
      row.display_name,
    );
    expect(row.team_name, `${after}: member team copy of ${row.team_id}`).toBe(row.name);
  }
  const users = await db
    .selectFrom("users")
    .select(["id", "first_name", "last_name", "display_name", "display_name_folded"])
    .execute();
  for (const user of users) {
    expect(user.display_name, `${after}: display name of ${user.id}`).toBe(displayName(user));
    expect(user.display_name_folded, `${after}: folded name of ${user.id}`).toBe(
      foldName(user.display_name),
    );
  }
}
