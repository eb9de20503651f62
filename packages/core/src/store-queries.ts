import { type Kysely, sql } from "kysely";
import type { Database } from "./database.js";
import type { Role } from "./policy/team-policy.js";
import type {
  AuthorizedTeamResponse,
  MemberResponse,
  TeamDetails,
  TeamResponse,
  UserResponse,
  UserSummary,
} from "./schemas.js";
import { decodeScopes } from "./scopes.js";

// Every query the use cases run, one function per fact or list. Rows become the reference's shapes
// here, with keys in the reference's order.

type Db = Kysely<Database>;

const teamColumns = [
  "teams.id",
  "teams.name",
  "teams.description",
  "teams.url",
  "teams.image",
  "teams.privacy_statement",
] as const;

const userColumns = [
  "users.id",
  "users.first_name",
  "users.last_name",
  "users.display_name",
  "users.manager_id",
] as const;

interface TeamRow {
  id: string;
  name: string;
  description: string;
  url: string;
  image: string;
  privacy_statement: string;
}

interface UserRow {
  id: string;
  first_name: string | null;
  last_name: string | null;
  display_name: string;
  manager_id: string | null;
}

const teamDetails = (r: TeamRow): TeamDetails => ({
  id: r.id,
  name: r.name,
  description: r.description,
  url: r.url,
  image: r.image,
  privacy_statement: r.privacy_statement,
});

export const toUserResponse = (r: UserRow): UserResponse => ({
  id: r.id,
  first_name: r.first_name,
  last_name: r.last_name,
  display_name: r.display_name,
  is_managed: r.manager_id !== null,
  manager_id: r.manager_id,
});

export async function findUser(db: Db, userId: string): Promise<UserRow | undefined> {
  return db.selectFrom("users").select(userColumns).where("id", "=", userId).executeTakeFirst();
}

export async function findTeam(db: Db, teamId: string): Promise<TeamDetails | undefined> {
  const row = await db
    .selectFrom("teams")
    .select(teamColumns)
    .where("id", "=", teamId)
    .executeTakeFirst();
  return row && teamDetails(row);
}

export async function teamExists(db: Db, teamId: string): Promise<boolean> {
  const row = await db.selectFrom("teams").select("id").where("id", "=", teamId).executeTakeFirst();
  return row !== undefined;
}

export async function findRole(db: Db, teamId: string, userId: string): Promise<Role> {
  const row = await db
    .selectFrom("memberships")
    .select("role")
    .where("team_id", "=", teamId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row?.role ?? null;
}

export async function countOwners(db: Db, teamId: string): Promise<number> {
  const row = await db
    .selectFrom("memberships")
    .select((eb) => eb.fn.countAll<number | string | bigint>().as("n"))
    .where("team_id", "=", teamId)
    .where("role", "=", "owner")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findAuthorizationScopes(
  db: Db,
  teamId: string,
  userId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom("authorizations")
    .select("scopes")
    .where("user_id", "=", userId)
    .where("team_id", "=", teamId)
    .executeTakeFirst();
  return row?.scopes;
}

export async function managesOthers(db: Db, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select("id")
    .where("manager_id", "=", userId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function listTeamsOfMember(db: Db, userId: string): Promise<TeamResponse[]> {
  const rows = await db
    .selectFrom("memberships")
    .innerJoin("teams", "teams.id", "memberships.team_id")
    .select([...teamColumns, "memberships.role"])
    .where("memberships.user_id", "=", userId)
    .orderBy("teams.name")
    .orderBy("teams.id")
    .execute();
  return rows.map((r) => ({ ...teamDetails(r), role: r.role }));
}

export async function listTeamsAuthorizedBy(
  db: Db,
  userId: string,
): Promise<AuthorizedTeamResponse[]> {
  const rows = await db
    .selectFrom("authorizations")
    .innerJoin("teams", "teams.id", "authorizations.team_id")
    .select([...teamColumns, "authorizations.scopes"])
    .where("authorizations.user_id", "=", userId)
    .orderBy("teams.name")
    .orderBy("teams.id")
    .execute();
  return rows.map((r) => ({ ...teamDetails(r), scopes: decodeScopes(r.scopes) }));
}

/** A team the user authorized, with when it was first granted and last changed (ISO-8601). */
export type ConsentResponse = AuthorizedTeamResponse & { granted_at: string; updated_at: string };

/** The teams a user authorized, as `listTeamsAuthorizedBy`, with when each was granted and changed. */
export async function listConsentsOf(db: Db, userId: string): Promise<ConsentResponse[]> {
  const rows = await db
    .selectFrom("authorizations")
    .innerJoin("teams", "teams.id", "authorizations.team_id")
    .select([
      ...teamColumns,
      "authorizations.scopes",
      "authorizations.granted_at",
      "authorizations.updated_at",
    ])
    .where("authorizations.user_id", "=", userId)
    .orderBy("teams.name")
    .orderBy("teams.id")
    .execute();
  return rows.map((r) => ({
    ...teamDetails(r),
    scopes: decodeScopes(r.scopes),
    granted_at: r.granted_at,
    updated_at: r.updated_at,
  }));
}

/**
 * Escapes LIKE's wildcards so a name filter matches its text literally, folding only A-Z as SQL's
 * lower() does in both stores (SQLite; PostgreSQL with the "C" collation).
 */
const likeContains = (needle: string) =>
  `%${needle.replace(/[A-Z]/g, (c) => c.toLowerCase()).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listUsersAuthorizing(
  db: Db,
  teamId: string,
  filter: { name?: string | undefined; userId?: string | undefined },
): Promise<UserSummary[]> {
  let query = db
    .selectFrom("authorizations")
    .innerJoin("users", "users.id", "authorizations.user_id")
    .select([...userColumns, "authorizations.scopes"])
    .where("authorizations.team_id", "=", teamId);
  if (filter.userId !== undefined)
    query = query.where("authorizations.user_id", "=", filter.userId);
  if (filter.name) {
    query = query.where(
      sql<boolean>`lower(users.display_name) like ${likeContains(filter.name)} escape '\\'`,
    );
  }
  const rows = await query.orderBy("users.display_name").orderBy("users.id").execute();
  return rows.map((r) => ({
    id: r.id,
    first_name: r.first_name,
    last_name: r.last_name,
    scopes: decodeScopes(r.scopes),
    display_name: r.display_name,
    is_managed: r.manager_id !== null,
  }));
}

export async function listMembersOf(db: Db, teamId: string): Promise<MemberResponse[]> {
  const rows = await db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select([...userColumns, "memberships.role"])
    .where("memberships.team_id", "=", teamId)
    .orderBy("users.display_name")
    .orderBy("users.id")
    .execute();
  return rows.map((r) => toMember(r, r.role));
}

export const toMember = (r: UserRow, role: "owner" | "member"): MemberResponse => ({
  id: r.id,
  first_name: r.first_name,
  last_name: r.last_name,
  display_name: r.display_name,
  is_managed: r.manager_id !== null,
  role,
});

export async function listSelfAndManaged(db: Db, userId: string): Promise<UserResponse[]> {
  const rows = await db
    .selectFrom("users")
    .select(userColumns)
    .where((eb) => eb.or([eb("id", "=", userId), eb("manager_id", "=", userId)]))
    .orderBy("display_name")
    .orderBy("id")
    .execute();
  return rows.map(toUserResponse);
}

/** Whether a team `memberId` belongs to holds an authorization from `userId` (scopes to check after). */
export async function scopesGrantedToTeamsOf(
  db: Db,
  memberId: string,
  userId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom("authorizations")
    .innerJoin("memberships", "memberships.team_id", "authorizations.team_id")
    .select("authorizations.scopes")
    .where("authorizations.user_id", "=", userId)
    .where("memberships.user_id", "=", memberId)
    .execute();
  return rows.map((r) => r.scopes);
}
