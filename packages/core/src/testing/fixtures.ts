import type { Principal } from "../principal.js";
import type { Teams } from "../teams.js";

/** A principal for tests: a regular token of `userId` unless `azp` makes it delegated. */
export function principal(
  userId: string,
  options: { azp?: string; scopes?: string[] } = {},
): Principal {
  return {
    userId,
    authorizedParty: options.azp ?? null,
    scopes: options.scopes ?? ["data:read", "data:write", "profile"],
  };
}

export const admin = principal("platform", { scopes: ["admin"] });

/** A delegated token of `manager` acting for its managed user `userId`. */
export const delegated = (userId: string, manager: string, scopes?: string[]) =>
  principal(userId, { azp: manager, ...(scopes ? { scopes } : {}) });

export const teamBody = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  description: `${name} description`,
  url: `https://${name.toLowerCase().replace(/\W+/g, "-")}.example/`,
  image: `https://${name.toLowerCase().replace(/\W+/g, "-")}.example/logo.png`,
  privacy_statement: `https://${name.toLowerCase().replace(/\W+/g, "-")}.example/privacy`,
  ...extra,
});

/**
 * A small world: coach owns "Club" with assistant as member; ann and ben are managed by coach;
 * carl is a regular athlete; "Other" is a team owned by rival.
 */
export async function seedWorld(
  teams: Pick<Teams, "adminPutMember" | "adminPutTeam" | "adminPutUser">,
) {
  await teams.adminPutUser(admin, "coach", { first_name: "Cora", last_name: "Coach" });
  await teams.adminPutUser(admin, "assistant", { first_name: "Abe", last_name: "Assist" });
  await teams.adminPutUser(admin, "rival", { first_name: "Rita", last_name: "Rival" });
  await teams.adminPutUser(admin, "carl", { first_name: "Carl", last_name: null });
  await teams.adminPutUser(admin, "ann", {
    first_name: "Ann",
    last_name: "Athlete",
    manager_id: "coach",
  });
  await teams.adminPutUser(admin, "ben", {
    first_name: "Ben",
    last_name: "Bold",
    manager_id: "coach",
  });
  await teams.adminPutTeam(admin, "club", teamBody("Club"));
  await teams.adminPutTeam(admin, "other", teamBody("Other"));
  await teams.adminPutMember(admin, "club", "coach", { role: "owner" });
  await teams.adminPutMember(admin, "club", "assistant", { role: "member" });
  await teams.adminPutMember(admin, "other", "rival", { role: "owner" });
}
