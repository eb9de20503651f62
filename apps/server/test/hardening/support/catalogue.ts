import type { Database } from "@teams/core";
import type { Kysely } from "kysely";
import { expect } from "vitest";
import { z } from "zod";
import type { Call, Endpoint } from "./endpoints.js";
import { type Answer, read, type Send } from "./http.js";
import type { RawAnswer } from "./raw-http.js";

// The adversarial catalogue's machinery: a row is one hostile request with the answer it must get.
// Every row is checked the same way: status, body shape, nothing secret in the answer, the store
// unchanged (or changed exactly as the row says), and the server still serving.

/** Where the rows are sent: the real server process, or the app in process on another store. */
export interface Target {
  label: string;
  send: Send;
  /** Raw bytes on a new connection; null for an in-process target (rows needing it are skipped). */
  raw: ((bytes: Buffer) => Promise<RawAnswer>) | null;
  snapshot(): Promise<Snapshot>;
  /** The server still serves (/healthz) and its process has not exited. */
  alive(): Promise<boolean>;
  /** Unexpected errors the app reported (500s); in process only. */
  bugs(): unknown[];
}

/** Every row of every table, all columns (timestamps too), one JSON line per row, sorted. */
export type Snapshot = Record<"users" | "teams" | "memberships" | "authorizations", string[]>;

export async function snapshotOf(db: Kysely<Database>): Promise<Snapshot> {
  const all = async (table: keyof Snapshot) =>
    (await db.selectFrom(table).selectAll().execute())
      .map((row) => JSON.stringify(Object.entries(row).sort(([a], [b]) => a.localeCompare(b))))
      .sort();
  return {
    users: await all("users"),
    teams: await all("teams"),
    memberships: await all("memberships"),
    authorizations: await all("authorizations"),
  };
}

export type Diff = Record<keyof Snapshot, { added: string[]; removed: string[] }>;

export function diff(before: Snapshot, after: Snapshot): Diff {
  const out = {} as Diff;
  for (const table of Object.keys(before) as (keyof Snapshot)[]) {
    const was = new Set(before[table]);
    const is = new Set(after[table]);
    out[table] = {
      added: after[table].filter((r) => !was.has(r)),
      removed: before[table].filter((r) => !is.has(r)),
    };
  }
  return out;
}

const unchanged = (d: Diff) =>
  Object.values(d).every((t) => t.added.length === 0 && t.removed.length === 0);

export type Shape =
  | "detail" // FastAPI {"detail": "..."}
  | "validation" // FastAPI 422 {"detail": [{type, loc, msg, input}]}
  | "trpc-error" // {"error": {message, code, data: {code, httpStatus, path?, issues?}}}
  | "trpc-result" // {"result": {"data": ...}}
  | "trpc-batch" // [ {result} | {error}, ... ]
  | "json" // any JSON
  | "empty" // no body
  | "any";

export interface Expectation {
  /** Null: the server closes the connection without answering (raw rows only). */
  status: number | null;
  shape: Shape;
  /** The REST `detail` or the tRPC `message`, when fixed. */
  detail?: string;
  trpcCode?: string;
  headers?: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: rows inspect bodies they know the shape of
  check?: (json: any) => void;
}

export interface RowRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface Row {
  group: string;
  name: string;
  mount: "rest" | "trpc" | "raw";
  request: RowRequest | Buffer;
  expect: Expectation;
  /** How the store must change; default: not at all. */
  change?: (d: Diff) => void;
  /** Strings that must appear nowhere in the answer (credentials sent with the row are added). */
  secrets?: string[];
}

const issue = z.strictObject({
  type: z.string(),
  loc: z.array(z.union([z.string(), z.number()])),
  msg: z.string(),
  input: z.unknown(),
});
const shapes: Record<Exclude<Shape, "json" | "empty" | "any">, z.ZodType> = {
  detail: z.strictObject({ detail: z.string() }),
  validation: z.strictObject({ detail: z.array(issue).min(1) }),
  "trpc-error": z.strictObject({
    error: z.strictObject({
      message: z.string(),
      code: z.number(),
      data: z.strictObject({
        code: z.string(),
        httpStatus: z.number(),
        path: z.string().optional(),
        issues: z.array(issue).optional(),
      }),
    }),
  }),
  "trpc-result": z.strictObject({ result: z.strictObject({ data: z.unknown() }) }),
  "trpc-batch": z.array(
    z.union([
      z.strictObject({ result: z.strictObject({ data: z.unknown() }) }),
      z.strictObject({
        error: z.object({ message: z.string(), code: z.number(), data: z.object({}).loose() }),
      }),
    ]),
  ),
};

/** Credentials a request carries: whole tokens, their signatures, Basic secrets, cookie values. */
export function credentialsIn(headers: Record<string, string> = {}): string[] {
  const found: string[] = [];
  const add = (value: string | undefined) => {
    if (!value || value.length < 12) return;
    found.push(value);
    const signature = value.split(".")[2];
    if (signature && signature.length >= 16) found.push(signature);
  };
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === "authorization" || lower === "proxy-authorization") {
      const [scheme, credential] = value.split(/\s+/, 2);
      add(credential);
      if (scheme?.toLowerCase() === "basic" && credential)
        add(Buffer.from(credential, "base64").toString());
    } else if (lower === "refreshed-token") add(value);
    else if (lower === "cookie") for (const m of value.matchAll(/token=([^;]+)/g)) add(m[1]);
  }
  return found;
}

/** A call of `endpoint` as a request on one mount, with `headers` (a token) added. */
export function callOf(
  mount: "rest" | "trpc",
  endpoint: Endpoint,
  team: string,
  user: string,
  headers: Record<string, string>,
): RowRequest {
  let call: Call;
  if (mount === "rest") call = endpoint.rest(team, user);
  else {
    const t = endpoint.trpc(team, user);
    call =
      t.kind === "query"
        ? {
            method: "GET",
            path: `/trpc/${t.procedure}${t.input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(t.input))}`}`,
          }
        : { method: "POST", path: `/trpc/${t.procedure}`, body: t.input ?? {} };
  }
  return {
    method: call.method,
    path: call.path,
    headers: call.body === undefined ? headers : { ...headers, "content-type": "application/json" },
    ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
  };
}

export interface RowCounts {
  rows: number;
  byGroup: Record<string, number>;
  requests: number;
}

export const newRowCounts = (): RowCounts => ({ rows: 0, byGroup: {}, requests: 0 });

/** Sends one row and checks everything a row promises. */
export async function runRow(target: Target, row: Row, counts: RowCounts): Promise<void> {
  const label = `${target.label} ${row.mount} ${row.group}: ${row.name}`;
  target.bugs(); // drained: a row answers only for its own request
  const before = await target.snapshot();
  let answer: Answer | RawAnswer;
  let headers: Record<string, string> = {};
  if (Buffer.isBuffer(row.request)) {
    if (!target.raw) return;
    answer = await target.raw(row.request);
    headers = { ...(answer as RawAnswer).headers };
  } else {
    const { method, path, body } = row.request;
    answer = await read(
      await target.send(path, {
        method,
        headers: row.request.headers ?? {},
        ...(body === undefined ? {} : { body }),
      }),
    );
    headers = Object.fromEntries((answer as Answer).headers.entries());
  }
  counts.requests += 1;

  expect(answer.status, label).toBe(row.expect.status);
  const body = "json" in answer ? answer.text : answer.body;
  let json: unknown;
  try {
    json = body === "" ? undefined : JSON.parse(body);
  } catch {
    json = undefined;
  }
  const { shape } = row.expect;
  if (shape === "empty") expect(body, label).toBe("");
  else if (shape === "json") expect(json, `${label}: a JSON body`).toBeDefined();
  else if (shape !== "any") {
    const parsed = shapes[shape].safeParse(json);
    expect(parsed.success, `${label}: body ${body.slice(0, 300)} is not ${shape}`).toBe(true);
  }
  if (row.expect.detail !== undefined) {
    const said = (json as { detail?: unknown; error?: { message?: unknown } } | undefined) ?? {};
    expect(said.detail ?? said.error?.message, label).toBe(row.expect.detail);
  }
  if (row.expect.trpcCode !== undefined) {
    expect((json as { error?: { data?: { code?: string } } })?.error?.data?.code, label).toBe(
      row.expect.trpcCode,
    );
  }
  if (shape === "trpc-error") {
    expect((json as { error: { data: { httpStatus: number } } }).error.data.httpStatus, label).toBe(
      row.expect.status,
    );
  }
  for (const [name, value] of Object.entries(row.expect.headers ?? {})) {
    expect(headers[name], `${label}: header ${name}`).toBe(value);
  }
  row.expect.check?.(json);

  // Nothing the client sent as a credential comes back, in the body or in a header.
  const sent = Buffer.isBuffer(row.request) ? [] : credentialsIn(row.request.headers);
  // The request id the service generates is random hex: a short forged token can turn up in it
  // by chance, so it is left out (an id the client sent is echoed on purpose, and is no credential).
  const { "x-request-id": _requestId, ...answered } = headers;
  const everything = `${"text" in answer ? answer.text : ""}${body}\n${Object.values(answered).join("\n")}`;
  for (const secret of [...sent, ...(row.secrets ?? [])]) {
    expect(everything.includes(secret), `${label}: the answer echoes a credential`).toBe(false);
  }

  const after = await target.snapshot();
  const d = diff(before, after);
  if (row.change) row.change(d);
  else expect(unchanged(d), `${label}: the store changed: ${JSON.stringify(d)}`).toBe(true);

  expect(await target.alive(), `${label}: the server stopped serving`).toBe(true);
  expect(target.bugs(), `${label}: the app reported an unexpected error`).toEqual([]);
  counts.rows += 1;
  counts.byGroup[row.group] = (counts.byGroup[row.group] ?? 0) + 1;
}
