import type { HttpOutcome, Who } from "./postgres.js";

/** One REST call as `who`; the story does not care which server or store answers it. */
export type Call = (who: Who, method: string, path: string, body?: unknown) => Promise<HttpOutcome>;

const teamBody = {
  name: "Harbour Rowing",
  description: "Rowing club",
  url: "https://rowing.example/",
  image: "https://rowing.example/logo.png",
  privacy_statement: "https://rowing.example/privacy",
};

/**
 * The story of packages/client/test/scenario.test.ts, step for step, told over REST only (this app
 * cannot depend on @teams/client): create a team, add a member, create a managed user, authorize
 * with a delegated token, list both directions, change scopes, check access, be refused where the
 * rules say, revoke, remove the member, delete. Returns every outcome with generated ids replaced
 * by `<team>` and `<mia>`.
 */
export async function restStory(call: Call): Promise<HttpOutcome[]> {
  const outcomes: HttpOutcome[] = [];
  const record = (o: HttpOutcome) => {
    outcomes.push(o);
    return o;
  };
  const coach: Who = { sub: "coach" };
  const assistant: Who = { sub: "assistant" };
  const outsider: Who = { sub: "outsider" };

  record(await call(assistant, "GET", "/api/v1/teams/"));
  const teamId = (
    record(await call(coach, "POST", "/api/v1/teams/", teamBody)).body as { id: string }
  ).id;
  record(await call(coach, "PUT", `/api/v1/teams/${teamId}/members/assistant`, { role: "member" }));
  const miaId = (
    record(await call(coach, "POST", "/api/v1/users/", { first_name: "Mia", last_name: "Managed" }))
      .body as { id: string }
  ).id;
  const mia: Who = { sub: miaId, azp: "coach" };
  const authorize = (scopes: string[], who: Who = mia) =>
    call(who, "POST", `/api/v1/teams/${teamId}/authorize`, { scopes });
  const teamUsers = (who: Who) => call(who, "GET", `/api/v1/teams/${teamId}/users`);
  const authorized = () => call({ sub: miaId }, "GET", "/api/v1/teams/authorized");
  const access = (who: Who, scope: string) =>
    call(who, "GET", `/api/v1/access?user_id=${miaId}&scope=${scope}`);

  record(await authorize(["data:read", "profile"]));
  record(await authorized());
  record(await teamUsers(assistant));
  record(await access(assistant, "data:read"));
  record(await access(assistant, "data:write"));
  record(await authorize(["data:write"]));
  record(await authorized());
  record(await access(assistant, "data:write"));
  // Refusals: each changes nothing.
  record(await authorize([]));
  record(await authorize(["admin"]));
  record(await authorize(["data:read"], { sub: miaId }));
  record(await authorize(["data:read"], { sub: miaId, azp: "outsider" }));
  record(await teamUsers(outsider));
  record(await call(assistant, "PATCH", `/api/v1/teams/${teamId}`, { name: "Mine" }));
  record(await call(coach, "DELETE", `/api/v1/teams/${teamId}/members/coach`));
  record(await teamUsers(coach));
  record(await call(mia, "DELETE", `/api/v1/teams/${teamId}/authorize`));
  record(await authorized());
  record(await access(assistant, "data:read"));
  record(await call(assistant, "DELETE", `/api/v1/teams/${teamId}/members/assistant`));
  record(await call(assistant, "GET", "/api/v1/teams/"));
  record(await call(coach, "DELETE", `/api/v1/teams/${teamId}`));
  record(await call(coach, "GET", "/api/v1/teams/"));

  // Generated ids and timestamps differ between runs; name them by order of appearance.
  return JSON.parse(
    JSON.stringify(outcomes)
      .replaceAll(teamId, "<team>")
      .replaceAll(miaId, "<mia>")
      .replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"<time>"'),
  ) as HttpOutcome[];
}
