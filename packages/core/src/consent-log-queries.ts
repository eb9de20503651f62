import type { Selectable } from "kysely";
import type { Store } from "./context.js";
import type { ConsentLogTable } from "./database.js";
import type { ActorVia, ChangeCause } from "./policy/consent-actor.js";
import { prepareShaped } from "./prepared-query.js";
import type { ConsentRecord } from "./schemas.js";
import { decodeScopes } from "./scopes.js";

export type { ConsentRecord };

// Reads of the consent log (migration 8, DESIGN §7), in log order (id).

type Row = Omit<Selectable<ConsentLogTable>, "tx">;

const scopesOf = (stored: string | null) => (stored === null ? null : decodeScopes(stored));

export function toConsentRecord(row: Row): ConsentRecord {
  return {
    // PostgreSQL reads a bigint as text; ids stay far below 2^53.
    id: Number(row.id),
    type: row.type,
    occurred_at: row.occurred_at,
    team_id: row.team_id,
    user_id: row.user_id,
    scopes: scopesOf(row.scopes),
    previous_scopes: scopesOf(row.previous_scopes),
    actor: {
      user_id: row.actor_user_id,
      authorized_party: row.actor_authorized_party,
      via: row.actor_via as ActorVia,
    },
    cause: row.cause as ChangeCause,
  };
}

/** The records of a user's authorizations, or of a team's (every record when neither), in order. */
export async function readConsentLog(
  s: Store,
  filter: { userId?: string; teamId?: string } = {},
): Promise<ConsentRecord[]> {
  let query = s.db.selectFrom("consent_log").selectAll().orderBy("id");
  if (filter.userId !== undefined) query = query.where("user_id", "=", filter.userId);
  if (filter.teamId !== undefined) query = query.where("team_id", "=", filter.teamId);
  return (await query.execute()).map(toConsentRecord);
}

const historyOf = prepareShaped(
  ["byTeam", "after", "limited"],
  ({ db }, shape, id: string, after: number, rows: number) => {
    let query = db
      .selectFrom("consent_log")
      .selectAll()
      .where(shape.byTeam ? "team_id" : "user_id", "=", id);
    if (shape.after) query = query.where("id", ">", after);
    query = query.orderBy("id");
    return shape.limited ? query.limit(rows) : query;
  },
);

/**
 * A page of a user's consent history, or of a team's, in log order: the records after id
 * `after`, at most `rows` of them (all without).
 */
export async function listHistory(
  s: Store,
  of: { userId: string } | { teamId: string },
  window: { after?: number | undefined; rows?: number | undefined },
): Promise<ConsentRecord[]> {
  const byTeam = "teamId" in of;
  const shape = { byTeam, after: window.after !== undefined, limited: window.rows !== undefined };
  const id = byTeam ? of.teamId : of.userId;
  const result = await historyOf(s, shape, id, window.after ?? 0, window.rows ?? 0);
  return result.rows.map(toConsentRecord);
}

/** A record's place in its list, as a cursor holds it. */
export const historyKey = (r: ConsentRecord) => [String(r.id), ""] as const;
