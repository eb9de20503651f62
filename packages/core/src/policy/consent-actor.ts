import type { Principal } from "../principal.js";

// Who changed an authorization, and why, as its consent log record says (DESIGN §7). Decided from
// what the use case knows: the principal and the entry point it serves, never guessed.

/** How the actor acted. */
export const ACTOR_VIAS = [
  "browser",
  "manager_token",
  "team_token",
  "owner",
  "admin",
  "service",
] as const;
export type ActorVia = (typeof ACTOR_VIAS)[number];

/** Why the authorization changed (`admin`: reserved for an administrator's own change). */
export const CHANGE_CAUSES = ["user", "manager", "admin", "team_deleted", "user_deleted"] as const;
export type ChangeCause = (typeof CHANGE_CAUSES)[number];

/** The actor of a record: the principal's `sub` and acting user (null for the service itself). */
export interface ConsentActor {
  user_id: string | null;
  authorized_party: string | null;
  via: ActorVia;
}

/** What a record says of its change's origin. */
export interface ChangeOrigin {
  actor: ConsentActor;
  cause: ChangeCause;
}

/**
 * The entry points that change authorizations:
 * - `consent`: the person grants or withdraws for itself (the consent and account pages, which
 *   say so with `{ via: "browser" }`; any other host of those use cases is the service itself);
 * - `delegation`: a delegated token grants or revokes for the user it acts for (the API);
 * - `team-deletion`, `user-deletion`: a deletion that ends every authorization hanging on it, by
 *   the team's owner, an administrator or a managed user's manager (`as`).
 */
export type ChangeEntry =
  | { kind: "consent"; via: "browser" | "service" }
  | { kind: "delegation" }
  | { kind: "team-deletion"; as: "owner" | "admin" }
  | { kind: "user-deletion"; as: "manager" | "admin" };

/** The origin of a change made by `principal` through `entry`. */
export function decideChangeOrigin(principal: Principal, entry: ChangeEntry): ChangeOrigin {
  const person = (via: ActorVia): ConsentActor => ({
    user_id: principal.userId,
    authorized_party: principal.authorizedParty,
    via,
  });
  switch (entry.kind) {
    case "consent":
      return entry.via === "browser"
        ? { actor: person("browser"), cause: "user" }
        : { actor: { user_id: null, authorized_party: null, via: "service" }, cause: "user" };
    case "delegation":
      // A token through a team acts for a member; any other delegated token is a manager's.
      return { actor: person(principal.teamId ? "team_token" : "manager_token"), cause: "manager" };
    case "team-deletion":
      return { actor: person(entry.as), cause: "team_deleted" };
    case "user-deletion":
      return {
        // A manager deletes its managed user with its own token: still the manager's token.
        actor: person(entry.as === "admin" ? "admin" : "manager_token"),
        cause: "user_deleted",
      };
  }
}
