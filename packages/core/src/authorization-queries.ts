import { sql } from "kysely";
import type { Store } from "./context.js";
import { authorizedTeamJson, type JsonLine } from "./list-lines.js";
import { foldName } from "./name-fold.js";
import { type ListKey, type PageWindow, windowParts } from "./pagination.js";
import { prepare, prepareShaped } from "./prepared-query.js";
import type { AuthorizedTeamResponse, UserSummary } from "./schemas.js";

// Reads of authorizations: a grant's scopes, the two lists (a user's teams, a team's users) as
// the JSON lines the store builds or keeps (see list-lines.ts), and the access check's facts.

const authorizationScopes = prepare(({ db }, teamId: string, userId: string) =>
  db
    .selectFrom("authorizations")
    .select("scopes")
    .where("user_id", "=", userId)
    .where("team_id", "=", teamId),
);

export async function findAuthorizationScopes(
  s: Store,
  teamId: string,
  userId: string,
): Promise<string | undefined> {
  return (await authorizationScopes(s, teamId, userId)).rows[0]?.scopes;
}

/** A team the user authorized, with when it was first granted and last changed (ISO-8601). */
export type ConsentResponse = AuthorizedTeamResponse & { granted_at: string; updated_at: string };

const authorizedTeams = prepareShaped(
  ["after", "limited", "times"],
  ({ db, kind }, shape, userId: string, name: string, teamId: string, rows: number) => {
    let query = db
      .selectFrom("authorizations")
      .innerJoin("teams", "teams.id", "authorizations.team_id")
      .select(authorizedTeamJson(kind, shape.times).as("line"))
      .where("authorizations.user_id", "=", userId);
    if (shape.after) {
      query = query.where((eb) =>
        eb(
          eb.refTuple("authorizations.team_name", "authorizations.team_id"),
          ">",
          eb.tuple(name, teamId),
        ),
      );
    }
    query = query.orderBy("authorizations.team_name").orderBy("authorizations.team_id");
    return shape.limited ? query.limit(rows) : query;
  },
);

/**
 * The lines of the teams a user authorized (with grant times when `times`), in list order (team
 * name, team id), within `window`.
 */
export async function listTeamsAuthorizedBy<T extends AuthorizedTeamResponse>(
  s: Store,
  userId: string,
  window: PageWindow,
  times: boolean,
): Promise<JsonLine<T>[]> {
  const w = windowParts(window);
  const { rows } = await authorizedTeams(s, { ...w, times }, userId, w.key, w.id, w.rows);
  return rows.map((r) => r.line as JsonLine<T>);
}

/** The list key of a line of a user's authorized teams (what a cursor after it holds). */
export function authorizedTeamLineKey(line: JsonLine<AuthorizedTeamResponse>): ListKey {
  const { name, id } = JSON.parse(line) as AuthorizedTeamResponse;
  return [name, id];
}

/**
 * The pattern of a name filter: the needle folded as the stored names are (`foldName`, migration
 * 6), LIKE's wildcards escaped afterwards (NFKC makes "％" a "%"), so it matches its text literally.
 * Both sides folded, the stores compare code points alike (SQLite's LIKE also ignores ASCII case,
 * which a folded text no longer has).
 */
const likeContains = (needle: string) =>
  `%${foldName(needle).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const usersAuthorizing = prepareShaped(
  ["named", "after", "limited"],
  ({ db }, shape, teamId: string, pattern: string, name: string, userId: string, rows: number) => {
    // Each entry's line of the list, as the JSON text of its UserSummary (migration 3).
    let query = db
      .selectFrom("authorizations")
      .select("authorizations.user_summary")
      .where("authorizations.team_id", "=", teamId);
    // The filter reads the copied folded name, so a filtered list walks the same index range
    // (on SQLite its index holds it too).
    if (shape.named) {
      query = query.where(
        sql<boolean>`${sql.ref("authorizations.user_display_name_folded")} like ${pattern} escape '\\'`,
      );
    }
    if (shape.after) {
      query = query.where((eb) =>
        eb(
          eb.refTuple("authorizations.user_display_name", "authorizations.user_id"),
          ">",
          eb.tuple(name, userId),
        ),
      );
    }
    query = query.orderBy("authorizations.user_display_name").orderBy("authorizations.user_id");
    return shape.limited ? query.limit(rows) : query;
  },
);

/**
 * The lines of the users who authorized a team, in list order (display name, user id), within
 * `window`; `name` keeps those whose display name contains it, ignoring case and compatibility
 * forms (`foldName`).
 */
export async function listUsersAuthorizing(
  s: Store,
  teamId: string,
  filter: { name?: string | undefined },
  window: PageWindow,
): Promise<JsonLine<UserSummary>[]> {
  const w = windowParts(window);
  const pattern = filter.name ? likeContains(filter.name) : "";
  const shape = { ...w, named: !!filter.name };
  const { rows } = await usersAuthorizing(s, shape, teamId, pattern, w.key, w.id, w.rows);
  return rows.map((r) => r.user_summary as JsonLine<UserSummary>);
}

/** The list key of a line of a team's users (what a cursor after it holds). */
export function summaryLineKey(line: JsonLine<UserSummary>): ListKey {
  const { display_name, id } = JSON.parse(line) as UserSummary;
  return [display_name, id];
}

const userAuthorizing = prepare(({ db }, teamId: string, userId: string) =>
  db
    .selectFrom("authorizations")
    .select("authorizations.user_summary")
    .where("authorizations.user_id", "=", userId)
    .where("authorizations.team_id", "=", teamId),
);

/** One user who authorized a team, with the scopes granted. */
export async function findUserAuthorizing(
  s: Store,
  teamId: string,
  userId: string,
): Promise<UserSummary | undefined> {
  const row = (await userAuthorizing(s, teamId, userId)).rows[0];
  return row && (JSON.parse(row.user_summary) as UserSummary);
}

// One statement for the access check: the subject's manager, and the scopes of each authorization
// the subject gave a team that `memberId` belongs to (one row with null scopes when there is none).
const accessFacts = prepare(({ db }, memberId: string, userId: string) =>
  db
    .selectFrom("users")
    .leftJoin("authorizations", (join) =>
      join
        .onRef("authorizations.user_id", "=", "users.id")
        .on((eb) =>
          eb.exists(
            eb
              .selectFrom("memberships")
              .select("memberships.user_id")
              .whereRef("memberships.team_id", "=", "authorizations.team_id")
              .where("memberships.user_id", "=", memberId),
          ),
        ),
    )
    .select(["users.manager_id", "authorizations.scopes"])
    .where("users.id", "=", userId),
);

/**
 * What the access check needs to know of `userId`: its manager, and the scope sets it granted to
 * teams `memberId` belongs to. Undefined when the user is not in the store.
 */
export async function findAccessFacts(
  s: Store,
  memberId: string,
  userId: string,
): Promise<{ managerId: string | null; grantedScopes: string[] } | undefined> {
  const { rows } = await accessFacts(s, memberId, userId);
  const first = rows[0];
  if (!first) return undefined;
  const grantedScopes: string[] = [];
  for (const row of rows) if (row.scopes !== null) grantedScopes.push(row.scopes);
  return { managerId: first.manager_id, grantedScopes };
}
