import { isDeepStrictEqual } from "node:util";
import { runOp } from "./core-ops.js";
import {
  type Answer,
  type InProcessApp,
  rest,
  type Send,
  tokenFor,
  trpc,
  trpcAsRest,
} from "./http.js";
import {
  ALL_SCOPES,
  apply,
  canAccess,
  describeOp,
  emptyState,
  ensureUser,
  getTeam,
  listAuthorized,
  listTeams,
  type ModelState,
  modelRows,
  selfAndManaged,
  teamMembers,
  teamUser,
  teamUsers,
  type View,
} from "./model.js";
import { storeRows, type TestStore } from "./stores.js";
import { TEAM_IDS, userIds, type WorldSpec, worldOps } from "./world.js";

// The oracle: build a generated world through the core, compute in plain TypeScript what every
// caller must see, and ask every read endpoint, over REST and over tRPC, for every (caller, team).

/** Name filters tried on `GET /teams/{id}/users`: case twins, LIKE wildcards, non-ASCII, nothing. */
const NEEDLES = [
  "",
  "a",
  "AN",
  "%",
  "_",
  "\\",
  "\u00e9",
  "MILE",
  "\u{1f600}",
  "zz",
  " ",
  "b%_",
  "SS",
];

export interface OracleCounts {
  worlds: number;
  writes: number;
  reads: number;
}

const enc = encodeURIComponent;

/** Builds `spec` in `app`'s store through the core, checking every write's answer against the model. */
export async function buildWorld(
  app: InProcessApp,
  store: TestStore,
  spec: WorldSpec,
): Promise<{ model: ModelState; writes: number }> {
  const model = emptyState();
  const ops = worldOps(spec);
  for (const op of ops) {
    const expected = apply(model, op);
    const observed = await runOp(app.teams, op);
    if (!isDeepStrictEqual(observed, expected)) {
      throw new Error(
        `${describeOp(op)}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(observed)}`,
      );
    }
  }
  const rows = await storeRows(store.db);
  if (!isDeepStrictEqual(rows, modelRows(model))) {
    throw new Error(
      `store differs from model after building:\n${JSON.stringify(rows)}\n${JSON.stringify(modelRows(model))}`,
    );
  }
  return { model, writes: ops.length };
}

/** Compares one read over both mounts with the model's view; answers the mismatches found. */
function judge(label: string, view: View, viaRest: Answer, viaTrpc: Answer): string[] {
  const want =
    view.status === 200
      ? { status: 200, body: view.body }
      : { status: view.status, body: { detail: view.detail } };
  const problems: string[] = [];
  const got = { status: viaRest.status, body: viaRest.json };
  if (!isDeepStrictEqual(got, want)) {
    problems.push(`REST ${label}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
  const t = trpcAsRest(viaTrpc);
  if (!isDeepStrictEqual(t, want)) {
    problems.push(`tRPC ${label}: want ${JSON.stringify(want)}, got ${JSON.stringify(t)}`);
  }
  return problems;
}

/**
 * Every read endpoint for one caller, compared with the model: both lists, the caller's users, and
 * for every team id of the pool (existing, deleted, never created) the users, a name-filtered list,
 * the team, its members and single users; then the access check against every user of the world.
 */
async function checkCaller(
  app: InProcessApp,
  model: ModelState,
  caller: string,
  users: string[],
  salt: number,
  issuedAfterBuild: number,
): Promise<{ problems: string[]; reads: number }> {
  // Issued after the world was built: a user deleted in it is re-created by a newer token only
  // (one of its deletion's second, or cached from an earlier world, is refused).
  const token = await tokenFor({ sub: caller, iat: issuedAfterBuild });
  const { send } = app;
  const problems: string[] = [];
  let reads = 0;
  const both = async (
    label: string,
    view: () => View,
    path: string,
    procedure: string,
    input: unknown,
  ) => {
    const [r, t] = [
      await rest(send, "GET", path, token),
      await trpc(send, "query", procedure, input, token),
    ];
    reads += 2;
    problems.push(...judge(`${caller} ${label}`, view(), r, t));
  };

  await both("teams", () => listTeams(model, caller), "/api/v1/teams/", "teams.list", undefined);
  await both(
    "authorized",
    () => listAuthorized(model, caller),
    "/api/v1/teams/authorized",
    "teams.authorized",
    undefined,
  );
  await both(
    "users",
    () => selfAndManaged(model, caller),
    "/api/v1/users/",
    "manage.users",
    undefined,
  );
  for (const [i, team] of TEAM_IDS.entries()) {
    const base = `/api/v1/teams/${enc(team)}`;
    await both(
      `${team}/users`,
      () => teamUsers(model, caller, team),
      `${base}/users`,
      "teams.users",
      { team_id: team },
    );
    const needle = NEEDLES[(salt + i) % NEEDLES.length] ?? "";
    await both(
      `${team}/users?name=${needle}`,
      () => teamUsers(model, caller, team, needle),
      `${base}/users?name=${enc(needle)}`,
      "teams.users",
      { team_id: team, name: needle },
    );
    await both(`${team}`, () => getTeam(model, caller, team), base, "manage.getTeam", {
      team_id: team,
    });
    await both(
      `${team}/members`,
      () => teamMembers(model, caller, team),
      `${base}/members`,
      "manage.members",
      { team_id: team },
    );
    // A member is asked about everyone (and someone unknown); a non-member once, for its 404.
    const member = model.members.has(`${team}\u0000${caller}`);
    // Paged (opt-in `limit`), the list read page by page is the whole list, on both mounts.
    const size = 1 + ((salt + i) % 3);
    const pagedNeedle = i % 2 === 0 ? undefined : needle;
    const pageQuery = `limit=${size}${pagedNeedle === undefined ? "" : `&name=${enc(pagedNeedle)}`}`;
    const pagedView = teamUsers(model, caller, team, pagedNeedle);
    const [viaRest, viaTrpc] = [
      await pagesOverRest(send, `${base}/users?${pageQuery}`, token, pagedView),
      await pagesOverTrpc(
        send,
        "teams.usersPage",
        { team_id: team, limit: size, ...(pagedNeedle === undefined ? {} : { name: pagedNeedle }) },
        token,
        pagedView,
      ),
    ];
    reads += viaRest.requests + viaTrpc.requests;
    problems.push(
      ...judge(
        `${caller} ${team}/users paged by ${size}`,
        pagedView,
        viaRest.answer,
        viaTrpc.answer,
      ),
    );
    for (const user of member ? [...users, "nobody"] : users.slice(0, 1)) {
      await both(
        `${team}/users/${user}`,
        () => teamUser(model, caller, team, user),
        `${base}/users/${enc(user)}`,
        "teams.user",
        { team_id: team, user_id: user },
      );
    }
  }
  {
    const size = 1 + (salt % 2);
    const view = listAuthorized(model, caller);
    const viaRest = await pagesOverRest(
      send,
      `/api/v1/teams/authorized?limit=${size}`,
      token,
      view,
    );
    const viaTrpc = await pagesOverTrpc(send, "teams.authorizedPage", { limit: size }, token, view);
    reads += viaRest.requests + viaTrpc.requests;
    problems.push(
      ...judge(`${caller} authorized paged by ${size}`, view, viaRest.answer, viaTrpc.answer),
    );
  }
  for (const [j, user] of [...users, "nobody"].entries()) {
    const scope = ALL_SCOPES[(salt + j) % ALL_SCOPES.length] ?? "data:read";
    const allowed = canAccess(model, caller, user, scope);
    await both(
      `access ${user} ${scope}`,
      () => ({ status: 200, body: { user_id: user, scope, allowed } }),
      `/api/v1/access?user_id=${enc(user)}&scope=${enc(scope)}`,
      "manage.canAccess",
      { user_id: user, scope },
    );
  }
  return { problems, reads };
}

/** A page's answer as one list answer: the pages' items joined, or the first refusal as it came. */
interface Paged {
  answer: Answer;
  requests: number;
}

/** Bounds the walk: a cursor that never ends (or loops) stops after one page more than the model's list. */
const pageBound = (view: View) => (view.status === 200 ? (view.body as unknown[]).length + 2 : 2);

/** Follows `X-Next-Cursor` from `first` until the last page; joins the items as one JSON array. */
async function pagesOverRest(send: Send, first: string, token: string, view: View): Promise<Paged> {
  const items: unknown[] = [];
  let url = first;
  for (let n = 1; ; n++) {
    const answer = await rest(send, "GET", url, token);
    if (answer.status !== 200 || !Array.isArray(answer.json)) return { answer, requests: n };
    items.push(...answer.json);
    const next = answer.headers.get("x-next-cursor");
    if (next === null || n >= pageBound(view)) {
      return { answer: { ...answer, json: items, text: JSON.stringify(items) }, requests: n };
    }
    url = `${first}&cursor=${enc(next)}`;
  }
}

/** The same over tRPC's `*Page` procedures: `{ items, next_cursor }` until `next_cursor` is null. */
async function pagesOverTrpc(
  send: Send,
  procedure: string,
  input: Record<string, unknown>,
  token: string,
  view: View,
): Promise<Paged> {
  const items: unknown[] = [];
  let cursor: string | undefined;
  for (let n = 1; ; n++) {
    const answer = await trpc(
      send,
      "query",
      procedure,
      cursor === undefined ? input : { ...input, cursor },
      token,
    );
    const page = (
      answer.json as { result?: { data?: { items: unknown[]; next_cursor: string | null } } }
    )?.result?.data;
    if (!page) return { answer, requests: n };
    items.push(...page.items);
    if (page.next_cursor === null || n >= pageBound(view)) {
      return { answer: { ...answer, json: { result: { data: items } } }, requests: n };
    }
    cursor = page.next_cursor;
  }
}

/**
 * One world end to end: built, then read by every caller (its users, deleted ones included, and an
 * outsider), sequentially on SQLite and concurrently on PostgreSQL. Throws with the mismatches.
 */
export async function checkWorld(
  app: InProcessApp,
  store: TestStore,
  spec: WorldSpec,
  counts: OracleCounts,
): Promise<void> {
  const { model, writes } = await buildWorld(app, store, spec);
  const users = userIds(spec);
  const callers = [...users, "outsider"];
  // Every request first records its caller (a user first seen in a valid token is created): the
  // model does the same before computing what the caller must see.
  for (const caller of callers) ensureUser(model, caller);
  const issuedAfterBuild = Math.floor(Date.now() / 1000) + 1;
  const run = (caller: string, i: number) =>
    checkCaller(app, model, caller, users, i, issuedAfterBuild);
  const results =
    store.kind.family === "postgres"
      ? await Promise.all(callers.map(run))
      : await callers.reduce<Promise<{ problems: string[]; reads: number }[]>>(
          async (acc, caller, i) => [...(await acc), await run(caller, i)],
          Promise.resolve([]),
        );
  const problems = results.flatMap((r) => r.problems);
  counts.worlds += 1;
  counts.writes += writes;
  counts.reads += results.reduce((n, r) => n + r.reads, 0);
  if (app.bugs.length > 0) problems.push(`the app reported 500s: ${String(app.bugs[0])}`);
  if (problems.length > 0) {
    throw new Error(
      `${problems.length} mismatches, first ones:\n${problems.slice(0, 8).join("\n")}`,
    );
  }
}
