import type { Store } from "./context.js";
import { type ListKey, type PageWindow, windowParts } from "./pagination.js";
import { prepare, prepareShaped } from "./prepared-query.js";
import type { TeamDetails, TeamResponse } from "./schemas.js";

// Reads of teams, and the list of a member's teams (see `store-writes` for every change).

export const teamColumns = [
  "teams.id",
  "teams.name",
  "teams.description",
  "teams.url",
  "teams.image",
  "teams.privacy_statement",
] as const;

interface TeamRow {
  id: string;
  name: string;
  description: string;
  url: string;
  image: string;
  privacy_statement: string;
}

const teamDetails = (r: TeamRow): TeamDetails => ({
  id: r.id,
  name: r.name,
  description: r.description,
  url: r.url,
  image: r.image,
  privacy_statement: r.privacy_statement,
});

const teamById = prepare(({ db }, teamId: string) =>
  db.selectFrom("teams").select(teamColumns).where("id", "=", teamId),
);

export async function findTeam(s: Store, teamId: string): Promise<TeamDetails | undefined> {
  const row = (await teamById(s, teamId)).rows[0];
  return row && teamDetails(row);
}

const teamIdById = prepare(({ db }, teamId: string) =>
  db.selectFrom("teams").select("id").where("id", "=", teamId),
);

export async function teamExists(s: Store, teamId: string): Promise<boolean> {
  return (await teamIdById(s, teamId)).rows.length > 0;
}

const teamsOfMember = prepareShaped(
  ["after", "limited"],
  ({ db }, shape, userId: string, name: string, teamId: string, rows: number) => {
    let query = db
      .selectFrom("memberships")
      .innerJoin("teams", "teams.id", "memberships.team_id")
      .select([...teamColumns, "memberships.role"])
      .where("memberships.user_id", "=", userId);
    if (shape.after) {
      query = query.where((eb) =>
        eb(
          eb.refTuple("memberships.team_name", "memberships.team_id"),
          ">",
          eb.tuple(name, teamId),
        ),
      );
    }
    query = query.orderBy("memberships.team_name").orderBy("memberships.team_id");
    return shape.limited ? query.limit(rows) : query;
  },
);

/** The teams a user is a member of, with its role, in list order (name, id), within `window`. */
export async function listTeamsOfMember(
  s: Store,
  userId: string,
  window: PageWindow,
): Promise<TeamResponse[]> {
  const w = windowParts(window);
  const { rows } = await teamsOfMember(s, w, userId, w.key, w.id, w.rows);
  return rows.map((r) => ({ ...teamDetails(r), role: r.role }));
}

/** A team's position in a list of teams (what a cursor holds). */
export const teamKey = (team: { id: string; name: string }): ListKey => [team.name, team.id];
