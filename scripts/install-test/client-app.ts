// A small app of a user of @teams/client, installed from its tarball: typechecked with skipLibCheck
// on and off (each @ts-expect-error must be needed), then run against `teams start`.
import { createTeamsClient, errorStatus, type TeamsClient } from "@teams/client";

const url = process.env.TEAMS_URL ?? "http://127.0.0.1:8000";
const teams: TeamsClient = createTeamsClient({ url, token: process.env.TEAMS_TOKEN ?? "" });

const created = await teams.manage.createTeam.mutate({
  name: "Installed Rowing Club",
  url: "https://club.example/",
  image: "https://club.example/logo.png",
  privacy_statement: "https://club.example/privacy",
});
const mine = await teams.teams.list.query();
const names: string[] = mine.map((team) => team.name);
const role: string | null | undefined = mine[0]?.role;
const authorized = await teams.teams.authorized.query();
let refused: number | undefined;
try {
  await teams.manage.getTeam.query({ team_id: "no-such-team" });
} catch (error) {
  refused = errorStatus(error);
}

// Wrong calls: each must fail to compile (never called: they are here for the compiler).
export async function wrongCalls(): Promise<number> {
  // @ts-expect-error a procedure that does not exist
  await teams.teams.lst.query();
  // @ts-expect-error a misspelt input field (`scope` for `scopes`)
  await teams.teams.authorize.mutate({ team_id: created.id, scope: ["data:read"] });
  // @ts-expect-error a scope the API does not know
  await teams.teams.authorize.mutate({ team_id: created.id, scopes: ["data:everything"] });
  // @ts-expect-error a team's name is a string, not a number
  const wrong: number = mine[0]?.name ?? 0;
  // @ts-expect-error a query is not a mutation
  await teams.teams.list.mutate();
  return wrong;
}

console.log(
  JSON.stringify({
    created: created.name,
    names,
    role,
    authorized: authorized.length,
    refused,
  }),
);
