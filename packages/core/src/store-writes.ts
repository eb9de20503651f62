import { expressionBuilder, type Selectable, sql } from "kysely";
import { toConsentRecord } from "./consent-log-queries.js";
import type { Store } from "./context.js";
import type { ConsentLogTable, Database, RefreshTokensTable } from "./database.js";
import { displayName } from "./display-name.js";
import { isPlausibleId } from "./ids.js";
import { userSummaryJson } from "./list-lines.js";
import { foldName } from "./name-fold.js";
import type { ChangeOrigin } from "./policy/consent-actor.js";
import { prepare } from "./prepared-query.js";
import { coveredScopeTexts } from "./scopes.js";
import { webhookPayload } from "./webhook-body.js";

// Every insert, update and delete of the core: nothing else writes to the store. Each runs in the
// caller's write transaction. Three rules are kept here, for every path:
// - a user's folded display name (migration 6) is `foldName` of its display name, written with its
//   names by `userNames`, the one place that computes it;
// - the copies of sort keys (migration 2: `team_name`, `user_display_name`) and of the folded name
//   (`user_display_name_folded`) equal what they copy;
// - an authorization's stored line of its team's users list (`user_summary`, migration 3) equals a
//   fresh build of it from its user and its scopes (`userSummaryJson`).
// So a write that changes a user's names or manager, a team's name or a grant's scopes rewrites
// the copies and lines that show it, in the same transaction. (`@teams/core/testing` checks both
// rules after every write path on each store.)
// A third rule: a write that ends the basis of a refresh token (an authorization revoked or
// narrowed, a member removed, a manager changed, a user or team deleted) deletes the refresh
// tokens built on it in the same transaction, after the rows of the basis (see refresh-grant: a
// refresh locks those rows first, so the two writes take their locks in one order).
// And the consent log (migration 8, DESIGN §7): every write that creates, changes or ends an
// authorization appends exactly one record per authorization it touched, here and only here, in
// the same transaction; a write that changes nothing appends nothing. Each record appended is also
// written to the webhook outbox (migration 10), by the same two functions. (The webhook
// subscriptions and their deliveries, which touch no authorization, are written by
// webhook-writes.ts.)

type Team = {
  name: string;
  description: string;
  url: string;
  image: string;
  privacy_statement: string;
};
type Names = { first_name: string | null; last_name: string | null };

// The copies are read from the rows they copy, inside the statement that writes them: nothing can
// change them in between. A missing row (foreign keys off in an embedder's database) copies as ''.
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
/** An authorization's copies of its user's display name, as shown and as the filter reads it. */
const authorizationNameCopies = (userId: string) => ({
  user_display_name: userDisplayName(userId),
  user_display_name_folded: eb.fn.coalesce(
    eb.selectFrom("users").select("users.display_name_folded").where("users.id", "=", userId),
    eb.val(""),
  ),
});

/**
 * A user's names as written, with the folded display name the `name` filter compares (which the
 * stores cannot compute): every write of a user's names writes the folded name from here.
 */
function userNames(user: Names & { id: string }): Names & { display_name_folded: string } {
  return {
    first_name: user.first_name,
    last_name: user.last_name,
    display_name_folded: foldName(displayName(user)),
  };
}

// Users.

// A user row inserted for an id that was deleted carries the deletion's instant (null for an id
// never deleted), read inside the statement: a write whose caller was deleted while its request
// was in flight (`createTeam` inserts its caller too) re-creates a user that still refuses the
// deleted account's tokens.
const insertUserIfMissing = prepare(
  (
    { db },
    id: string,
    firstName: string | null,
    lastName: string | null,
    folded: string,
    now: string,
  ) =>
    db
      .insertInto("users")
      .values({
        id,
        first_name: firstName,
        last_name: lastName,
        display_name_folded: folded,
        manager_id: null,
        created_at: now,
        issued_after: db.selectFrom("deleted_users").select("deleted_at").where("id", "=", id),
      })
      .onConflict((oc) => oc.column("id").doNothing()),
);

/** Inserts the user row for an id seen in a valid token, keeping an existing row as it is. */
export async function ensureUserRow(
  s: Store,
  user: { id: string; first_name?: string | null; last_name?: string | null },
  now: string,
): Promise<void> {
  const names = userNames({
    id: user.id,
    first_name: user.first_name ?? null,
    last_name: user.last_name ?? null,
  });
  await insertUserIfMissing(
    s,
    user.id,
    names.first_name,
    names.last_name,
    names.display_name_folded,
    now,
  );
}

/**
 * Removes the record of an id's deletion once a newer token has re-created the user: its instant
 * now lives in the user row (`issued_after`), so the two never disagree, and the table holds only
 * ids that are gone.
 */
export async function forgetDeletion(s: Store, userId: string): Promise<void> {
  await s.db.deleteFrom("deleted_users").where("id", "=", userId).execute();
}

/** Inserts a new user managed by `managerId`. */
export async function insertManagedUser(
  s: Store,
  user: Names & { id: string; manager_id: string },
  now: string,
): Promise<void> {
  await s.db
    .insertInto("users")
    .values({ ...user, ...userNames(user), created_at: now })
    .execute();
}

/** Creates or replaces a user by id; the copies and lines that show it follow. */
export async function putUserRow(
  s: Store,
  user: Names & { id: string; manager_id: string | null },
  now: string,
): Promise<void> {
  const { id, manager_id } = user;
  const names = userNames(user);
  await s.db
    .insertInto("users")
    .values({ id, manager_id, ...names, created_at: now })
    .onConflict((oc) => oc.column("id").doUpdateSet({ manager_id, ...names }))
    .execute();
  await copyUserNames(s, id);
  await endManagementTokens(s, id, user.manager_id);
}

/** Changes some of a user's names (a managed user renamed by its manager); the copies follow. */
export async function renameUserRow(
  s: Store,
  userId: string,
  names: Partial<Names>,
): Promise<void> {
  if (Object.keys(names).length === 0) return;
  // The folded name is of both names: it is written from the row as the update left it (which
  // holds the row's lock to the commit), so a concurrent rename of the other name is not lost.
  const renamed = await s.db
    .updateTable("users")
    .set(names)
    .where("id", "=", userId)
    .returning(["first_name", "last_name"])
    .executeTakeFirst();
  if (!renamed) return;
  await s.db
    .updateTable("users")
    .set({ display_name_folded: userNames({ id: userId, ...renamed }).display_name_folded })
    .where("id", "=", userId)
    .execute();
  await copyUserNames(s, userId);
}

/** Rewrites the copies and lines that show a user's names, after its row changed. */
async function copyUserNames(s: Store, id: string): Promise<void> {
  await s.db
    .updateTable("memberships")
    .set({ user_display_name: userDisplayName(id) })
    .where("user_id", "=", id)
    .where("user_display_name", "!=", userDisplayName(id))
    .execute();
  await s.db
    .updateTable("authorizations")
    .set((eb) => ({
      ...authorizationNameCopies(id),
      user_summary: userSummaryJson(s.kind, id, eb.ref("authorizations.scopes")),
    }))
    .where("user_id", "=", id)
    .execute();
}

/**
 * Deletes a user with what hangs on it: its memberships, its authorizations and the users it
 * manages (with theirs), and records each id's deletion at `now` (a token issued before it no
 * longer re-creates the user). False when there was no such user.
 */
export async function deleteUserRows(
  s: Store,
  userId: string,
  managed: string[],
  now: string,
  origin: ChangeOrigin,
  /** Keep the consent log records of the deleted users (`historyRetention: "keep"`). */
  retention: { keepHistory: boolean },
): Promise<boolean> {
  // Explicit deletes rather than trusting ON DELETE CASCADE alone: an embedder's database may have
  // been created with foreign keys off.
  const ids = [userId, ...managed];
  // The revocations are appended either way (one record per authorization ended, in the
  // transaction); without retention the user's records then go with it, these included.
  await logRevocations(s, "user_id", ids, now, origin);
  if (!retention.keepHistory) {
    await s.db.deleteFrom("consent_log").where("user_id", "in", ids).execute();
  }
  await s.db.deleteFrom("authorizations").where("user_id", "in", ids).execute();
  await s.db.deleteFrom("memberships").where("user_id", "in", ids).execute();
  await s.db.deleteFrom("users").where("manager_id", "=", userId).execute();
  const deleted = await s.db.deleteFrom("users").where("id", "=", userId).executeTakeFirst();
  if (deleted.numDeletedRows === 0n) return false;
  await s.db
    .deleteFrom("refresh_tokens")
    .where((eb) => eb.or([eb("user_id", "in", ids), eb("actor_id", "in", ids)]))
    .execute();
  // The latest deletion per id: a clock that stepped back never moves the bound earlier.
  await s.db
    .insertInto("deleted_users")
    .values(ids.map((id) => ({ id, deleted_at: now })))
    .onConflict((oc) =>
      oc
        .column("id")
        .doUpdateSet((eb) => ({ deleted_at: eb.ref("excluded.deleted_at") }))
        .where("deleted_users.deleted_at", "<", (eb) => eb.ref("excluded.deleted_at")),
    )
    .execute();
  return true;
}

// Teams.

/** Inserts a new team. */
export async function insertTeam(s: Store, id: string, team: Team, now: string): Promise<void> {
  await s.db
    .insertInto("teams")
    .values({ id, ...team, created_at: now })
    .execute();
}

/** Changes some of a team's fields; its name's copies follow. */
export async function updateTeamRow(
  s: Store,
  teamId: string,
  changes: Partial<Team>,
): Promise<void> {
  if (Object.keys(changes).length === 0) return;
  await s.db.updateTable("teams").set(changes).where("id", "=", teamId).execute();
  if (changes.name !== undefined) await copyTeamName(s, teamId);
}

/** Creates or replaces a team by id; its name's copies follow. */
export async function putTeamRow(s: Store, id: string, team: Team, now: string): Promise<void> {
  await s.db
    .insertInto("teams")
    .values({ id, ...team, created_at: now })
    .onConflict((oc) => oc.column("id").doUpdateSet({ ...team }))
    .execute();
  await copyTeamName(s, id);
}

async function copyTeamName(s: Store, teamId: string): Promise<void> {
  for (const table of ["memberships", "authorizations"] as const) {
    await s.db
      .updateTable(table)
      .set({ team_name: teamName(teamId) })
      .where("team_id", "=", teamId)
      .where("team_name", "!=", teamName(teamId))
      .execute();
  }
}

/** Deletes a team with its memberships and authorizations. False when there was no such team. */
export async function deleteTeamRows(
  s: Store,
  teamId: string,
  now: string,
  origin: ChangeOrigin,
): Promise<boolean> {
  await logRevocations(s, "team_id", [teamId], now, origin);
  await s.db.deleteFrom("authorizations").where("team_id", "=", teamId).execute();
  await s.db.deleteFrom("memberships").where("team_id", "=", teamId).execute();
  const deleted = await s.db.deleteFrom("teams").where("id", "=", teamId).executeTakeFirst();
  await s.db.deleteFrom("refresh_tokens").where("team_id", "=", teamId).execute();
  return deleted.numDeletedRows > 0n;
}

// Memberships.

/** Adds a membership, or changes its role. */
export async function upsertMembershipRow(
  s: Store,
  teamId: string,
  userId: string,
  role: "owner" | "member",
): Promise<void> {
  await s.db
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

/** Removes a membership, ending the refresh tokens the member obtained through the team. */
export async function deleteMembershipRow(s: Store, teamId: string, userId: string): Promise<void> {
  await s.db
    .deleteFrom("memberships")
    .where("team_id", "=", teamId)
    .where("user_id", "=", userId)
    .execute();
  await s.db
    .deleteFrom("refresh_tokens")
    .where("actor_id", "=", userId)
    .where("team_id", "=", teamId)
    .execute();
}

// Authorizations.

const authorizationForChange = prepare(({ db, kind }, teamId: string, userId: string) => {
  const query = db
    .selectFrom("authorizations")
    .select("scopes")
    .where("user_id", "=", userId)
    .where("team_id", "=", teamId);
  // Held to the commit: the scopes read are the ones the record says were replaced.
  return kind.family === "postgres" ? query.forUpdate() : query;
});

const insertAuthorization = prepare(
  ({ db, kind }, teamId: string, userId: string, scopes: string, now: string) =>
    db
      .insertInto("authorizations")
      .values({
        team_id: teamId,
        user_id: userId,
        scopes,
        granted_at: now,
        updated_at: now,
        team_name: teamName(teamId),
        ...authorizationNameCopies(userId),
        user_summary: userSummaryJson(kind, userId, sql.val(scopes)),
      })
      .onConflict((oc) => oc.columns(["user_id", "team_id"]).doNothing())
      .returning("user_id"),
);

const updateAuthorization = prepare(
  ({ db, kind }, teamId: string, userId: string, scopes: string, now: string) =>
    db
      .updateTable("authorizations")
      .set({
        scopes,
        updated_at: now,
        user_summary: userSummaryJson(kind, userId, sql.val(scopes)),
      })
      .where("user_id", "=", userId)
      .where("team_id", "=", teamId),
);

/**
 * Records a user's authorization of a team, or replaces its scopes (keeping `granted_at`), with
 * its consent log record. The same scopes again change nothing and append nothing. `previous` is
 * the stored scopes the write already read in its (serializable) transaction, null for none;
 * undefined reads them here, locked to the commit. The refresh tokens obtained through the team
 * for the user whose scopes the new set no longer covers end with it.
 */
export async function upsertAuthorizationRow(
  s: Store,
  row: { teamId: string; userId: string; scopes: string; now: string; previous?: string | null },
  origin: ChangeOrigin,
): Promise<void> {
  const { teamId, userId, scopes, now } = row;
  let previous =
    row.previous !== undefined
      ? row.previous
      : ((await authorizationForChange(s, teamId, userId)).rows[0]?.scopes ?? null);
  if (previous === null) {
    const inserted = await insertAuthorization(s, teamId, userId, scopes, now);
    // A concurrent grant of the same pair committed first (read committed): it is now the previous.
    if (inserted.rows.length === 0) {
      previous = (await authorizationForChange(s, teamId, userId)).rows[0]?.scopes ?? null;
    }
  }
  if (previous === scopes) return;
  if (previous !== null) await updateAuthorization(s, teamId, userId, scopes, now);
  await appendRecords(s, [{ teamId, userId, scopes, previous }], now, origin);
  await s.db
    .deleteFrom("refresh_tokens")
    .where("team_id", "=", teamId)
    .where("user_id", "=", userId)
    .where("scopes", "not in", coveredScopeTexts(scopes))
    .execute();
}

const deleteAuthorization = prepare(({ db }, teamId: string, userId: string) =>
  db
    .deleteFrom("authorizations")
    .where("user_id", "=", userId)
    .where("team_id", "=", teamId)
    .returning("scopes"),
);

/**
 * Removes a user's authorization of a team, with its consent log record, and the refresh tokens
 * obtained through it; the scopes it held, or undefined when there was none (nothing recorded).
 */
export async function deleteAuthorizationRow(
  s: Store,
  teamId: string,
  userId: string,
  now: string,
  origin: ChangeOrigin,
): Promise<string | undefined> {
  const previous = (await deleteAuthorization(s, teamId, userId)).rows[0]?.scopes;
  await s.db
    .deleteFrom("refresh_tokens")
    .where("team_id", "=", teamId)
    .where("user_id", "=", userId)
    .execute();
  if (previous !== undefined) {
    await appendRecords(s, [{ teamId, userId, scopes: null, previous }], now, origin);
  }
  return previous;
}

// Refresh tokens (migration 7).

/** A refresh token's row as written: every column but `used_at`, which a rotation sets. */
export type RefreshTokenRow = Omit<RefreshTokensTable, "used_at">;

/**
 * Stores a new refresh token (its hash), unused. The user's expired refresh tokens go with it:
 * they can never be used again, and nothing else would remove a family no one refreshes.
 */
export async function insertRefreshToken(s: Store, row: RefreshTokenRow): Promise<void> {
  await deleteExpiredRefreshTokens(s, row.user_id, row.created_at);
  await insertRefreshRow(s, row);
}

async function insertRefreshRow(s: Store, row: RefreshTokenRow): Promise<void> {
  await insertRefresh(
    s,
    row.token_hash,
    row.family_id,
    row.kind,
    row.user_id,
    row.actor_id,
    row.team_id,
    row.scopes,
    row.actor_scopes,
    row.actor_expires_at,
    row.expires_at,
    row.created_at,
  );
}

// Prepared: issuing and refreshing run these on every request.
const deleteExpiredRefreshTokens = prepare(({ db }, userId: string, now: string) =>
  db.deleteFrom("refresh_tokens").where("user_id", "=", userId).where("expires_at", "<=", now),
);

const insertRefresh = prepare(
  (
    { db },
    token_hash: string,
    family_id: string,
    kind: "delegated" | "principal",
    user_id: string,
    actor_id: string | null,
    team_id: string | null,
    scopes: string,
    actor_scopes: string | null,
    actor_expires_at: string | null,
    expires_at: string,
    created_at: string,
  ) =>
    db.insertInto("refresh_tokens").values({
      token_hash,
      family_id,
      kind,
      user_id,
      actor_id,
      team_id,
      scopes,
      actor_scopes,
      actor_expires_at,
      expires_at,
      created_at,
      used_at: null,
    }),
);

const markRefreshTokenUsed = prepare(({ db }, tokenHash: string, now: string) =>
  db
    .updateTable("refresh_tokens")
    .set({ used_at: now })
    .where("token_hash", "=", tokenHash)
    .where("used_at", "is", null),
);

/**
 * Rotates a refresh token: marks it used (kept for reuse detection until its family ends) and
 * stores its successor in the same family. False when it was no longer there unused.
 */
export async function rotateRefreshToken(
  s: Store,
  usedHash: string,
  successor: RefreshTokenRow,
): Promise<boolean> {
  const marked = await markRefreshTokenUsed(s, usedHash, successor.created_at);
  if (!marked.numAffectedRows) return false;
  // No sweep of expired tokens here: a rotation is the hot path, and issuing sweeps the user's.
  await insertRefreshRow(s, successor);
  return true;
}

/** Ends a family of refresh tokens: every token rotated from one issue, used or not. */
export async function endRefreshFamily(s: Store, familyId: string): Promise<void> {
  await s.db.deleteFrom("refresh_tokens").where("family_id", "=", familyId).execute();
}

/**
 * A user's manager became `managerId` (null: none): the refresh tokens of anyone else acting
 * for it as its manager end.
 */
async function endManagementTokens(
  s: Store,
  userId: string,
  managerId: string | null,
): Promise<void> {
  let query = s.db
    .deleteFrom("refresh_tokens")
    .where("user_id", "=", userId)
    .where("kind", "=", "delegated")
    .where("team_id", "is", null);
  if (managerId !== null) query = query.where("actor_id", "!=", managerId);
  await query.execute();
}

// The consent log (migration 8).

interface Change {
  teamId: string;
  userId: string;
  /** Stored scopes after the change; null when it ended the authorization. */
  scopes: string | null;
  /** Stored scopes before it; null when there was none. */
  previous: string | null;
}

const typeOf = (c: Change) =>
  c.previous === null
    ? "authorization.granted"
    : c.scopes === null
      ? "authorization.revoked"
      : "authorization.updated";

const appendRecord = prepare(
  (
    { db },
    type: string,
    now: string,
    teamId: string,
    userId: string,
    scopes: string | null,
    previous: string | null,
    actorUserId: string | null,
    actorParty: string | null,
    via: string,
    cause: string,
  ) =>
    db
      .insertInto("consent_log")
      .values({
        type: type as ReturnType<typeof typeOf>,
        occurred_at: now,
        team_id: teamId,
        user_id: userId,
        scopes,
        previous_scopes: previous,
        actor_user_id: actorUserId,
        actor_authorized_party: actorParty,
        actor_via: via,
        cause,
      })
      .returningAll(),
);

async function appendRecords(
  s: Store,
  changes: readonly Change[],
  now: string,
  { actor, cause }: ChangeOrigin,
): Promise<void> {
  for (const c of changes) {
    s.consentTally?.add(typeOf(c), cause, 1);
    const { rows } = await appendRecord(
      s,
      typeOf(c),
      now,
      c.teamId,
      c.userId,
      c.scopes,
      c.previous,
      actor.user_id,
      actor.authorized_party,
      actor.via,
      cause,
    );
    await insertOutboxRow(s, rows[0] as ConsentLogRow);
  }
}

type ConsentLogRow = Selectable<ConsentLogTable>;

// The webhook outbox (migration 10): each record appended is also written here, in the same
// transaction and from the record as stored, so subscribers learn of it even when the record is
// deleted later with its user. Always written, whether or not a webhook exists: skipping it by a
// read of the subscriptions would race a subscription created meanwhile (its cursor could pass a
// change that committed after it); rows no subscription waits for are pruned instead.
const outboxRowOf = (row: ConsentLogRow) => {
  const record = toConsentRecord(row);
  return {
    event_id: record.id,
    type: record.type,
    payload: webhookPayload(record),
    created_at: record.occurred_at,
  };
};

const insertOutbox = prepare(
  ({ db }, event_id: number, type: string, payload: string, created_at: string) =>
    db.insertInto("webhook_outbox").values({ event_id, type, payload, created_at }),
);

async function insertOutboxRow(s: Store, row: ConsentLogRow): Promise<void> {
  const o = outboxRowOf(row);
  await insertOutbox(s, o.event_id, o.type, o.payload, o.created_at);
}

/**
 * Appends a revocation record for each authorization of the users (or the team) about to be
 * deleted, in one statement that reads the rows itself.
 */
async function logRevocations(
  s: Store,
  by: "user_id" | "team_id",
  ids: readonly string[],
  now: string,
  { actor, cause }: ChangeOrigin,
): Promise<void> {
  const appended = await s.db
    .insertInto("consent_log")
    .columns([
      "type",
      "occurred_at",
      "team_id",
      "user_id",
      "scopes",
      "previous_scopes",
      "actor_user_id",
      "actor_authorized_party",
      "actor_via",
      "cause",
    ])
    .expression((eb) =>
      eb
        .selectFrom("authorizations")
        .select([
          eb.val("authorization.revoked").as("type"),
          eb.val(now).as("occurred_at"),
          "team_id",
          "user_id",
          sql<null>`null`.as("scopes"),
          "scopes as previous_scopes",
          eb.val(actor.user_id).as("actor_user_id"),
          eb.val(actor.authorized_party).as("actor_authorized_party"),
          eb.val(actor.via).as("actor_via"),
          eb.val(cause).as("cause"),
        ])
        .where(by, "in", ids)
        // The orders the indexes hold: a team's users (display name, id), a user's teams by id.
        .orderBy(by === "team_id" ? "user_display_name" : "user_id")
        .orderBy(by === "team_id" ? "user_id" : "team_id"),
    )
    .returningAll()
    .execute();
  s.consentTally?.add("authorization.revoked", cause, appended.length);
  // In the records' order: a subscriber gets them as the log holds them. One prepared insert each
  // (a many-row VALUES would be a new statement per size, scanned as a table).
  appended.sort((a, b) => Number(a.id) - Number(b.id));
  for (const row of appended) await insertOutboxRow(s, row);
}

// The turn of one authorization's changes (PostgreSQL). The feed and the webhook outbox order a
// record by its transaction's id (commit-order.ts), which PostgreSQL assigns at the first write or
// row lock, not at commit. Two read committed changes of one (team, user) pair both take their ids
// at their first `for share` lock, and the one that took it first can then wait for the other's
// lock on the authorization row and commit after it: its record would be read first though its
// change is the one that stands, and a receiver replaying the feed would end with the wrong scopes.
// So every write that changes one known pair takes a transaction-scoped advisory lock of the pair
// as its first statement: an advisory lock assigns no transaction id, so the change that gets the
// lock first also gets its id first and commits first, the other waiting for that commit.
// - Which writes: grants and revocations through a delegation and a person's withdrawal (read
//   committed), and a person's consent, which is serializable but shares its pair with the
//   withdrawal: a serializable change that wins the row commits first, and without its turn a
//   withdrawal that took its id earlier would commit after it with the smaller id. (Between two
//   serializable writes a loser fails and is retried as a new transaction with a larger id, and
//   one that waits for the turn keeps the snapshot of its first statement, so it then fails on the
//   row the other changed and is retried.) Deletions of a user or a team change many pairs: a
//   change of one of them holds its user's and team's rows `for share` from its first statement,
//   so the deletion commits after it, and fails and is retried if it read the pair before.
//   Removing a member writes no record.
// - No deadlock: the lock is the first statement, so whoever waits for it holds no other lock; a
//   transaction takes one such lock (one pair), and nothing else takes it.
// - The key is a 64-bit hash of the store's schema and the pair (a collision only makes two pairs
//   take turns), with a seed of its own ("teams" in ASCII), apart from the migrations' lock
//   (postgres-store.ts). A write retried takes the turn again, as its new first statement.

// The schema, then the pair, each text after its length: no two (schema, team, user) give one text
// (PostgreSQL's text holds no NUL to separate them).
const pairText = (teamId: string, userId: string) => {
  const schema = sql`coalesce(current_schema(), '')`;
  const team = sql`cast(${teamId} as text)`;
  const user = sql`cast(${userId} as text)`;
  return sql`concat_ws(':', length(${schema}), ${schema}, length(${team}), ${team}, ${user})`;
};
const authorizationTurn = prepare(({ db }, teamId: string, userId: string) =>
  db.selectNoFrom(
    sql<string>`pg_advisory_xact_lock(hashtextextended(${pairText(teamId, userId)}, 499917090163))`.as(
      "turn",
    ),
  ),
);

/**
 * Waits for the turn of the user's authorization of the team, held to the commit (PostgreSQL; on
 * SQLite writers take turns already). The first statement of every write that changes one pair.
 * An id that can name no row (NUL, a lone surrogate, too long: PostgreSQL would refuse it as text)
 * takes no turn: such a write changes nothing, and answers the use case's own 404.
 */
export async function takeAuthorizationTurn(
  s: Store,
  teamId: string,
  userId: string,
): Promise<void> {
  if (s.kind.family !== "postgres" || !isPlausibleId(teamId) || !isPlausibleId(userId)) return;
  await authorizationTurn(s, teamId, userId);
}

// Row locks for writes that run `read committed` (see `WriteIsolation`).

const subjectForWrite = prepare(({ db, kind }, userId: string) => {
  const query = db.selectFrom("users").select(["id", "manager_id"]).where("id", "=", userId);
  // Held to the commit: the user cannot be given another manager, or deleted, in between.
  // SQLite's writers hold the database's write lock already.
  return kind.family === "postgres" ? query.forShare() : query;
});

/** The user (its manager), locked against changes until the write commits. */
export async function lockUser(
  s: Store,
  userId: string,
): Promise<{ id: string; manager_id: string | null } | undefined> {
  return (await subjectForWrite(s, userId)).rows[0];
}

const teamForWrite = prepare(({ db, kind }, teamId: string) => {
  const query = db.selectFrom("teams").select("id").where("id", "=", teamId);
  return kind.family === "postgres" ? query.forShare() : query;
});

/** Whether the team exists, locked against deletion until the write commits. */
export async function lockTeam(s: Store, teamId: string): Promise<boolean> {
  return (await teamForWrite(s, teamId)).rows.length > 0;
}

const refreshTokenForWrite = prepare(({ db, kind }, tokenHash: string) => {
  const query = db.selectFrom("refresh_tokens").selectAll().where("token_hash", "=", tokenHash);
  // Exclusive: a rotation, a revocation and a reuse of one token take turns.
  return kind.family === "postgres" ? query.forUpdate() : query;
});

/**
 * The row of a refresh token read earlier in this write (`seen`), locked until the write commits:
 * read again with the lock on PostgreSQL (it may have changed since), as it is on SQLite, whose
 * writers hold the database's write lock from the start.
 */
export async function relockRefreshToken<T extends RefreshTokenRow>(
  s: Store,
  tokenHash: string,
  seen: T,
): Promise<(RefreshTokenRow & { used_at: string | null }) | T | undefined> {
  return s.kind.family === "postgres" ? lockRefreshToken(s, tokenHash) : seen;
}

/** A refresh token's row, locked until the write commits; undefined when there is none. */
export async function lockRefreshToken(
  s: Store,
  tokenHash: string,
): Promise<(RefreshTokenRow & { used_at: string | null }) | undefined> {
  return (await refreshTokenForWrite(s, tokenHash)).rows[0];
}

const membershipForWrite = prepare(({ db, kind }, teamId: string, userId: string) => {
  const query = db
    .selectFrom("memberships")
    .select("role")
    .where("team_id", "=", teamId)
    .where("user_id", "=", userId);
  return kind.family === "postgres" ? query.forShare() : query;
});

/** Whether the user is a member of the team, locked against removal until the write commits. */
export async function lockMembership(s: Store, teamId: string, userId: string): Promise<boolean> {
  return (await membershipForWrite(s, teamId, userId)).rows.length > 0;
}

const authorizationForWrite = prepare(({ db, kind }, teamId: string, userId: string) => {
  const query = db
    .selectFrom("authorizations")
    .select("scopes")
    .where("team_id", "=", teamId)
    .where("user_id", "=", userId);
  return kind.family === "postgres" ? query.forShare() : query;
});

/** The scopes the user granted the team, locked against change until the write commits. */
export async function lockAuthorization(
  s: Store,
  teamId: string,
  userId: string,
): Promise<string | undefined> {
  return (await authorizationForWrite(s, teamId, userId)).rows[0]?.scopes;
}
