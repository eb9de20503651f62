import { errorStatus, type TeamsClient } from "../src/index.js";
import { token } from "./in-process-app.js";

// One story, told through REST and through the typed client, must end the same way: create a team,
// add a member, create a managed user, authorize with a delegated token, list both directions,
// change scopes, check access, be refused where the rules say, revoke, remove the member, delete.
// Shared by scenario.test.ts (SQLite) and scenario-postgres.test.ts (PostgreSQL).

export type Outcome = { ok: true; body: unknown } | { ok: false; status: number; message: string };
export type Who = { sub: string; azp?: string; scope?: string };

export interface Face {
  /** Runs one step; `rest` and `trpc` are the same operation on each face. */
  step(
    who: Who,
    rest: { method: string; path: string; body?: unknown },
    trpc: (client: TeamsClient) => Promise<unknown>,
  ): Promise<Outcome>;
}

/** What the faces need of an app: its REST face without a socket, and typed clients. */
export interface StoryApp {
  app: { request(path: string, init: RequestInit): Response | Promise<Response> };
  client(sub: string, options?: { azp?: string; scope?: string }): TeamsClient;
}

/** Signs a token the app accepts; by default the one of in-process-app.ts. */
export type Signer = (sub: string, options: { azp?: string; scope?: string }) => Promise<string>;

export function restFace(app: StoryApp, sign: Signer = token): Face {
  return {
    async step(who, { method, path, body }) {
      const headers: Record<string, string> = {
        authorization: `Bearer ${await sign(who.sub, who)}`,
      };
      if (body !== undefined) headers["content-type"] = "application/json";
      const res = await app.app.request(path, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      const json: unknown = text ? JSON.parse(text) : null;
      if (res.ok) return { ok: true, body: json };
      const detail = (json as { detail: string | { loc: unknown[] }[] }).detail;
      if (typeof detail === "string") return { ok: false, status: res.status, message: detail };
      // REST locates issues in the request ("body", "query", "path"); tRPC within the procedure's
      // input, which is all of those at once. The rest of each issue must be the same.
      const issues = detail.map((i) => ({ ...i, loc: i.loc.slice(1) }));
      return { ok: false, status: res.status, message: JSON.stringify(issues) };
    },
  };
}

export function trpcFace(app: StoryApp): Face {
  return {
    async step(who, _rest, trpc) {
      try {
        return { ok: true, body: (await trpc(app.client(who.sub, who))) ?? null };
      } catch (error) {
        const status = errorStatus(error) ?? 0;
        const data = (error as { data?: { issues?: unknown } }).data;
        const message = status === 422 ? JSON.stringify(data?.issues) : (error as Error).message;
        return { ok: false, status, message };
      }
    },
  };
}

const teamBody = {
  name: "Harbour Rowing",
  description: "Rowing club",
  url: "https://rowing.example/",
  image: "https://rowing.example/logo.png",
  privacy_statement: "https://rowing.example/privacy",
};

/** The story; returns every outcome with generated ids replaced by their order of appearance. */
export async function story(face: Face): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const record = (o: Outcome) => {
    outcomes.push(o);
    return o;
  };
  const coach: Who = { sub: "coach" };
  const assistant: Who = { sub: "assistant" };
  const outsider: Who = { sub: "outsider" };

  record(
    await face.step(assistant, { method: "GET", path: "/api/v1/teams/" }, (c) =>
      c.teams.list.query(),
    ),
  );
  const created = record(
    await face.step(coach, { method: "POST", path: "/api/v1/teams/", body: teamBody }, (c) =>
      c.manage.createTeam.mutate(teamBody),
    ),
  );
  const teamId = (created as { body: { id: string } }).body.id;
  record(
    await face.step(
      coach,
      {
        method: "PUT",
        path: `/api/v1/teams/${teamId}/members/assistant`,
        body: { role: "member" },
      },
      (c) => c.manage.putMember.mutate({ team_id: teamId, user_id: "assistant", role: "member" }),
    ),
  );
  const managed = record(
    await face.step(
      coach,
      { method: "POST", path: "/api/v1/users/", body: { first_name: "Mia", last_name: "Managed" } },
      (c) => c.manage.createManagedUser.mutate({ first_name: "Mia", last_name: "Managed" }),
    ),
  );
  const miaId = (managed as { body: { id: string } }).body.id;
  const mia: Who = { sub: miaId, azp: "coach" };
  const authorize = (scopes: string[], who: Who = mia) =>
    face.step(
      who,
      { method: "POST", path: `/api/v1/teams/${teamId}/authorize`, body: { scopes } },
      (c) => c.teams.authorize.mutate({ team_id: teamId, scopes: scopes as never }),
    );
  const teamUsers = (who: Who) =>
    face.step(who, { method: "GET", path: `/api/v1/teams/${teamId}/users` }, (c) =>
      c.teams.users.query({ team_id: teamId }),
    );
  const authorized = () =>
    face.step({ sub: miaId }, { method: "GET", path: "/api/v1/teams/authorized" }, (c) =>
      c.teams.authorized.query(),
    );
  const access = (who: Who, scope: string) =>
    face.step(who, { method: "GET", path: `/api/v1/access?user_id=${miaId}&scope=${scope}` }, (c) =>
      c.manage.canAccess.query({ user_id: miaId, scope: scope as never }),
    );

  record(await authorize(["data:read", "profile"]));
  record(await authorized());
  record(await teamUsers(assistant));
  record(await access(assistant, "data:read"));
  record(await access(assistant, "data:write"));
  record(await authorize(["data:write"]));
  record(await authorized());
  record(await access(assistant, "data:write"));
  // Refusals: each answers the same status and words on both faces, and changes nothing.
  record(await authorize([]));
  record(await authorize(["admin"]));
  record(await authorize(["data:read"], { sub: miaId }));
  record(await authorize(["data:read"], { sub: miaId, azp: "outsider" }));
  record(await teamUsers(outsider));
  record(
    await face.step(
      assistant,
      { method: "PATCH", path: `/api/v1/teams/${teamId}`, body: { name: "Mine" } },
      (c) => c.manage.updateTeam.mutate({ team_id: teamId, name: "Mine" }),
    ),
  );
  record(
    await face.step(
      coach,
      { method: "DELETE", path: `/api/v1/teams/${teamId}/members/coach` },
      (c) => c.manage.removeMember.mutate({ team_id: teamId, user_id: "coach" }),
    ),
  );
  record(await teamUsers(coach));
  record(
    await face.step(mia, { method: "DELETE", path: `/api/v1/teams/${teamId}/authorize` }, (c) =>
      c.teams.revoke.mutate({ team_id: teamId }),
    ),
  );
  record(await authorized());
  record(await access(assistant, "data:read"));
  record(
    await face.step(
      assistant,
      { method: "DELETE", path: `/api/v1/teams/${teamId}/members/assistant` },
      (c) => c.manage.removeMember.mutate({ team_id: teamId, user_id: "assistant" }),
    ),
  );
  record(
    await face.step(assistant, { method: "GET", path: "/api/v1/teams/" }, (c) =>
      c.teams.list.query(),
    ),
  );
  record(
    await face.step(coach, { method: "DELETE", path: `/api/v1/teams/${teamId}` }, (c) =>
      c.manage.deleteTeam.mutate({ team_id: teamId }),
    ),
  );
  record(
    await face.step(coach, { method: "GET", path: "/api/v1/teams/" }, (c) => c.teams.list.query()),
  );

  // Generated ids differ between runs; name them by order of appearance.
  return JSON.parse(
    JSON.stringify(outcomes)
      .replaceAll(teamId, "<team>")
      .replaceAll(miaId, "<mia>")
      // A user's registration instant differs between runs too.
      .replaceAll(/"registered_at":"[^"]*"/g, '"registered_at":"<instant>"'),
  );
}
