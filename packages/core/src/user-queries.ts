import type { Store } from "./context.js";
import { compareKeys, type ListKey } from "./pagination.js";
import { prepare } from "./prepared-query.js";
import type { UserResponse } from "./schemas.js";

// Reads of users: one function per fact (see `store-writes` for every change).

const userColumns = [
  "users.id",
  "users.first_name",
  "users.last_name",
  "users.display_name",
  "users.manager_id",
] as const;

export interface UserRow {
  id: string;
  first_name: string | null;
  last_name: string | null;
  display_name: string;
  manager_id: string | null;
}

export const toUserResponse = (r: UserRow): UserResponse => ({
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

const userKey = (user: { id: string; display_name: string }): ListKey => [
  user.display_name,
  user.id,
];

/** The user and the users it manages, by display name then id. */
export async function listSelfAndManaged(s: Store, userId: string): Promise<UserResponse[]> {
  // Two index reads merged here: an OR of both conditions would be read through two indexes and
  // sorted in a temporary B-tree.
  const self = await findUser(s, userId);
  const rows = (await managedBy(s, userId)).rows.filter((r) => r.id !== userId);
  const at = self ? rows.findIndex((r) => compareKeys(userKey(self), userKey(r)) < 0) : -1;
  if (self) rows.splice(at === -1 ? rows.length : at, 0, self);
  return rows.map(toUserResponse);
}
