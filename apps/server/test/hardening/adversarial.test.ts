import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAuthenticator } from "@teams/auth";
import { createTeams, isPlausibleId, messages } from "@teams/core";
import { teamBody } from "@teams/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { SECRET } from "../harness.js";
import { memoryLogger } from "../support/memory-logger.js";
import {
  callOf,
  type Diff,
  type Expectation,
  newRowCounts,
  type Row,
  type RowRequest,
  runRow,
} from "./support/catalogue.js";
import {
  type Caller,
  DEFAULT_TEAM,
  DEFAULT_USER,
  ENDPOINTS,
  type Endpoint,
} from "./support/endpoints.js";
import { forgedTokens } from "./support/forged-tokens.js";
import { auth, tokenFor } from "./support/http.js";
import { httpBytes } from "./support/raw-http.js";
import { openMemoryStore, postgresSkipReason, reportSkip } from "./support/stores.js";
import { castTokens, type OpenTarget, postgresTarget, processTarget } from "./support/targets.js";

// Item 3 of the hardening issue: the adversarial catalogue. Table-driven rows over every endpoint
// and both mounts (REST and tRPC): forged and malformed tokens, credential confusion, delegation
// abuse, hostile bodies and ids, tRPC batches, methods not allowed, raw protocol abuse. Each row
// asserts the status and the body's shape, that no credential comes back, that the store did not
// change (or changed exactly as the row says), and that the server still serves.

const skipPostgres = reportSkip("adversarial", await postgresSkipReason());

// A key server the forged tokens point at (jku, x5u): nothing may ever fetch from it.
let lureHits = 0;
const lure = createServer((_, res) => {
  lureHits += 1;
  res.end("{}");
});
await new Promise<void>((resolve) => lure.listen(0, "127.0.0.1", resolve));
const lureUrl = `http://127.0.0.1:${(lure.address() as AddressInfo).port}`;

const tokens = await castTokens();
const forged = await forgedTokens({ url: lureUrl });
const callerToken = (c: Caller) => tokens[c];
const J = { "content-type": "application/json" };

// ---- expectations ---------------------------------------------------------------------------------

const restDetail = (
  status: number,
  detail: string,
  headers?: Record<string, string>,
): Expectation => ({
  status,
  shape: "detail",
  detail,
  ...(headers ? { headers } : {}),
});
const trpcError = (status: number, code: string, detail?: string): Expectation => ({
  status,
  shape: "trpc-error",
  trpcCode: code,
  ...(detail !== undefined ? { detail } : {}),
});
const TRPC_CODES: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_SUPPORTED",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "UNPROCESSABLE_CONTENT",
};
/** The same refusal as each mount words it. */
const refusal = (mount: "rest" | "trpc", status: number, detail?: string): Expectation => {
  if (mount === "trpc") return trpcError(status, TRPC_CODES[status] ?? "", detail);
  if (status === 422) return { status, shape: "validation" };
  return status === 401
    ? restDetail(401, detail ?? "", { "www-authenticate": "Bearer" })
    : restDetail(status, detail ?? "");
};
const couldNotValidate = (mount: "rest" | "trpc") =>
  refusal(mount, 401, "Could not validate credentials");
const notAuthenticated = (mount: "rest" | "trpc") => refusal(mount, 401, "Not authenticated");
const success = (mount: "rest" | "trpc", status = 200): Expectation =>
  mount === "rest" ? { status, shape: "json" } : { status: 200, shape: "trpc-result" };

/** A row's answer data, whichever the mount. */
// biome-ignore lint/suspicious/noExplicitAny: answer bodies are checked by the rows that read them
const data = (json: any) => (json && "result" in json ? json.result.data : json);

// ---- expected changes -----------------------------------------------------------------------------

const rowOf = (line: string) => Object.fromEntries(JSON.parse(line) as [string, unknown][]);
const quiet = (d: Diff, ...except: (keyof Diff)[]) => {
  for (const [table, change] of Object.entries(d)) {
    if (except.includes(table as keyof Diff)) continue;
    expect(change, `${table} must not change`).toEqual({ added: [], removed: [] });
  }
};
/** Exactly one authorization written (new or replaced): `team`/`user` now holds `scopes`. */
const grantSetTo = (team: string, user: string, scopes: string) => (d: Diff) => {
  quiet(d, "authorizations");
  const added = d.authorizations.added.map(rowOf);
  expect(added.map((a) => [a.team_id, a.user_id, a.scopes])).toEqual([[team, user, scopes]]);
  expect(
    d.authorizations.removed.map(rowOf).every((a) => a.team_id === team && a.user_id === user),
  ).toBe(true);
};
/** One user added (the caller's row, first seen in its token), nothing else. */
const userRecorded = (id: string) => (d: Diff) => {
  quiet(d, "users");
  expect(d.users.added.map((u) => rowOf(u).id)).toEqual([id]);
  expect(d.users.removed).toEqual([]);
};

// ---- the rows -------------------------------------------------------------------------------------

const req = (
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): RowRequest => ({
  method,
  path,
  headers: body === undefined ? headers : { ...J, ...headers },
  ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
});
const trpcQuery = (procedure: string, input: unknown, headers: Record<string, string>) =>
  req("GET", `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, headers);

/** Forged tokens: every endpoint on both mounts through Authorization, plus the other two places. */
function forgedRows(token: string): Row[] {
  const rows: Row[] = [];
  for (const endpoint of ENDPOINTS) {
    for (const mount of ["rest", "trpc"] as const) {
      rows.push({
        group: "forged token",
        name: `${endpoint.name}`,
        mount,
        request: callOf(mount, endpoint, DEFAULT_TEAM, DEFAULT_USER, auth(token)),
        expect: couldNotValidate(mount),
        secrets: [token],
      });
    }
  }
  for (const [where, headers] of [
    ["refreshed-token", { "refreshed-token": token }],
    ["cookie", { cookie: `token=${token}` }],
  ] as const) {
    rows.push(
      {
        group: "forged token",
        name: `list teams via ${where}`,
        mount: "rest",
        request: req("GET", "/api/v1/teams/", headers),
        expect: couldNotValidate("rest"),
        secrets: [token],
      },
      {
        group: "forged token",
        name: `teams.list via ${where}`,
        mount: "trpc",
        request: req("GET", "/trpc/teams.list", headers),
        expect: couldNotValidate("trpc"),
        secrets: [token],
      },
    );
  }
  return rows;
}

const basic = Buffer.from("coach:hunter2-password").toString("base64");
const confusionRows = (): Row[] => {
  const t = tokens.coach;
  const rows: [string, Record<string, string>, "valid" | "invalid" | "absent"][] = [
    ["Basic credentials", { authorization: `Basic ${basic}` }, "invalid"],
    [
      "Basic, with a valid token cookie (no fallback)",
      { authorization: `Basic ${basic}`, cookie: `token=${t}` },
      "invalid",
    ],
    [
      "an invalid bearer, with a valid refreshed-token (no fallback)",
      { authorization: "Bearer nope", "refreshed-token": t },
      "invalid",
    ],
    [
      "an invalid refreshed-token, with a valid cookie (no fallback)",
      { "refreshed-token": "nope", cookie: `token=${t}` },
      "invalid",
    ],
    ["refreshed-token carrying a Bearer prefix", { "refreshed-token": `Bearer ${t}` }, "invalid"],
    ["Bearer without a token", { authorization: "Bearer" }, "invalid"],
    ["Bearer with the token and another word", { authorization: `Bearer ${t} extra` }, "invalid"],
    ["another scheme (Token)", { authorization: `Token ${t}` }, "invalid"],
    ["Digest scheme", { authorization: `Digest username="coach", response="${t}"` }, "invalid"],
    ["two token cookies, the invalid one first", { cookie: `token=nope; token=${t}` }, "invalid"],
    ["the token in Proxy-Authorization only", { "proxy-authorization": `Bearer ${t}` }, "absent"],
    [
      "identity headers a proxy might add (X-User, X-Forwarded-User)",
      { "x-user": "coach", "x-forwarded-user": "coach", "x-remote-user": "coach" },
      "absent",
    ],
    ["a cookie of another name holding the token", { cookie: `session=${t}; jwt=${t}` }, "absent"],
    // An empty header is present and unusable (issue 12.5): it never lets the cookie through.
    [
      "an empty Authorization header, with a valid cookie (no fallback)",
      { authorization: "", cookie: `token=${t}` },
      "invalid",
    ],
    [
      "an empty refreshed-token header, with a valid cookie (no fallback)",
      { "refreshed-token": "", cookie: `token=${t}` },
      "invalid",
    ],
    ["the scheme in lower case", { authorization: `bearer ${t}` }, "valid"],
  ];
  const out: Row[] = [];
  for (const [name, headers, verdict] of rows) {
    for (const mount of ["rest", "trpc"] as const) {
      out.push({
        group: "credential confusion",
        name,
        mount,
        request:
          mount === "rest"
            ? req("GET", "/api/v1/teams/", headers)
            : req("GET", "/trpc/teams.list", headers),
        expect:
          verdict === "valid"
            ? {
                ...success(mount),
                check: (j) => expect(data(j).map((x: { id: string }) => x.id)).toEqual(["club"]),
              }
            : verdict === "invalid"
              ? couldNotValidate(mount)
              : notAuthenticated(mount),
        secrets: [t, basic, "hunter2-password"],
      });
    }
  }
  for (const mount of ["rest", "trpc"] as const) {
    out.push({
      group: "credential confusion",
      name: "the token in the query string is not read",
      mount,
      request:
        mount === "rest"
          ? req("GET", `/api/v1/teams/?token=${t}&access_token=${t}`)
          : req("GET", `/trpc/teams.list?token=${t}&access_token=${t}`),
      expect: notAuthenticated(mount),
      secrets: [t],
    });
    // authorize and revoke read the delegated token from Authorization only (DESIGN §2).
    for (const [verb, method] of [
      ["authorize", "POST"],
      ["revoke", "DELETE"],
    ] as const) {
      const headers = { "refreshed-token": tokens.annByCoach };
      out.push({
        group: "credential confusion",
        name: `a delegated token in refreshed-token on ${verb}`,
        mount,
        request:
          mount === "rest"
            ? req(
                method,
                "/api/v1/teams/club/authorize",
                headers,
                method === "POST" ? { scopes: ["profile"] } : undefined,
              )
            : req("POST", `/trpc/teams.${verb}`, headers, { team_id: "club", scopes: ["profile"] }),
        expect: notAuthenticated(mount),
        secrets: [tokens.annByCoach],
      });
    }
  }
  return out;
};

/** Delegation abuse on authorize and revoke, both mounts. */
const delegationRows = async (): Promise<Row[]> => {
  const cases: [
    string,
    string,
    "POST" | "DELETE" | "both",
    number,
    string,
    ((d: Diff) => void)?,
  ][] = [
    [
      "a wrong manager (rival for ann)",
      await tokenFor({ sub: "ann", azp: "rival" }),
      "both",
      401,
      messages.couldNotValidate,
    ],
    [
      "self-delegation (azp = sub)",
      await tokenFor({ sub: "ann", azp: "ann" }),
      "both",
      403,
      messages.delegatedTokenRequired,
    ],
    [
      "a regular user as sub (carl by coach)",
      await tokenFor({ sub: "carl", azp: "coach" }),
      "both",
      401,
      messages.couldNotValidate,
    ],
    [
      "no azp (the managed user's own token)",
      await tokenFor({ sub: "ann" }),
      "both",
      403,
      messages.delegatedTokenRequired,
    ],
    ["the manager's own token", tokens.coach, "both", 403, messages.delegatedTokenRequired],
    [
      "another managed user as azp (ben for ann)",
      await tokenFor({ sub: "ann", azp: "ben" }),
      "both",
      401,
      messages.couldNotValidate,
    ],
    [
      "a token lacking a scope it grants",
      await tokenFor({ sub: "ann", azp: "coach", scope: "data:read" }),
      "POST",
      403,
      messages.scopesNotHeld(["data:write"]),
    ],
    [
      "a token with no scope at all",
      await tokenFor({ sub: "ann", azp: "coach", scope: "" }),
      "POST",
      403,
      messages.scopesNotHeld(["data:read", "data:write"]),
    ],
    [
      "a user the platform never created (ghost by coach)",
      await tokenFor({ sub: "ghost", azp: "coach" }),
      "POST",
      401,
      messages.couldNotValidate,
    ],
  ];
  const out: Row[] = [];
  for (const [name, token, verbs, status, detail, change] of cases) {
    for (const method of verbs === "both" ? (["POST", "DELETE"] as const) : ([verbs] as const)) {
      for (const mount of ["rest", "trpc"] as const) {
        const body = { scopes: ["data:read", "data:write"] };
        out.push({
          group: "delegation abuse",
          name: `${method === "POST" ? "authorize" : "revoke"}: ${name}`,
          mount,
          request:
            mount === "rest"
              ? req(
                  method,
                  "/api/v1/teams/club/authorize",
                  auth(token),
                  method === "POST" ? body : undefined,
                )
              : req(
                  "POST",
                  `/trpc/teams.${method === "POST" ? "authorize" : "revoke"}`,
                  auth(token),
                  { team_id: "club", ...body },
                ),
          expect: refusal(mount, status, detail),
          ...(change && mount === "rest" ? { change } : {}),
          secrets: [token],
        });
      }
    }
  }
  for (const mount of ["rest", "trpc"] as const) {
    out.push(
      {
        group: "delegation abuse",
        name: "revoke where the managed user granted nothing",
        mount,
        request:
          mount === "rest"
            ? req("DELETE", "/api/v1/teams/other/authorize", auth(tokens.annByCoach))
            : req("POST", "/trpc/teams.revoke", auth(tokens.annByCoach), { team_id: "other" }),
        expect: refusal(mount, 404, messages.authorizationNotFound),
      },
      {
        group: "delegation abuse",
        name: "a delegated token creating managed users",
        mount,
        request:
          mount === "rest"
            ? req("POST", "/api/v1/users/", auth(tokens.annByCoach), { first_name: "Eve" })
            : req("POST", "/trpc/manage.createManagedUser", auth(tokens.annByCoach), {
                first_name: "Eve",
              }),
        expect: refusal(mount, 403, messages.delegatedTokenNotHere),
      },
      {
        group: "delegation abuse",
        name: "granting admin with a token that holds it (not grantable: 422 before 403)",
        mount,
        request:
          mount === "rest"
            ? req(
                "POST",
                "/api/v1/teams/club/authorize",
                auth(await tokenFor({ sub: "ann", azp: "coach", scope: "admin data:read" })),
                { scopes: ["admin"] },
              )
            : req(
                "POST",
                "/trpc/teams.authorize",
                auth(await tokenFor({ sub: "ann", azp: "coach", scope: "admin data:read" })),
                { team_id: "club", scopes: ["admin"] },
              ),
        expect: refusal(mount, 422),
      },
    );
  }
  return out;
};

/** Hostile bodies. `rest` and `trpc` give the request per mount (null: not meaningful there). */
interface BodyCase {
  name: string;
  rest: RowRequest | null;
  trpc: RowRequest | null;
  expect: (mount: "rest" | "trpc") => Expectation;
  change?: (d: Diff) => void;
  bug?: string;
}

const bodyCases = (): BodyCase[] => {
  const ann = auth(tokens.annByCoach);
  const coach = auth(tokens.coach);
  const admin = auth(tokens.admin);
  const authorize = (
    body: string | undefined,
    headers: Record<string, string> = J,
  ): RowRequest => ({
    method: "POST",
    path: "/api/v1/teams/club/authorize",
    headers: { ...ann, ...headers },
    ...(body === undefined ? {} : { body }),
  });
  const tAuthorize = (body: string, headers: Record<string, string> = J): RowRequest => ({
    method: "POST",
    path: "/trpc/teams.authorize",
    headers: { ...ann, ...headers },
    body,
  });
  const both = (
    name: string,
    value: unknown,
    expect: BodyCase["expect"],
    change?: BodyCase["change"],
    bug?: string,
  ): BodyCase => {
    const text = JSON.stringify(value);
    const trpcValue =
      value !== null && typeof value === "object" && !Array.isArray(value)
        ? { team_id: "club", ...value }
        : value;
    return {
      name,
      rest: authorize(text),
      trpc: tAuthorize(JSON.stringify(trpcValue)),
      expect,
      ...(change ? { change } : {}),
      ...(bug ? { bug } : {}),
    };
  };
  const invalid = (m: "rest" | "trpc") => refusal(m, 422);
  const deep = (n: number) => `{"team_id":"club","scopes":${"[".repeat(n)}${"]".repeat(n)}}`;
  const cases: BodyCase[] = [
    { name: "no body", rest: authorize(undefined), trpc: tAuthorize(""), expect: invalid },
    both("an empty object", {}, invalid),
    both("null", null, invalid),
    both("an array", ["data:read"], invalid),
    both("a string", "data:read", invalid),
    both("a number", 7, invalid),
    both("a boolean", true, invalid),
    both("scopes a string", { scopes: "data:read" }, invalid),
    both("scopes empty", { scopes: [] }, invalid),
    both("scopes null", { scopes: null }, invalid),
    both("an unknown scope", { scopes: ["data:delete"] }, invalid),
    both("a scope in capitals", { scopes: ["DATA:READ"] }, invalid),
    both("a scope with a trailing space", { scopes: ["data:read "] }, invalid),
    both("a scope with a NUL", { scopes: ["data:read\u0000"] }, invalid),
    both("openid (not grantable)", { scopes: ["openid"] }, invalid),
    both("offline_access (not grantable)", { scopes: ["offline_access"] }, invalid),
    both("admin (not grantable)", { scopes: ["data:read", "admin"] }, invalid),
    both("a number as scope", { scopes: [1] }, invalid),
    both("null as scope", { scopes: [null] }, invalid),
    both("a list as scope", { scopes: [["data:read"]] }, invalid),
    both("an object as scope", { scopes: [{ scope: "data:read" }] }, invalid),
    both(
      "1000 unknown scopes (one issue each, nothing stored)",
      { scopes: Array(1000).fill("nope") },
      (m) => ({
        ...invalid(m),
        check: (j) =>
          expect(m === "rest" ? j.detail.length : j.error.data.issues.length).toBe(1000),
      }),
    ),
    both(
      "duplicates are merged",
      { scopes: ["profile", "data:read", "profile", "data:read"] },
      (m) => ({
        ...success(m),
        check: (j) => expect(data(j).scopes).toEqual(["data:read", "profile"]),
      }),
      grantSetTo("club", "ann", "data:read profile"),
    ),
    both(
      "extra fields aiming at another user and team are ignored",
      { scopes: ["profile"], user_id: "ben", manager_id: "rival", sub: "ben" },
      (m) => ({
        ...success(m),
        check: (j) =>
          expect(data(j)).toEqual({ team_id: "club", user_id: "ann", scopes: ["profile"] }),
      }),
      grantSetTo("club", "ann", "profile"),
    ),
    {
      name: "team_id in the REST body does not move the grant to that team",
      rest: authorize(JSON.stringify({ scopes: ["data:read"], team_id: "other" })),
      trpc: null,
      expect: (m) => ({ ...success(m), check: (j) => expect(data(j).team_id).toBe("club") }),
      change: grantSetTo("club", "ann", "data:read"),
    },
    {
      name: "__proto__ beside real scopes changes nothing but the scopes",
      rest: authorize('{"__proto__":{"scopes":["admin"],"user_id":"ben"},"scopes":["data:write"]}'),
      trpc: tAuthorize(
        '{"__proto__":{"team_id":"other","scopes":["admin"]},"team_id":"club","scopes":["data:write"]}',
      ),
      expect: (m) => ({
        ...success(m),
        check: (j) =>
          expect(data(j)).toEqual({ team_id: "club", user_id: "ann", scopes: ["data:write"] }),
      }),
      change: grantSetTo("club", "ann", "data:write"),
    },
    {
      name: "scopes only under __proto__ are not read",
      rest: authorize('{"__proto__":{"scopes":["data:read"]}}'),
      trpc: tAuthorize('{"__proto__":{"team_id":"club","scopes":["data:read"]}}'),
      expect: invalid,
    },
    {
      name: "scopes only under constructor.prototype are not read",
      rest: authorize('{"constructor":{"prototype":{"scopes":["data:read"]}}}'),
      trpc: tAuthorize('{"team_id":"club","constructor":{"prototype":{"scopes":["data:read"]}}}'),
      expect: invalid,
    },
    {
      name: "duplicate keys: the last one wins, as in Python's json",
      rest: authorize('{"scopes":["admin"],"scopes":["profile"]}'),
      trpc: tAuthorize('{"team_id":"club","scopes":["admin"],"scopes":["profile"]}'),
      expect: (m) => ({ ...success(m), check: (j) => expect(data(j).scopes).toEqual(["profile"]) }),
      change: grantSetTo("club", "ann", "profile"),
    },
    {
      name: "a body over the limit (70 KB)",
      rest: authorize(JSON.stringify({ scopes: ["data:read"], pad: "x".repeat(70_000) })),
      trpc: tAuthorize(
        JSON.stringify({ team_id: "club", scopes: ["data:read"], pad: "x".repeat(70_000) }),
      ),
      expect: () => restDetail(413, "Request body is too large"),
    },
    {
      name: "nesting 33 deep",
      rest: authorize(deep(33)),
      trpc: tAuthorize(deep(33)),
      expect: invalid,
    },
    {
      name: "nesting 20000 deep (REST)",
      rest: authorize(deep(20_000)),
      trpc: null,
      expect: (m) => ({
        ...invalid(m),
        check: (j) => expect(j.detail[0].type).toBe("json_invalid"),
      }),
    },
    {
      name: "nesting 20000 deep (tRPC)",
      rest: null,
      trpc: tAuthorize(deep(20_000)),
      expect: () => ({ status: 422, shape: "trpc-error", trpcCode: "UNPROCESSABLE_CONTENT" }),
    },
    {
      name: "an input nested 6000 deep in a tRPC GET URL",
      rest: null,
      // "[" and "]" travel unencoded in a query: 12 KB, under the header limit.
      trpc: {
        method: "GET",
        path: `/trpc/teams.users?input={"team_id":"club","name":${"[".repeat(6000)}${"]".repeat(6000)}}`,
        headers: ann,
      },
      expect: () => ({ status: 422, shape: "trpc-error", trpcCode: "UNPROCESSABLE_CONTENT" }),
    },
    {
      name: "text/plain",
      rest: authorize('{"scopes":["data:read"]}', { "content-type": "text/plain" }),
      trpc: tAuthorize('{"team_id":"club","scopes":["data:read"]}', {
        "content-type": "text/plain",
      }),
      expect: (m) =>
        m === "rest"
          ? restDetail(415, "Unsupported Media Type: send application/json")
          : trpcError(415, "UNSUPPORTED_MEDIA_TYPE"),
    },
    {
      name: "a form (x-www-form-urlencoded)",
      rest: authorize("scopes=data:read", { "content-type": "application/x-www-form-urlencoded" }),
      trpc: tAuthorize("team_id=club&scopes=data:read", {
        "content-type": "application/x-www-form-urlencoded",
      }),
      expect: (m) =>
        m === "rest"
          ? restDetail(415, "Unsupported Media Type: send application/json")
          : trpcError(415, "UNSUPPORTED_MEDIA_TYPE"),
    },
    {
      name: "multipart form data",
      rest: authorize(
        '--x\r\nContent-Disposition: form-data; name="scopes"\r\n\r\ndata:read\r\n--x--',
        { "content-type": "multipart/form-data; boundary=x" },
      ),
      // tRPC reads multipart as FormData; its fields are not the input's properties: 422.
      trpc: tAuthorize(
        '--x\r\nContent-Disposition: form-data; name="team_id"\r\n\r\nclub\r\n--x--',
        { "content-type": "multipart/form-data; boundary=x" },
      ),
      expect: (m) =>
        m === "rest"
          ? restDetail(415, "Unsupported Media Type: send application/json")
          : trpcError(422, "UNPROCESSABLE_CONTENT"),
    },
    {
      name: "application/jsonx",
      rest: authorize('{"scopes":["data:read"]}', { "content-type": "application/jsonx" }),
      trpc: tAuthorize('{"team_id":"club","scopes":["data:read"]}', {
        "content-type": "application/jsonx",
      }),
      expect: (m) =>
        m === "rest"
          ? restDetail(415, "Unsupported Media Type: send application/json")
          : trpcError(415, "UNSUPPORTED_MEDIA_TYPE"),
    },
    {
      name: "invalid JSON",
      rest: authorize('{"scopes": ['),
      trpc: tAuthorize('{"team_id":"club","scopes": ['),
      expect: (m) =>
        m === "rest"
          ? { ...invalid(m), check: (j) => expect(j.detail[0].type).toBe("json_invalid") }
          : trpcError(400, "BAD_REQUEST"),
    },
    {
      name: "trailing garbage after the JSON",
      rest: authorize('{"scopes":["data:read"]} x'),
      trpc: tAuthorize('{"team_id":"club","scopes":["data:read"]} x'),
      expect: (m) => (m === "rest" ? invalid(m) : trpcError(400, "BAD_REQUEST")),
    },
    {
      name: "invalid UTF-8 inside a scope",
      rest: {
        ...authorize(undefined),
        body: Buffer.concat([
          Buffer.from('{"scopes":["data:read'),
          Buffer.from([0xff, 0xfe]),
          Buffer.from('"]}'),
        ]),
      },
      trpc: {
        ...tAuthorize(""),
        body: Buffer.concat([
          Buffer.from('{"team_id":"club","scopes":["data:read'),
          Buffer.from([0xff]),
          Buffer.from('"]}'),
        ]),
      },
      expect: invalid,
    },
    {
      name: "creating a team with an id, a role and created_at of the caller's choosing",
      rest: req("POST", "/api/v1/teams/", coach, {
        ...teamBody("Evil"),
        id: "club",
        role: "member",
        created_at: "1970-01-01",
      }),
      trpc: req("POST", "/trpc/manage.createTeam", coach, {
        ...teamBody("Evil"),
        id: "club",
        role: "member",
      }),
      expect: (m) => ({
        ...success(m, 201),
        check: (j) =>
          expect(data(j)).toMatchObject({
            name: "Evil",
            role: "owner",
            id: expect.not.stringMatching(/^club$/),
          }),
      }),
      change: (d) => {
        quiet(d, "teams", "memberships");
        const [team] = d.teams.added.map(rowOf);
        expect(team?.id).not.toBe("club");
        expect(team?.created_at).not.toBe("1970-01-01");
        expect(d.memberships.added.map(rowOf)).toEqual([
          { team_id: team?.id, user_id: "coach", role: "owner", ...extraMembershipColumns(d) },
        ]);
      },
    },
    {
      name: "patching a team with only unknown fields (id, role) changes nothing",
      rest: req("PATCH", "/api/v1/teams/club", coach, {
        id: "hijack",
        role: "member",
        created_at: "1970",
      }),
      trpc: req("POST", "/trpc/manage.updateTeam", coach, {
        team_id: "club",
        id: "hijack",
        role: "member",
      }),
      expect: (m) => ({ ...success(m), check: (j) => expect(data(j).id).toBe("club") }),
    },
    {
      name: "patching a team's name to null",
      rest: req("PATCH", "/api/v1/teams/club", coach, { name: null }),
      trpc: req("POST", "/trpc/manage.updateTeam", coach, { team_id: "club", name: null }),
      expect: invalid,
    },
    {
      name: "a member's role outside the enum",
      rest: req("PUT", "/api/v1/teams/club/members/carl", coach, { role: "admin" }),
      trpc: req("POST", "/trpc/manage.putMember", coach, {
        team_id: "club",
        user_id: "carl",
        role: "admin",
      }),
      expect: invalid,
    },
    {
      name: "a member body naming another team and user",
      rest: req("PUT", "/api/v1/teams/club/members/carl", coach, {
        role: "member",
        team_id: "other",
        user_id: "rival",
      }),
      trpc: null,
      expect: (m) => ({
        ...success(m),
        check: (j) => expect(data(j)).toMatchObject({ id: "carl", role: "member" }),
      }),
      change: (d) => {
        quiet(d, "memberships");
        expect(d.memberships.added.map(rowOf)).toEqual([
          { team_id: "club", user_id: "carl", role: "member", ...extraMembershipColumns(d) },
        ]);
      },
    },
    {
      name: "a managed user whose body names another manager and an id",
      rest: req("POST", "/api/v1/users/", coach, {
        first_name: "Eve",
        manager_id: "rival",
        id: "evil",
        is_managed: false,
      }),
      trpc: req("POST", "/trpc/manage.createManagedUser", coach, {
        first_name: "Eve",
        manager_id: "rival",
        id: "evil",
      }),
      expect: (m) => ({
        ...success(m, 201),
        check: (j) => expect(data(j)).toMatchObject({ admin: false, is_managed: true }),
      }),
      change: (d) => {
        quiet(d, "users");
        const [user] = d.users.added.map(rowOf);
        expect(user).toMatchObject({ manager_id: "coach", first_name: "Eve" });
        expect(user?.id).not.toBe("evil");
      },
    },
    {
      name: "a managed user's name of 101 characters",
      rest: req("POST", "/api/v1/users/", coach, { first_name: "x".repeat(101) }),
      trpc: req("POST", "/trpc/manage.createManagedUser", coach, { first_name: "x".repeat(101) }),
      expect: invalid,
    },
    {
      name: "an admin user managing itself",
      rest: req("PUT", "/api/v1/admin/users/zed", admin, { manager_id: "zed" }),
      trpc: req("POST", "/trpc/admin.putUser", admin, { user_id: "zed", manager_id: "zed" }),
      expect: invalid,
    },
    {
      name: "an admin user managed by a managed user",
      rest: req("PUT", "/api/v1/admin/users/zed", admin, { manager_id: "ann" }),
      trpc: req("POST", "/trpc/admin.putUser", admin, { user_id: "zed", manager_id: "ann" }),
      expect: invalid,
    },
    {
      name: "an admin user with an empty manager id",
      rest: req("PUT", "/api/v1/admin/users/zed", admin, { manager_id: "" }),
      trpc: req("POST", "/trpc/admin.putUser", admin, { user_id: "zed", manager_id: "" }),
      expect: invalid,
    },
    {
      name: "an admin team without its fields",
      rest: req("PUT", "/api/v1/admin/teams/zed", admin, {}),
      trpc: req("POST", "/trpc/admin.putTeam", admin, { team_id: "zed" }),
      expect: invalid,
    },
    ...(["name", "description"] as const).map(
      (field): BodyCase => ({
        name: `a NUL in a team's ${field}`,
        rest: req("POST", "/api/v1/teams/", coach, { ...teamBody("Nul"), [field]: "a\u0000b" }),
        trpc: req("POST", "/trpc/manage.createTeam", coach, {
          ...teamBody("Nul"),
          [field]: "a\u0000b",
        }),
        expect: invalid,
      }),
    ),
    {
      name: "a NUL in a managed user's name",
      rest: req("POST", "/api/v1/users/", coach, { first_name: "a\u0000b" }),
      trpc: req("POST", "/trpc/manage.createManagedUser", coach, { first_name: "a\u0000b" }),
      expect: invalid,
    },
    {
      name: "a NUL in the name filter of a team's users",
      rest: req("GET", "/api/v1/teams/club/users?name=%00", coach),
      trpc: trpcQuery("teams.users", { team_id: "club", name: "\u0000" }, coach),
      expect: invalid,
    },
  ];
  // URLs a consent page would show: only http(s).
  const urlCase = (name: string, patch: Record<string, string>): BodyCase => ({
    name,
    rest: req("POST", "/api/v1/teams/", coach, { ...teamBody("Bad"), ...patch }),
    trpc: req("POST", "/trpc/manage.createTeam", coach, { ...teamBody("Bad"), ...patch }),
    expect: invalid,
  });
  cases.push(
    urlCase("a javascript: URL", { url: "javascript:alert(document.cookie)" }),
    urlCase("a data: URL as image", { image: "data:image/svg+xml,<svg onload=alert(1)>" }),
    urlCase("a relative URL", { privacy_statement: "/privacy" }),
    urlCase("a team name of 201 characters", { name: "n".repeat(201) }),
    urlCase("a blank team name", { name: "   " }),
  );
  return cases;
};

/** PostgreSQL copies sort keys into link tables (if a migration added any): ignore extra columns. */
function extraMembershipColumns(d: Diff): Record<string, unknown> {
  const added = d.memberships.added.map(rowOf)[0] ?? {};
  const { team_id: _t, user_id: _u, role: _r, ...rest } = added;
  return rest;
}

/** Ids that must find nothing, wherever an id goes (path, tRPC input, query). */
interface HostileId {
  name: string;
  value: string;
  /** The path segment as sent, when not simply the value percent-encoded. */
  segment?: string;
}

const HOSTILE_IDS: HostileId[] = [
  { name: "SQL quote", value: "' OR '1'='1" },
  { name: "SQL comment", value: "club' --" },
  { name: "SQL stacked statement", value: "club'; DROP TABLE teams; --" },
  { name: "SQL union", value: "x' UNION SELECT id, name FROM users --" },
  { name: "LIKE wildcard %", value: "%" },
  { name: "LIKE wildcard _", value: "_lub" },
  { name: "encoded slash", value: "club/users" },
  { name: "backslash", value: "club\\" },
  { name: "NUL", value: "\u0000" },
  { name: "NUL after a real id", value: "club\u0000" },
  { name: "CR LF (header injection)", value: "club\r\nX-Evil: 1" },
  { name: "invalid UTF-8 (%FF%FE)", value: "\ud800", segment: "%FF%FE" },
  { name: "UTF-8 of a lone surrogate", value: "\udc00club", segment: "%ED%B0%80club" },
  { name: "Cyrillic look-alike", value: "\u0441lub" },
  { name: "fullwidth look-alike", value: "\uff43\uff4c\uff55\uff42" },
  { name: "zero-width space", value: "club\u200b" },
  { name: "case twin", value: "CLUB" },
  { name: "padded with spaces", value: " club " },
  { name: "10 KB", value: "a".repeat(10_240) },
  { name: "256 characters", value: "c".repeat(256) },
  { name: "percent-encoded twice", value: "club%2Fusers", segment: "club%252Fusers" },
  { name: "operator object as text", value: '{"$ne":null}' },
  { name: "__proto__", value: "__proto__" },
  { name: "constructor", value: "constructor" },
];

/** Every endpoint with the hostile id in its team place, then in its user place, both mounts. */
function hostileRows(h: HostileId): Row[] {
  const rows: Row[] = [];
  const segment = h.segment ?? encodeURIComponent(h.value);
  const restCall = (endpoint: Endpoint, place: "team" | "user"): RowRequest => {
    const team = place === "team" ? "\u0001T" : DEFAULT_TEAM;
    const user = place === "user" ? "\u0001U" : DEFAULT_USER;
    const call = callOf("rest", endpoint, team, user, auth(callerToken(endpoint.caller)));
    return { ...call, path: call.path.replace("%01T", segment).replace("%01U", segment) };
  };
  for (const endpoint of ENDPOINTS) {
    for (const place of ["team", "user"] as const) {
      const missing = place === "team" ? endpoint.missingTeam : endpoint.missingUser;
      const takesIt =
        place === "team"
          ? endpoint.rest("\u0001T", "u").path.includes("%01T")
          : endpoint.rest("t", "\u0001U").path.includes("%01U");
      if (endpoint.creates && takesIt) {
        // Admin PUT creates what it is given: only ids that could never be stored are sent (422).
        const param = place === "team" ? "team_id" : "user_id";
        if (h.segment === undefined && !isPlausibleId(h.value)) {
          rows.push({
            group: "hostile id",
            name: `${endpoint.name} (${place} id)`,
            mount: "rest",
            request: restCall(endpoint, place),
            expect: {
              status: 422,
              shape: "validation",
              check: (j) => expect(j.detail[0].loc).toEqual(["path", param]),
            },
          });
          rows.push({
            group: "hostile id",
            name: `${endpoint.name} (${place} id)`,
            mount: "trpc",
            request: callOf(
              "trpc",
              endpoint,
              place === "team" ? h.value : DEFAULT_TEAM,
              place === "user" ? h.value : DEFAULT_USER,
              auth(callerToken(endpoint.caller)),
            ),
            expect: {
              ...trpcError(422, "UNPROCESSABLE_CONTENT"),
              check: (j) => expect(j.error.data.issues[0].loc).toEqual([param]),
            },
          });
        }
        continue;
      }
      if (!missing) continue;
      // The access check's user id is a text input: one that is not well-formed UTF-16 (which only
      // tRPC's JSON can carry; a URL cannot) is refused as such, not answered "no access".
      const expectFor = (mount: "rest" | "trpc"): Expectation =>
        "allowed" in missing
          ? mount === "trpc" && !h.value.isWellFormed()
            ? trpcError(422, "UNPROCESSABLE_CONTENT")
            : { ...success(mount), check: (j) => expect(data(j).allowed).toBe(false) }
          : refusal(mount, missing.status, missing.detail);
      rows.push({
        group: "hostile id",
        name: `${endpoint.name} (${place} id)`,
        mount: "rest",
        request: restCall(endpoint, place),
        expect: expectFor("rest"),
      });
      rows.push({
        group: "hostile id",
        name: `${endpoint.name} (${place} id)`,
        mount: "trpc",
        request: callOf(
          "trpc",
          endpoint,
          place === "team" ? h.value : DEFAULT_TEAM,
          place === "user" ? h.value : DEFAULT_USER,
          auth(callerToken(endpoint.caller)),
        ),
        expect: expectFor("trpc"),
      });
    }
  }
  return rows;
}

const batchRows = (): Row[] => {
  const ann = auth(tokens.annByCoach);
  const coach = auth(tokens.coach);
  const many = (n: number, proc: string) => Array(n).fill(proc).join(",");
  const inputs = (n: number, input: unknown) =>
    JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), input])));
  const batchError = (status: number, code: string): Expectation => ({
    status,
    shape: "trpc-batch",
    check: (j) =>
      expect(
        j.every((x: { error?: { data: { code: string } } }) => x.error?.data.code === code),
      ).toBe(true),
  });
  const rows: Omit<Row, "group" | "mount">[] = [
    {
      name: "17 mutations in one POST batch (limit 16): refused whole",
      request: req(
        "POST",
        `/trpc/${many(17, "teams.revoke")}?batch=1`,
        ann,
        inputs(17, { team_id: "club" }),
      ),
      expect: trpcError(400, "BAD_REQUEST", "Batch call exceeds maximum size"),
    },
    {
      name: "1000 calls named in the URL: refused whole",
      request: req("GET", `/trpc/${many(1000, "teams.list")}?batch=1`, coach),
      expect: trpcError(400, "BAD_REQUEST", "Batch call exceeds maximum size"),
    },
    {
      name: "a mixed batch answers each call on its own (207), only the allowed one writes",
      request: req("POST", "/trpc/teams.authorize,teams.authorize?batch=1", ann, {
        0: { team_id: "club", scopes: ["data:read", "profile"] },
        1: { team_id: "nope", scopes: ["data:read"] },
      }),
      expect: {
        status: 207,
        shape: "trpc-batch",
        check: (j) =>
          expect([j[0].result?.data.team_id, j[1].error?.data.httpStatus]).toEqual(["club", 404]),
      },
      change: grantSetTo("club", "ann", "data:read profile"),
    },
    {
      name: "query and mutation mixed in one GET batch",
      request: req("GET", "/trpc/teams.list,teams.revoke?batch=1", ann),
      expect: trpcError(400, "BAD_REQUEST"),
    },
    {
      name: "prototype keys as procedure names",
      request: req("GET", "/trpc/__proto__,constructor,teams.__proto__,toString?batch=1", coach),
      expect: batchError(404, "NOT_FOUND"),
    },
    {
      name: "a batch input that is not JSON",
      request: req(
        "GET",
        `/trpc/teams.users,teams.users?batch=1&input=${encodeURIComponent("{bad")}`,
        coach,
      ),
      expect: batchError(400, "BAD_REQUEST"),
    },
    {
      name: "a batch input that is a list",
      request: req(
        "GET",
        `/trpc/teams.users,teams.users?batch=1&input=${encodeURIComponent(JSON.stringify([{ team_id: "club" }]))}`,
        coach,
      ),
      expect: batchError(400, "BAD_REQUEST"),
    },
    {
      name: "a batch input with __proto__ aiming a call at another team",
      request: req(
        "POST",
        "/trpc/teams.revoke?batch=1",
        ann,
        '{"__proto__":{"0":{"team_id":"club"}},"0":{"team_id":"other"}}',
      ),
      expect: batchError(404, "NOT_FOUND"),
    },
    {
      name: "the empty procedure name",
      request: req("GET", "/trpc/", coach),
      expect: trpcError(404, "NOT_FOUND"),
    },
  ];
  return rows.map((r): Row => ({ group: "tRPC batch", mount: "trpc", ...r }));
};

/** Opt-in pages (`limit`, `cursor`) on both lists: bad limits and forged cursors are 422s. */
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const paginationRows = (): { name: string; rows: Row[]; bug?: string }[] => {
  const coach = auth(tokens.coach);
  const limits: [string, string, unknown][] = [
    ["zero", "0", 0],
    ["negative", "-1", -1],
    ["past the largest page", "1001", 1001],
    ["not a number", "abc", "abc"],
    ["in exponent form", "1e3", 1.5],
    ["beyond any integer", "99999999999999999999999", 1e300],
  ];
  const cursors: [string, string][] = [
    ["not a cursor", "nope"],
    ["SQL", "' OR 1=1 --"],
    ["2001 characters", "a".repeat(2001)],
    ["a cursor of the wrong length", cursorOf(["u", "Ann"])],
    ["a cursor of the wrong types", cursorOf(["u", 1, null])],
    [
      "a cursor that is an object with __proto__",
      Buffer.from('{"__proto__":{"0":"u"}}').toString("base64url"),
    ],
  ];
  const lists = [
    {
      rest: "/api/v1/teams/club/users",
      procedure: "teams.usersPage",
      input: { team_id: "club" },
      tag: "u",
    },
    { rest: "/api/v1/teams/authorized", procedure: "teams.authorizedPage", input: {}, tag: "t" },
  ];
  const both = (
    name: string,
    query: string,
    input: Record<string, unknown>,
    list: (typeof lists)[number],
  ): Row[] => [
    {
      group: "pagination",
      name,
      mount: "rest",
      request: req("GET", `${list.rest}?${query}`, coach),
      expect: refusal("rest", 422),
    },
    {
      group: "pagination",
      name,
      mount: "trpc",
      request: trpcQuery(list.procedure, { ...list.input, ...input }, coach),
      expect: refusal("trpc", 422),
    },
  ];
  const out: { name: string; rows: Row[]; bug?: string }[] = [];
  for (const list of lists) {
    out.push({
      name: `${list.procedure}: bad limits`,
      rows: limits.flatMap(([name, text, number]) =>
        both(`limit ${name}`, `limit=${encodeURIComponent(text)}`, { limit: number }, list),
      ),
    });
    out.push({
      name: `${list.procedure}: forged cursors`,
      rows: [
        ...cursors,
        ["the other list's cursor", cursorOf([list.tag === "u" ? "t" : "u", "Club", "club"])] as [
          string,
          string,
        ],
      ].flatMap(([name, cursor]) =>
        both(
          `cursor: ${name}`,
          `limit=2&cursor=${encodeURIComponent(cursor)}`,
          { limit: 2, cursor },
          list,
        ),
      ),
    });
    const nul = cursorOf([list.tag, "A\u0000", "x"]);
    out.push({
      name: `${list.procedure}: a cursor whose key holds NUL`,
      rows: both("cursor with NUL", `limit=2&cursor=${nul}`, { limit: 2, cursor: nul }, list),
    });
  }
  return out;
};

const methodRows = (): Row[] => {
  const coach = auth(tokens.coach);
  const notAllowed = (allow: string): Expectation =>
    restDetail(405, "Method Not Allowed", { allow });
  const rest: [string, string, Expectation][] = [
    ["PUT", "/api/v1/teams/", notAllowed("GET, POST, HEAD")],
    ["DELETE", "/api/v1/teams/", notAllowed("GET, POST, HEAD")],
    ["PATCH", "/api/v1/teams/club/authorize", notAllowed("POST, DELETE")],
    ["GET", "/api/v1/teams/club/authorize", notAllowed("POST, DELETE")],
    ["PUT", "/api/v1/teams/club/authorize", notAllowed("POST, DELETE")],
    ["POST", "/api/v1/teams/club/users", notAllowed("GET, HEAD")],
    ["DELETE", "/api/v1/teams/club/users/ann", notAllowed("GET, HEAD")],
    ["POST", "/api/v1/teams/club/members", notAllowed("GET, HEAD")],
    ["PUT", "/api/v1/access", notAllowed("GET, HEAD")],
    ["POST", "/api/v1/admin/users/x", notAllowed("PUT, DELETE")],
    ["GET", "/api/v1/admin/teams/club", notAllowed("PUT, DELETE")],
    ["OPTIONS", "/api/v1/teams/", notAllowed("GET, POST, HEAD")],
    ["DELETE", "/api/v1/users/", notAllowed("POST, GET, HEAD")],
    // "authorized" is also a team id as far as the team routes go: a 404, never the list.
    ["DELETE", "/api/v1/teams/authorized", restDetail(404, messages.teamNotFound)],
  ];
  const trpc: [string, string, Expectation][] = [
    [
      "GET",
      "/trpc/teams.revoke?input=%7B%22team_id%22%3A%22club%22%7D",
      trpcError(405, "METHOD_NOT_SUPPORTED"),
    ],
    ["POST", "/trpc/teams.list", trpcError(405, "METHOD_NOT_SUPPORTED")],
    ["DELETE", "/trpc/teams.list", trpcError(405, "METHOD_NOT_SUPPORTED")],
    ["PUT", "/trpc/manage.deleteTeam", trpcError(405, "METHOD_NOT_SUPPORTED")],
    ["PATCH", "/trpc/teams.authorize", trpcError(405, "METHOD_NOT_SUPPORTED")],
  ];
  return [
    ...rest.map(
      ([method, path, expect]): Row => ({
        group: "method",
        name: `${method} ${path}`,
        mount: "rest",
        request: req(method, path, {
          ...coach,
          ...(method === "GET" || method === "OPTIONS" ? {} : J),
        }),
        expect,
      }),
    ),
    {
      group: "method",
      name: "PATCH /api/v1/teams/authorized",
      mount: "rest",
      request: req("PATCH", "/api/v1/teams/authorized", coach, { name: "Hijacked" }),
      expect: restDetail(404, messages.teamNotFound),
    },
    ...trpc.map(
      ([method, path, expect]): Row => ({
        group: "method",
        name: `${method} ${path}`,
        mount: "trpc",
        request: {
          method,
          path,
          headers: { ...coach, ...J },
          ...(method === "GET"
            ? {}
            : { body: JSON.stringify({ team_id: "club", scopes: ["data:read"] }) }),
        },
        expect,
      }),
    ),
  ];
};

/** Requests fetch refuses to send; the process's HTTP parser and the app must both hold. */
const protocolRows = (): Row[] => {
  const t = tokens.coach;
  const bad = (name: string, bytes: Buffer): Row => ({
    group: "protocol",
    name,
    mount: "raw",
    request: bytes,
    expect: { status: 400, shape: "any" },
  });
  return [
    {
      group: "protocol",
      name: "two Authorization headers, the invalid one first",
      mount: "raw",
      request: httpBytes("GET", "/api/v1/teams/", {
        Authorization: "Bearer nope",
        authorization: `Bearer ${t}`,
      }),
      expect: restDetail(401, "Could not validate credentials"),
      secrets: [t],
    },
    {
      group: "protocol",
      name: "two Authorization headers, the valid one first",
      mount: "raw",
      request: httpBytes("GET", "/api/v1/teams/", {
        Authorization: `Bearer ${t}`,
        authorization: "Bearer nope",
      }),
      expect: restDetail(401, "Could not validate credentials"),
      secrets: [t],
    },
    {
      group: "protocol",
      name: "TRACE",
      mount: "raw",
      request: httpBytes("TRACE", "/api/v1/teams/", { Authorization: `Bearer ${t}` }),
      expect: restDetail(405, "Method Not Allowed"),
      secrets: [t],
    },
    {
      group: "protocol",
      name: "CONNECT is refused by closing the connection",
      mount: "raw",
      request: httpBytes("CONNECT", "127.0.0.1:22"),
      expect: { status: null, shape: "any" },
    },
    {
      group: "protocol",
      name: "a dot-dot path segment",
      mount: "raw",
      request: httpBytes("GET", "/api/v1/teams/..", { Authorization: `Bearer ${t}` }),
      expect: restDetail(404, "Not Found"),
      secrets: [t],
    },
    {
      group: "protocol",
      name: "an absolute-form target is routed by its path, never proxied",
      mount: "raw",
      request: httpBytes("GET", "http://evil.example/api/v1/teams/", {
        Authorization: `Bearer ${t}`,
      }),
      expect: { status: 200, shape: "json" },
      secrets: [t],
    },
    bad("an unknown method", httpBytes("FOO", "/api/v1/teams/")),
    bad("no Host header", Buffer.from("GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")),
    bad(
      "Content-Length and Transfer-Encoding together (smuggling)",
      httpBytes(
        "POST",
        "/api/v1/teams/",
        { "Content-Length": "5", "Transfer-Encoding": "chunked" },
        "0\r\n\r\n",
      ),
    ),
    bad(
      "a negative Content-Length",
      httpBytes("POST", "/api/v1/teams/", { "Content-Length": "-1" }),
    ),
    bad(
      "a Content-Length that is not a number",
      httpBytes("POST", "/api/v1/teams/", { "Content-Length": "12abc" }),
    ),
    bad("a NUL in a header value", httpBytes("GET", "/healthz", { "X-A": "a\u0000b" })),
    bad(
      "a header folded onto the next line",
      Buffer.from("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\nConnection: close\r\n\r\n"),
    ),
    bad("raw bytes 0xFF in the path", httpBytes("GET", Buffer.from([0x2f, 0xff, 0xfe]))),
    bad("a space inside the path", httpBytes("GET", "/api/v1/teams/a b")),
  ];
};

// ---- the suites -----------------------------------------------------------------------------------

const counts = newRowCounts();
const skipped: string[] = [];
afterAll(async () => {
  await new Promise((resolve) => lure.close(resolve));
  const groups = Object.entries(counts.byGroup).map(([g, n]) => `${g} ${n}`);
  console.log(
    `adversarial catalogue: ${counts.rows} rows passed (${groups.join(", ")}); ${forged.length} forged token kinds, ` +
      `${HOSTILE_IDS.length} hostile ids, ${ENDPOINTS.length} endpoints on both mounts; ${skipped.length} rows skipped as known bugs`,
  );
});

for (const which of ["process/SQLite", "in-process/PostgreSQL"] as const) {
  const skipThis = which === "in-process/PostgreSQL" && skipPostgres;
  describe.skipIf(skipThis)(`adversarial catalogue on ${which}`, () => {
    let target: OpenTarget;
    beforeAll(async () => {
      target =
        which === "process/SQLite" ? await processTarget(tokens) : await postgresTarget(tokens);
    }, 60_000);
    afterAll(async () => {
      // The request log holds no credential either. A forged "token" of a few letters ("abc")
      // turns up by chance in the log's random request ids: only real-sized ones are searched.
      const log = target?.output() ?? "";
      for (const token of [...Object.values(tokens), ...forged.map((f) => f.token)]) {
        if (token.length >= 16) expect(log.includes(token), token).toBe(false);
      }
      await target?.close();
    });
    const run = async (rows: Row[]) => {
      for (const row of rows) await runRow(target, row, counts);
    };
    // A row of a known bug (with `bug` set) is skipped until it is fixed; TEAMS_HARDENING_RUN_BUGS=1
    // runs it. None is open today.
    const maybe = (bug: string | undefined, name: string) => {
      if (!bug || process.env.TEAMS_HARDENING_RUN_BUGS === "1") return it;
      skipped.push(`${which}: ${name}`);
      return it.skip;
    };

    describe("forged and malformed tokens, on every endpoint of both mounts", () => {
      for (const kind of forged) {
        maybe(kind.bug, kind.name)(kind.name, async () => {
          await run(forgedRows(kind.token));
          expect(lureHits, "a jku/x5u was fetched").toBe(0);
        });
      }
    });

    describe("credential confusion", () => {
      it("header, refreshed-token, cookie and Basic never stand in for each other", () =>
        run(confusionRows()));
    });

    describe("hostile claims in validly signed tokens", () => {
      it("names holding NUL are dropped, as absent names are", async () => {
        const token = await tokenFor({ sub: "nul-name", given_name: "N\u0000l" });
        await run([
          {
            group: "claims",
            name: "given_name with NUL",
            mount: "rest",
            request: req("GET", "/api/v1/users/", auth(token)),
            expect: {
              status: 200,
              shape: "json",
              check: (j) => expect(j[0].first_name).toBeNull(),
            },
            change: userRecorded("nul-name"),
          },
        ]);
      });
      it("a sub of 255 characters is a user; 256 is refused (see the forged tokens)", async () => {
        const sub = "s".repeat(255);
        await run([
          {
            group: "claims",
            name: "sub of 255 characters",
            mount: "trpc",
            request: req("GET", "/trpc/manage.users", auth(await tokenFor({ sub }))),
            expect: {
              status: 200,
              shape: "trpc-result",
              check: (j) => expect(data(j)[0].id).toBe(sub),
            },
            change: userRecorded(sub),
          },
        ]);
      });
    });

    describe("delegation abuse", () => {
      it("wrong manager, regular user, missing azp, scopes the token lacks", async () =>
        run(await delegationRows()));
    });

    describe("hostile bodies", () => {
      for (const c of bodyCases()) {
        maybe(c.bug, c.name)(c.name, async () => {
          for (const mount of ["rest", "trpc"] as const) {
            const request = mount === "rest" ? c.rest : c.trpc;
            if (!request) continue;
            // A grant the row expects to see made starts from none: the same scopes again (the
            // other mount's) would rightly change nothing (the consent log's identical re-grant).
            if (c.change) {
              const ended = await target.send("/api/v1/teams/club/authorize", {
                method: "DELETE",
                headers: auth(tokens.annByCoach),
              });
              expect([200, 404]).toContain(ended.status);
            }
            await run([
              {
                group: "body",
                name: c.name,
                mount,
                request,
                expect: c.expect(mount),
                ...(c.change ? { change: c.change } : {}),
              },
            ]);
          }
        });
      }
    });

    describe("hostile ids, in every place an id goes", () => {
      for (const h of HOSTILE_IDS) it(h.name, () => run(hostileRows(h)));
    });

    describe("tRPC batches", () => {
      it("are bounded, answered per call, and never widen a call", () => run(batchRows()));
    });

    describe("pages (limit, cursor) on both lists", () => {
      for (const c of paginationRows()) maybe(c.bug, c.name)(c.name, () => run(c.rows));
    });

    describe("methods not allowed", () => {
      it("answer 405 with Allow (REST) or METHOD_NOT_SUPPORTED (tRPC)", () => run(methodRows()));
    });

    describe.skipIf(which !== "process/SQLite")("raw protocol abuse", () => {
      it("is refused by the HTTP layer or answered like any request", () => run(protocolRows()));
    });
  });
}

describe("an unexpected error (a bug, a broken store) reveals nothing and is logged", () => {
  const secret = 'relation "secret_internal_table" does not exist';
  async function brokenApp() {
    const store = await openMemoryStore();
    const teams = createTeams(store);
    const { logger, bugs: logged } = await memoryLogger();
    const app = createApp({
      teams: {
        ...teams,
        listTeams: async () => {
          throw new Error(secret);
        },
      },
      authenticator: await createAuthenticator({ jwtSecret: SECRET, externalAzp: "actor" }),
      ping: store.ping,
      logger,
    });
    return { app, logged, close: () => store.close() };
  }

  it("over REST: 500 Internal Server Error, logged", async () => {
    const { app, logged, close } = await brokenApp();
    try {
      const res = await app.request("/api/v1/teams/", { headers: auth(tokens.coach) });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ detail: "Internal Server Error" });
      expect(logged).toHaveLength(1);
    } finally {
      await close();
    }
  });

  it("over tRPC: 500 without the error's text, logged", async () => {
    const { app, logged, close } = await brokenApp();
    try {
      const res = await app.request("/trpc/teams.list", { headers: auth(tokens.coach) });
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).not.toContain("secret_internal_table");
      expect(JSON.parse(text).error.message).toBe("Internal Server Error");
      expect(logged).toHaveLength(1);
    } finally {
      await close();
    }
  });
});
