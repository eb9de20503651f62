import type { Principal, Teams } from "@teams/core";

export const demoHelp = `teams demo: load a small demo world and print tokens to try it with

Usage: teams demo

Loads (idempotently): a coach owning the team "club" (Harbour Rowing Club), an assistant who is a
member, two athletes managed by the coach (ann, ben), a regular athlete (carl), and
authorizations: ann and ben (through the coach's delegated tokens) and carl (for himself).
Then prints development tokens for each of them. Development mode only.`;

const platform: Principal = { userId: "teams-demo", authorizedParty: null, scopes: ["admin"] };
const granting: Principal["scopes"] = ["data:read", "data:write", "profile"];

/** Loads the demo world through the core's own operations (same rules as the API). */
export async function loadDemo(teams: Teams): Promise<void> {
  await teams.adminPutUser(platform, "coach", { first_name: "Cora", last_name: "Coach" });
  await teams.adminPutUser(platform, "assistant", { first_name: "Abe", last_name: "Assist" });
  await teams.adminPutUser(platform, "carl", { first_name: "Carl", last_name: "Cyclist" });
  await teams.adminPutUser(platform, "ann", {
    first_name: "Ann",
    last_name: "Athlete",
    manager_id: "coach",
  });
  await teams.adminPutUser(platform, "ben", {
    first_name: "Ben",
    last_name: "Bold",
    manager_id: "coach",
  });
  await teams.adminPutTeam(platform, "club", {
    name: "Harbour Rowing Club",
    description: "Morning crews on the harbour; the coaches plan your sessions from your data.",
    url: "https://rowing.example/",
    image: "https://rowing.example/logo.png",
    privacy_statement: "https://rowing.example/privacy",
  });
  await teams.adminPutMember(platform, "club", "coach", { role: "owner" });
  await teams.adminPutMember(platform, "club", "assistant", { role: "member" });
  const delegated = (sub: string): Principal => ({
    userId: sub,
    authorizedParty: "coach",
    scopes: granting,
  });
  await teams.authorizeTeam(delegated("ann"), "club", { scopes: ["data:read", "profile"] });
  await teams.authorizeTeam(delegated("ben"), "club", { scopes: ["data:read"] });
  await teams.consentToTeam({ userId: "carl", authorizedParty: null, scopes: granting }, "club", {
    scopes: ["data:read", "data:write", "profile"],
  });
}

/** The people of the demo world and the tokens that act as them. */
export const demoPeople = [
  { name: "TOKEN_COACH", sub: "coach", note: "owner of club" },
  { name: "TOKEN_ASSISTANT", sub: "assistant", note: "member of club" },
  { name: "TOKEN_CARL", sub: "carl", note: "regular athlete who authorized club" },
  { name: "TOKEN_ANN", sub: "ann", note: "managed athlete (her own, non-delegated token)" },
  {
    name: "TOKEN_ANN_BY_COACH",
    sub: "ann",
    azp: "coach",
    note: "delegated: the coach acting for ann",
  },
  {
    name: "TOKEN_BEN_BY_COACH",
    sub: "ben",
    azp: "coach",
    note: "delegated: the coach acting for ben",
  },
] as const;
