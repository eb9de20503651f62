import {
  Forbidden,
  Invalid,
  NotAuthenticated,
  NotFound,
  type Principal,
  type Teams,
  TeamsError,
  Unavailable,
} from "@teams/core";
import { admin } from "@teams/core/testing";
import type { Op, Outcome, Token } from "./model.js";

/** An outcome of the real service: the model's kinds, plus Unavailable (503). */
export type Observed = Outcome | { kind: "unavailable"; message: string };

const asPrincipal = (t: Token): Principal => ({
  userId: t.sub,
  authorizedParty: t.azp,
  scopes: t.scopes,
});
const own = (userId: string): Principal => ({
  userId,
  authorizedParty: null,
  scopes: ["data:read", "data:write", "profile"],
});

async function call(teams: Teams, op: Op): Promise<unknown> {
  switch (op.kind) {
    case "putUser":
      await teams.adminPutUser(admin, op.id, {
        first_name: op.first,
        last_name: op.last,
        manager_id: op.manager,
      });
      return null;
    case "putTeam": {
      const { id, ...body } = op.team;
      await teams.adminPutTeam(admin, id, body);
      return null;
    }
    case "putMember":
      return (await teams.adminPutMember(admin, op.team, op.user, { role: op.role })).role;
    case "deleteMember":
      await teams.adminDeleteMember(admin, op.team, op.user);
      return null;
    case "deleteTeam":
      await teams.adminDeleteTeam(admin, op.team);
      return null;
    case "deleteUser":
      await teams.adminDeleteUser(admin, op.user);
      return null;
    case "authorize":
      return teams.authorizeTeam(asPrincipal(op.token), op.team, { scopes: op.scopes });
    case "revoke":
      return teams.revokeTeam(asPrincipal(op.token), op.team);
    case "consent":
      return teams.consentToTeam(own(op.user), op.team, { scopes: op.scopes });
    case "withdraw":
      return teams.withdrawConsent(own(op.user), op.team);
  }
}

/**
 * Runs one write through the core and reports it as the model would. Anything but the core's typed
 * errors is rethrown: over HTTP it would have been a 500.
 */
export async function runOp(teams: Teams, op: Op): Promise<Observed> {
  try {
    return { kind: "ok", value: await call(teams, op) };
  } catch (error) {
    if (error instanceof NotAuthenticated) {
      return { kind: "not_authenticated", message: error.message };
    }
    if (error instanceof Forbidden) return { kind: "forbidden", message: error.message };
    if (error instanceof NotFound) return { kind: "not_found", message: error.message };
    if (error instanceof Invalid) return { kind: "invalid", message: error.issues[0]?.msg ?? "" };
    if (error instanceof Unavailable) return { kind: "unavailable", message: error.message };
    if (error instanceof TeamsError) throw new Error(`unexpected ${error.name}: ${error.message}`);
    throw error;
  }
}
