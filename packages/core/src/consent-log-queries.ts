import type { Store } from "./context.js";
import type { ConsentLogTable } from "./database.js";
import type { ActorVia, ChangeCause, ConsentActor } from "./policy/consent-actor.js";
import { decodeScopes, type GrantableScope } from "./scopes.js";

// Reads of the consent log (migration 8, DESIGN §7), in log order (id).

/** One record of the consent log, as DESIGN §7 states it. */
export interface ConsentRecord {
  id: number;
  type: ConsentLogTable["type"];
  occurred_at: string;
  team_id: string;
  user_id: string;
  /** The scopes after the change; null when it ended the authorization. */
  scopes: GrantableScope[] | null;
  /** The scopes before it; null when there was no authorization. */
  previous_scopes: GrantableScope[] | null;
  actor: ConsentActor;
  cause: ChangeCause;
}

type Row = Omit<ConsentLogTable, "id"> & { id: number | string };

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
