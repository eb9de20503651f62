import { createAuthenticator } from "@teams/auth";
import { createTeams, type Teams } from "@teams/core";
import { seedWorld } from "@teams/core/testing";
import { openSqliteStore } from "@teams/sqlite";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { answerQueriesDirectly } from "../src/trpc/direct-queries.js";
import { QUERY_PATHS } from "../src/trpc/query-paths.js";
import { appRouter } from "../src/trpc/router.js";
import { rootConfig } from "../src/trpc/trpc.js";
import { MAX_BATCH_SIZE } from "../src/trpc/trpc-routes.js";
import { bearer, type Harness, harness, SECRET } from "./harness.js";

// The server answers plain GET queries without tRPC's fetch adapter; whatever it answers must be
// what the adapter itself answers: status, JSON body and content type, errors included.

let h: Harness;
beforeEach(async () => {
  h = await harness();
  await h.teams.authorizeTeam(
    { userId: "ann", authorizedParty: "coach", scopes: ["data:read"] },
    "club",
    { scopes: ["data:read"] },
  );
});
afterEach(() => h.close());

/** The same request answered by tRPC's fetch adapter alone, over the same core. */
async function adapterAnswer(path: string, headers: Record<string, string>): Promise<Response> {
  const authenticator = await createAuthenticator({ jwtSecret: SECRET, externalAzp: "actor" });
  const req = new Request(`http://localhost${path}`, { headers });
  return fetchRequestHandler({
    endpoint: "/trpc",
    req,
    router: appRouter,
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: () => ({
      teams: h.teams,
      authenticator,
      headers: req.headers,
      refuseForgery: () => {},
      admitCaller: async () => {},
      delegatedTokenTtlSeconds: 900,
    }),
  });
}

const q = (input: unknown) => encodeURIComponent(JSON.stringify(input));

describe("GET queries answered without the fetch adapter", () => {
  it.each([
    ["one query", "/trpc/teams.authorized", "ann"],
    ["one query in a batch of one", `/trpc/teams.authorized?batch=1&input=${q({})}`, "ann"],
    [
      "a batch of three with inputs",
      `/trpc/teams.list,teams.users,teams.usersPage?batch=1&input=${q({ 1: { team_id: "club" }, 2: { team_id: "club", limit: 1 } })}`,
      "coach",
    ],
    [
      "a query with input",
      `/trpc/teams.users?input=${q({ team_id: "club", name: "ann" })}`,
      "coach",
    ],
    [
      "an access check",
      `/trpc/manage.canAccess?input=${q({ user_id: "ann", scope: "data:read" })}`,
      "assistant",
    ],
    ["a failing query", `/trpc/teams.users?input=${q({ team_id: "club" })}`, "carl"],
    [
      "a batch with one failing call",
      `/trpc/teams.list,teams.users?batch=1&input=${q({ 1: { team_id: "nope" } })}`,
      "coach",
    ],
    [
      "a batch whose calls all fail alike",
      `/trpc/teams.users,teams.user?batch=1&input=${q({ 0: { team_id: "nope" }, 1: { team_id: "nope", user_id: "ann" } })}`,
      "coach",
    ],
    [
      "a query refusing its input (422)",
      `/trpc/manage.canAccess?input=${q({ scope: "x" })}`,
      "ann",
    ],
    ["no credentials", "/trpc/teams.authorized", ""],
    ["bad input JSON", "/trpc/teams.authorized?input=%7Bnope", "ann"],
    ["a batch input that is a list", `/trpc/teams.list?batch=1&input=${q([{}])}`, "ann"],
    ["an unknown procedure", "/trpc/teams.nothing", "ann"],
    ["a mutation over GET", "/trpc/teams.revoke?input=%7B%7D", "ann"],
    ["a batch that is too large", `/trpc/${Array(17).fill("teams.list").join(",")}?batch=1`, "ann"],
  ])("%s", async (_name, path, sub) => {
    const headers: Record<string, string> = sub ? await bearer({ sub }) : {};
    const direct = await h.request(path, { headers });
    const adapter = await adapterAnswer(path, headers);
    expect(direct.status).toBe(adapter.status);
    expect(direct.headers.get("content-type")).toBe(adapter.headers.get("content-type"));
    expect(await direct.json()).toEqual(await adapter.json());
  });

  it("answers plain query calls itself, errors included, and hands the others on", async () => {
    const authenticator = await createAuthenticator({ jwtSecret: SECRET, externalAzp: "actor" });
    const direct = async (path: string, sub: string) => {
      const headers = new Headers(await bearer({ sub }));
      const [pathname = "", query = ""] = path.slice("/trpc/".length).split("?");
      return answerQueriesDirectly({
        router: appRouter,
        config: rootConfig,
        queryPaths: QUERY_PATHS,
        path: pathname,
        query,
        accept: null,
        maxBatchSize: MAX_BATCH_SIZE,
        createContext: () => ({
          teams: h.teams,
          authenticator,
          headers,
          refuseForgery() {},
          admitCaller: async () => {},
        }),
        onError() {},
        errorHeaders: () => ({}),
      });
    };
    const answered = await direct(
      `/trpc/teams.list,teams.users?batch=1&input=${q({ 1: { team_id: "club" } })}`,
      "coach",
    );
    expect(answered?.status).toBe(200);
    expect(JSON.parse(answered?.body ?? "null")).toMatchObject([
      { result: { data: [{ id: "club", role: "owner" }] } },
      { result: { data: [{ id: "ann" }] } },
    ]);
    expect(await direct("/trpc/teams.authorized", "ann")).toBeDefined();
    const refused = await direct(`/trpc/teams.users?input=${q({ team_id: "club" })}`, "carl");
    expect(refused?.status).toBe(404);
    expect(await direct("/trpc/teams.revoke?input=%7B%7D", "ann")).toBeUndefined();
    expect(await direct("/trpc/teams.nothing", "ann")).toBeUndefined();
    expect(await direct("/trpc/teams.list,teams.nothing?batch=1", "ann")).toBeUndefined();
  });

  it("leaves streamed batches to the adapter", async () => {
    const headers = { ...(await bearer({ sub: "ann" })), "trpc-accept": "application/jsonl" };
    const path = `/trpc/teams.authorized?batch=1&input=${q({})}`;
    const direct = await h.request(path, { headers });
    expect(direct.status).toBe(200);
    expect(await direct.text()).toBe(await (await adapterAnswer(path, headers)).text());
  });
});

describe("a batch with a failing call", () => {
  /** An app whose core counts the calls of `listTeams`, the other call of the batch. */
  async function countingApp() {
    const store = await openSqliteStore({ filename: ":memory:" });
    const core = createTeams(store);
    await seedWorld(core);
    let listTeamsCalls = 0;
    const teams: Teams = {
      ...core,
      listTeams: (...args) => {
        listTeamsCalls += 1;
        return core.listTeams(...args);
      },
    };
    const app = createApp({
      teams,
      authenticator: await createAuthenticator({ jwtSecret: SECRET, externalAzp: "actor" }),
      ping: store.ping,
    });
    return { app, calls: () => listTeamsCalls, close: () => store.close() };
  }

  it.each([
    ["a 404", { 1: { team_id: "nope" } }, 207],
    ["a 422", { 1: {} }, 207],
  ])("runs the other calls once when one fails with %s", async (_name, input, status) => {
    const { app, calls, close } = await countingApp();
    try {
      const res = await app.request(`/trpc/teams.list,teams.users?batch=1&input=${q(input)}`, {
        headers: await bearer({ sub: "coach" }),
      });
      expect(res.status).toBe(status);
      const body = (await res.json()) as { result?: { data: unknown }; error?: unknown }[];
      expect(body[0]?.result?.data).toMatchObject([{ id: "club" }]);
      expect(body[1]?.error).toBeDefined();
      expect(calls()).toBe(1);
    } finally {
      await close();
    }
  });
});
