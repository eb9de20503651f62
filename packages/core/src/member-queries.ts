import type { Store } from "./context.js";
import { type ListKey, type PageWindow, windowParts } from "./pagination.js";
import type { Role } from "./policy/team-policy.js";
import { prepare, prepareShaped } from "./prepared-query.js";
import type { MemberResponse } from "./schemas.js";
import type { UserRow } from "./user-queries.js";

// Reads of memberships: a member's role, a team's owners and its list of members.

const roleOf = prepare(({ db }, teamId: string, userId: string) =>
  db
    .selectFrom("memberships")
    .select("role")
    .where("team_id", "=", teamId)
    .where("user_id", "=", userId),
);

export async function findRole(s: Store, teamId: string, userId: string): Promise<Role> {
  return (await roleOf(s, teamId, userId)).rows[0]?.role ?? null;
}

const ownersOf = prepare(({ db }, teamId: string) =>
  db
    .selectFrom("memberships")
    .select((eb) => eb.fn.countAll<number | string | bigint>().as("n"))
    .where("team_id", "=", teamId)
    .where("role", "=", "owner"),
);

export async function countOwners(s: Store, teamId: string): Promise<number> {
  return Number((await ownersOf(s, teamId)).rows[0]?.n ?? 0);
}

export const toMember = (
  r: Omit<UserRow, "created_at">,
  role: "owner" | "member",
): MemberResponse => ({
  id: r.id,
  first_name: r.first_name,
  last_name: r.last_name,
  display_name: r.display_name,
  is_managed: r.manager_id !== null,
  role,
});

const membersOf = prepareShaped(
  ["after", "limited"],
  ({ db }, shape, teamId: string, name: string, userId: string, rows: number) => {
    let query = db
      .selectFrom("memberships")
      .innerJoin("users", "users.id", "memberships.user_id")
      .select([
        "users.id",
        "users.first_name",
        "users.last_name",
        "users.display_name",
        "users.manager_id",
        "memberships.role",
      ])
      .where("memberships.team_id", "=", teamId);
    if (shape.after) {
      query = query.where((eb) =>
        eb(
          eb.refTuple("memberships.user_display_name", "memberships.user_id"),
          ">",
          eb.tuple(name, userId),
        ),
      );
    }
    query = query.orderBy("memberships.user_display_name").orderBy("memberships.user_id");
    return shape.limited ? query.limit(rows) : query;
  },
);

/** A team's members with their roles, in list order (display name, id), within `window`. */
export async function listMembersOf(
  s: Store,
  teamId: string,
  window: PageWindow,
): Promise<MemberResponse[]> {
  const w = windowParts(window);
  const { rows } = await membersOf(s, w, teamId, w.key, w.id, w.rows);
  return rows.map((r) => toMember(r, r.role));
}

/** A member's position in a team's list of members (what a cursor holds). */
export const memberKey = (member: { id: string; display_name: string }): ListKey => [
  member.display_name,
  member.id,
];
