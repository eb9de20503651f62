import { type Kysely, sql } from "kysely";
import type { Database } from "./database.js";
import { authorizedTeamJson } from "./list-line-sql.js";
import { compareKeys, type ListKey } from "./pagination.js";
import type { Role } from "./policy/team-policy.js";
import { prepare } from "./prepared-query.js";
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
// here, with keys in the reference's order. The queries of every request are prepared (built and
// compiled once per store); lists read one index range in order, through the sort keys copied into
// the link tables (migration 2), so a page costs the same at any depth.

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

const userById = prepare((db: Db, userId: string) =>
  db.selectFrom("users").select(userColumns).where("id", "=", userId),
);

export async function findUser(db: Db, userId: string): Promise<UserRow | undefined> {
  return (await userById(db, userId)).rows[0];
}

const userIdById = prepare((db: Db, userId: string) =>
  db.selectFrom("users").select("id").where("id", "=", userId),
);

export async function userExists(db: Db, userId: string): Promise<boolean> {
  return (await userIdById(db, userId)).rows.length > 0;
}

const teamById = prepare((db: Db, teamId: string) =>
  db.selectFrom("teams").select(teamColumns).where("id", "=", teamId),
);

export async function findTeam(db: Db, teamId: string): Promise<TeamDetails | undefined> {
  const row = (await teamById(db, teamId)).rows[0];
  return row && teamDetails(row);
}

const teamIdById = prepare((db: Db, teamId: string) =>
  db.selectFrom("teams").select("id").where("id", "=", teamId),
);

export async function teamExists(db: Db, teamId: string): Promise<boolean> {
  return (await teamIdById(db, teamId)).rows.length > 0;
}

const roleOf = prepare((db: Db, teamId: string, userId: string) =>
  db
    .selectFrom("memberships")
    .select("role")
    .where("team_id", "=", teamId)
    .where("user_id", "=", userId),
);

export async function findRole(db: Db, teamId: string, userId: string): Promise<Role> {
  return (await roleOf(db, teamId, userId)).rows[0]?.role ?? null;
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

const authorizationScopes = prepare((db: Db, teamId: string, userId: string) =>
  db
    .selectFrom("authorizations")
    .select("scopes")
    .where("user_id", "=", userId)
    .where("team_id", "=", teamId),
);

export async function findAuthorizationScopes(
  db: Db,
  teamId: string,
  userId: string,
): Promise<string | undefined> {
  return (await authorizationScopes(db, teamId, userId)).rows[0]?.scopes;
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

const teamsOfMember = prepare((db: Db, userId: string) =>
  db
    .selectFrom("memberships")
    .innerJoin("teams", "teams.id", "memberships.team_id")
    .select([...teamColumns, "memberships.role"])
    .where("memberships.user_id", "=", userId)
    .orderBy("memberships.team_name")
    .orderBy("memberships.team_id"),
);

export async function listTeamsOfMember(db: Db, userId: string): Promise<TeamResponse[]> {
  const { rows } = await teamsOfMember(db, userId);
  return rows.map((r) => ({ ...teamDetails(r), role: r.role }));
}

/** Where a page starts and how long it is; no cursor starts at the top, no limit reads to the end. */
export interface PageWindow {
  after?: ListKey | undefined;
  /** Rows to read: one more than the page, to learn whether another follows. */
  rows?: number | undefined;
}

/** A user's authorizations in list order (team name, team id), joined to their teams. */
function authorizedTeamsQuery(db: Db, userId: string) {
  return db
    .selectFrom("authorizations")
    .innerJoin("teams", "teams.id", "authorizations.team_id")
    .where("authorizations.user_id", "=", userId)
    .orderBy("authorizations.team_name")
    .orderBy("authorizations.team_id");
}

const authorizedTeamColumns = [...teamColumns, "authorizations.scopes"] as const;

// One prepared query per shape of window: whole list, first page, later page, rest after a cursor.
const authorizedTeams = {
  all: prepare((db: Db, userId: string) =>
    authorizedTeamsQuery(db, userId).select(authorizedTeamColumns),
  ),
  first: prepare((db: Db, userId: string, rows: number) =>
    authorizedTeamsQuery(db, userId).select(authorizedTeamColumns).limit(rows),
  ),
  after: prepare((db: Db, userId: string, name: string, teamId: string) =>
    authorizedTeamsQuery(db, userId)
      .select(authorizedTeamColumns)
      .where((eb) =>
        eb(
          eb.refTuple("authorizations.team_name", "authorizations.team_id"),
          ">",
          eb.tuple(name, teamId),
        ),
      ),
  ),
  afterFirst: prepare((db: Db, userId: string, name: string, teamId: string, rows: number) =>
    authorizedTeamsQuery(db, userId)
      .select(authorizedTeamColumns)
      .where((eb) =>
        eb(
          eb.refTuple("authorizations.team_name", "authorizations.team_id"),
          ">",
          eb.tuple(name, teamId),
        ),
      )
      .limit(rows),
  ),
};

/** The teams a user authorized, in list order, within `window` (all of them by default). */
export async function listTeamsAuthorizedBy(
  db: Db,
  userId: string,
  window: PageWindow = {},
): Promise<AuthorizedTeamResponse[]> {
  const { after, rows: n } = window;
  const { rows } = after
    ? n === undefined
      ? await authorizedTeams.after(db, userId, after[0], after[1])
      : await authorizedTeams.afterFirst(db, userId, after[0], after[1], n)
    : n === undefined
      ? await authorizedTeams.all(db, userId)
      : await authorizedTeams.first(db, userId, n);
  // The columns are selected in the answer's key order: each row becomes its answer in place.
  return rows.map((r) => {
    const team = r as unknown as AuthorizedTeamResponse;
    team.scopes = decodeScopes(r.scopes);
    return team;
  });
}

const authorizedTeamLines = prepare((db: Db, userId: string) =>
  authorizedTeamsQuery(db, userId).select(authorizedTeamJson(db).as("line")),
);

/** `listTeamsAuthorizedBy`'s whole list as its JSON array text, each line built by the store. */
export async function authorizedTeamsJson(db: Db, userId: string): Promise<string> {
  const { rows } = await authorizedTeamLines(db, userId);
  return `[${rows.map((r) => r.line).join(",")}]`;
}

/** A team's position in a user's list of authorized teams (what a cursor holds). */
export const authorizedTeamKey = (team: { id: string; name: string }): ListKey => [
  team.name,
  team.id,
];

/** A team the user authorized, with when it was first granted and last changed (ISO-8601). */
export type ConsentResponse = AuthorizedTeamResponse & { granted_at: string; updated_at: string };

const consentsOf = prepare((db: Db, userId: string) =>
  authorizedTeamsQuery(db, userId).select([
    ...teamColumns,
    "authorizations.scopes",
    "authorizations.granted_at",
    "authorizations.updated_at",
  ]),
);

/** The teams a user authorized, as `listTeamsAuthorizedBy`, with when each was granted and changed. */
export async function listConsentsOf(db: Db, userId: string): Promise<ConsentResponse[]> {
  const { rows } = await consentsOf(db, userId);
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

/** A team's authorizations in list order (display name, user id). */
function usersAuthorizingQuery(db: Db, teamId: string) {
  // Each entry's line of the list, as the JSON text of its UserSummary (migration 3).
  return db
    .selectFrom("authorizations")
    .select("authorizations.user_summary")
    .where("authorizations.team_id", "=", teamId)
    .orderBy("authorizations.user_display_name")
    .orderBy("authorizations.user_id");
}

type UsersQuery = ReturnType<typeof usersAuthorizingQuery>;

// The filter reads the copied display name, so a filtered list walks the same index range.
const named = (query: UsersQuery, pattern: string) =>
  query.where(
    sql<boolean>`lower(${sql.ref("authorizations.user_display_name")}) like ${pattern} escape '\\'`,
  );
const after = (query: UsersQuery, name: string, userId: string) =>
  query.where((eb) =>
    eb(
      eb.refTuple("authorizations.user_display_name", "authorizations.user_id"),
      ">",
      eb.tuple(name, userId),
    ),
  );

// One prepared query per shape: with or without the name filter, cursor and limit.
const usersAuthorizing = {
  all: prepare((db: Db, teamId: string) => usersAuthorizingQuery(db, teamId)),
  first: prepare((db: Db, teamId: string, rows: number) =>
    usersAuthorizingQuery(db, teamId).limit(rows),
  ),
  after: prepare((db: Db, teamId: string, name: string, userId: string) =>
    after(usersAuthorizingQuery(db, teamId), name, userId),
  ),
  afterFirst: prepare((db: Db, teamId: string, name: string, userId: string, rows: number) =>
    after(usersAuthorizingQuery(db, teamId), name, userId).limit(rows),
  ),
  named: prepare((db: Db, teamId: string, pattern: string) =>
    named(usersAuthorizingQuery(db, teamId), pattern),
  ),
  namedFirst: prepare((db: Db, teamId: string, pattern: string, rows: number) =>
    named(usersAuthorizingQuery(db, teamId), pattern).limit(rows),
  ),
  namedAfter: prepare((db: Db, teamId: string, pattern: string, name: string, userId: string) =>
    after(named(usersAuthorizingQuery(db, teamId), pattern), name, userId),
  ),
  namedAfterFirst: prepare(
    (db: Db, teamId: string, pattern: string, name: string, userId: string, rows: number) =>
      after(named(usersAuthorizingQuery(db, teamId), pattern), name, userId).limit(rows),
  ),
};

/** The JSON text of one `UserSummary`: a line of a team's users list as the store keeps it. */
export type UserSummaryText = string & { readonly __userSummaryText: unique symbol };

/** Lines of the list as one JSON array text: what `JSON.stringify` of their summaries would say. */
export const joinSummaries = (lines: readonly UserSummaryText[]): string => `[${lines.join(",")}]`;

/** The summaries the lines hold, read at once (one parse of the whole array). */
export const parseSummaries = (lines: readonly UserSummaryText[]): UserSummary[] =>
  JSON.parse(joinSummaries(lines)) as UserSummary[];

/** The list key of a line (what a cursor after it holds). */
export function summaryKey(line: UserSummaryText): ListKey {
  const { display_name, id } = JSON.parse(line) as UserSummary;
  return [display_name, id];
}

type SummaryRow = { user_summary: string };
const lineOf = (row: SummaryRow) => row.user_summary as UserSummaryText;

/**
 * The lines of the users who authorized a team, in list order, within `window`; `name` keeps those
 * whose display name contains it, ignoring case.
 */
export async function listUsersAuthorizing(
  db: Db,
  teamId: string,
  filter: { name?: string | undefined },
  window: PageWindow = {},
): Promise<UserSummaryText[]> {
  const { after: key, rows: n } = window;
  const pattern = filter.name ? likeContains(filter.name) : undefined;
  let result: { rows: SummaryRow[] };
  if (pattern === undefined) {
    if (key) {
      result =
        n === undefined
          ? await usersAuthorizing.after(db, teamId, key[0], key[1])
          : await usersAuthorizing.afterFirst(db, teamId, key[0], key[1], n);
    } else {
      result =
        n === undefined
          ? await usersAuthorizing.all(db, teamId)
          : await usersAuthorizing.first(db, teamId, n);
    }
  } else if (key) {
    result =
      n === undefined
        ? await usersAuthorizing.namedAfter(db, teamId, pattern, key[0], key[1])
        : await usersAuthorizing.namedAfterFirst(db, teamId, pattern, key[0], key[1], n);
  } else {
    result =
      n === undefined
        ? await usersAuthorizing.named(db, teamId, pattern)
        : await usersAuthorizing.namedFirst(db, teamId, pattern, n);
  }
  return result.rows.map(lineOf);
}

/**
 * The whole list of `listUsersAuthorizing`, handed to `onChunk` as it is read, `chunkRows` users at
 * a time (one statement: the same list, never held whole). `onChunk` must not wait.
 */
export async function forEachUserAuthorizing(
  db: Db,
  teamId: string,
  filter: { name?: string | undefined },
  chunkRows: number,
  onChunk: (lines: UserSummaryText[]) => void,
): Promise<void> {
  const deliver = (rows: SummaryRow[]) => onChunk(rows.map(lineOf));
  if (filter.name) {
    const pattern = likeContains(filter.name);
    await usersAuthorizing.named.forEachChunk(db, chunkRows, deliver, teamId, pattern);
  } else {
    await usersAuthorizing.all.forEachChunk(db, chunkRows, deliver, teamId);
  }
}

/** A user's position in a team's list of users (what a cursor holds). */
export const userKey = (user: { id: string; display_name: string }): ListKey => [
  user.display_name,
  user.id,
];

const userAuthorizing = prepare((db: Db, teamId: string, userId: string) =>
  db
    .selectFrom("authorizations")
    .select("authorizations.user_summary")
    .where("authorizations.user_id", "=", userId)
    .where("authorizations.team_id", "=", teamId),
);

/** One user who authorized a team, with the scopes granted. */
export async function findUserAuthorizing(
  db: Db,
  teamId: string,
  userId: string,
): Promise<UserSummary | undefined> {
  const row = (await userAuthorizing(db, teamId, userId)).rows[0];
  return row && (JSON.parse(row.user_summary) as UserSummary);
}

const membersOf = prepare((db: Db, teamId: string) =>
  db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select([...userColumns, "memberships.role"])
    .where("memberships.team_id", "=", teamId)
    .orderBy("memberships.user_display_name")
    .orderBy("memberships.user_id"),
);

export async function listMembersOf(db: Db, teamId: string): Promise<MemberResponse[]> {
  const { rows } = await membersOf(db, teamId);
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

const managedBy = prepare((db: Db, managerId: string) =>
  db
    .selectFrom("users")
    .select(userColumns)
    .where("manager_id", "=", managerId)
    .orderBy("display_name")
    .orderBy("id"),
);

/** The user and the users it manages, by display name then id. */
export async function listSelfAndManaged(db: Db, userId: string): Promise<UserResponse[]> {
  // Two index reads merged here: an OR of both conditions would be read through two indexes and
  // sorted in a temporary B-tree.
  const self = await findUser(db, userId);
  const rows = (await managedBy(db, userId)).rows.filter((r) => r.id !== userId);
  const at = self ? rows.findIndex((r) => compareKeys(userKey(self), userKey(r)) < 0) : -1;
  if (self) rows.splice(at === -1 ? rows.length : at, 0, self);
  return rows.map(toUserResponse);
}

// One statement for the access check: the subject's manager, and the scopes of each authorization
// the subject gave a team that `memberId` belongs to (one row with null scopes when there is none).
const accessFacts = prepare((db: Db, memberId: string, userId: string) =>
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
  db: Db,
  memberId: string,
  userId: string,
): Promise<{ managerId: string | null; grantedScopes: string[] } | undefined> {
  const { rows } = await accessFacts(db, memberId, userId);
  const first = rows[0];
  if (!first) return undefined;
  const grantedScopes: string[] = [];
  for (const row of rows) if (row.scopes !== null) grantedScopes.push(row.scopes);
  return { managerId: first.manager_id, grantedScopes };
}
