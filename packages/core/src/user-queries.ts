import type { Store } from "./context.js";
import type { ListKey } from "./pagination.js";
import { prepare } from "./prepared-query.js";
import type { AdminUserResponse, UserResponse } from "./schemas.js";
import { decodeScopes, type GrantableScope } from "./scopes.js";

// Reads of users: one function per fact (see `store-writes` for every change).

const userColumns = [
  "users.id",
  "users.first_name",
  "users.last_name",
  "users.display_name",
  "users.manager_id",
  "users.created_at",
] as const;

export interface UserRow {
  id: string;
  first_name: string | null;
  last_name: string | null;
  display_name: string;
  manager_id: string | null;
  created_at: string;
}

/** A user as `/api/v1/users/...` answers it; no user is an administrator here. */
export const toUserResponse = (r: UserRow): UserResponse => ({
  id: r.id,
  first_name: r.first_name,
  last_name: r.last_name,
  admin: false,
  registered_at: r.created_at,
  display_name: r.display_name,
  is_managed: r.manager_id !== null,
});

/** A user as the admin API answers it. */
export const toAdminUserResponse = (r: UserRow): AdminUserResponse => ({
  id: r.id,
  first_name: r.first_name,
  last_name: r.last_name,
  display_name: r.display_name,
  is_managed: r.manager_id !== null,
  manager_id: r.manager_id,
});

const userById = prepare(({ db }, userId: string) =>
  db.selectFrom("users").select(userColumns).where("id", "=", userId),
);

export async function findUser(s: Store, userId: string): Promise<UserRow | undefined> {
  return (await userById(s, userId)).rows[0];
}

const tokenBoundById = prepare(({ db }, userId: string) =>
  db.selectFrom("users").select("issued_after").where("id", "=", userId),
);

/**
 * Whether the user exists and, if it was re-created after a deletion, the instant its tokens must
 * be newer than (null: any token). Undefined for an unknown id. One read by the primary key.
 */
export async function findTokenBound(
  s: Store,
  userId: string,
): Promise<{ issued_after: string | null } | undefined> {
  return (await tokenBoundById(s, userId)).rows[0];
}

const deletionById = prepare(({ db }, userId: string) =>
  db.selectFrom("deleted_users").select("deleted_at").where("id", "=", userId),
);

/** The instant of the id's latest deletion, or undefined when it was never deleted. */
export async function findDeletion(s: Store, userId: string): Promise<string | undefined> {
  return (await deletionById(s, userId)).rows[0]?.deleted_at;
}

const managedIds = prepare(({ db }, managerId: string) =>
  db.selectFrom("users").select("id").where("manager_id", "=", managerId),
);

/** The ids of the users `userId` manages. */
export async function findManagedIds(s: Store, userId: string): Promise<string[]> {
  return (await managedIds(s, userId)).rows.map((r) => r.id);
}

export async function managesOthers(s: Store, userId: string): Promise<boolean> {
  return (await findManagedIds(s, userId)).length > 0;
}

const managedBy = prepare(({ db }, managerId: string) =>
  db
    .selectFrom("users")
    .select(userColumns)
    .where("manager_id", "=", managerId)
    .orderBy("display_name")
    .orderBy("id"),
);

/** The users `managerId` manages, by display name then id. */
export async function listManagedBy(s: Store, managerId: string): Promise<UserRow[]> {
  return (await managedBy(s, managerId)).rows.filter((r) => r.id !== managerId);
}

const sharingWith = prepare(({ db }, callerId: string) =>
  db
    .selectFrom("memberships")
    .innerJoin("authorizations", "authorizations.team_id", "memberships.team_id")
    .innerJoin("users", "users.id", "authorizations.user_id")
    .select([...userColumns, "authorizations.scopes"])
    .where("memberships.user_id", "=", callerId),
);

/** A user who authorized a team the caller belongs to, with every scope set it granted them. */
export interface SharingUser {
  user: UserRow;
  granted: GrantableScope[][];
}

/** The users who authorized a team `callerId` belongs to, one entry each (any order). */
export async function listSharingWith(s: Store, callerId: string): Promise<SharingUser[]> {
  const byId = new Map<string, SharingUser>();
  for (const { scopes, ...user } of (await sharingWith(s, callerId)).rows) {
    const entry = byId.get(user.id) ?? { user, granted: [] };
    entry.granted.push(decodeScopes(scopes));
    byId.set(user.id, entry);
  }
  return [...byId.values()];
}

/** A users list's order and cursor position: display name, then id. */
export const userKey = (user: { id: string; display_name: string }): ListKey => [
  user.display_name,
  user.id,
];
