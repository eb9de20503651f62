import { createAuthenticator } from "@teams/auth";
import { createTeams, type Teams } from "@teams/core";
import { SignJWT } from "jose";
import { createApp } from "../../../src/app.js";
import { SECRET } from "../../harness.js";
import { memoryLogger } from "../../support/memory-logger.js";
import type { TestStore } from "./stores.js";

/** Sends one request somewhere: the app in process, or a server over the network. */
export type Send = (path: string, init?: RequestInit) => Promise<Response>;

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export async function read(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

const key = new TextEncoder().encode(SECRET);
const signed = new Map<string, string>();

/** An HS256 token the test servers accept, cached per claims (worlds ask for the same ones often). */
export async function tokenFor(claims: {
  sub: string;
  azp?: string | null;
  scope?: string;
  given_name?: string;
  /** Issued at (seconds); now by default. A deleted user's token must be newer than the deletion. */
  iat?: number;
}): Promise<string> {
  const { azp, iat, ...rest } = claims;
  const payload: Record<string, unknown> = { scope: "data:read data:write profile", ...rest };
  if (azp) payload.azp = azp;
  const cacheKey = JSON.stringify({ payload, iat });
  let token = signed.get(cacheKey);
  if (!token) {
    token = await new SignJWT(payload)
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt(iat)
      .setExpirationTime("2h")
      .sign(key);
    signed.set(cacheKey, token);
  }
  return token;
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** A REST call with an optional JSON body. */
export function rest(
  send: Send,
  method: string,
  path: string,
  token?: string,
  json?: unknown,
): Promise<Answer> {
  const headers: Record<string, string> = token ? auth(token) : {};
  if (json !== undefined) headers["content-type"] = "application/json";
  return send(path, {
    method,
    headers,
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  }).then(read);
}

/** A tRPC query (GET, input in the URL) or mutation (POST, input as the body). */
export function trpc(
  send: Send,
  kind: "query" | "mutation",
  procedure: string,
  input: unknown,
  token?: string,
): Promise<Answer> {
  const headers: Record<string, string> = token ? auth(token) : {};
  if (kind === "query") {
    const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    return send(`/trpc/${procedure}${query}`, { headers }).then(read);
  }
  headers["content-type"] = "application/json";
  return send(`/trpc/${procedure}`, {
    method: "POST",
    headers,
    body: JSON.stringify(input ?? {}),
  }).then(read);
}

/** A tRPC answer in REST's terms: the status and the data, or the error's message as `detail`. */
export function trpcAsRest(answer: Answer): { status: number; body: unknown } {
  const json = answer.json as
    | { result?: { data?: unknown }; error?: { message?: string; data?: { httpStatus?: number } } }
    | undefined;
  if (json?.result) return { status: answer.status, body: json.result.data };
  return {
    status: json?.error?.data?.httpStatus ?? answer.status,
    body: { detail: json?.error?.message },
  };
}

export interface InProcessApp {
  send: Send;
  teams: Teams;
  /** Errors the app reported as bugs (500s), for the suites to assert there were none. */
  bugs: unknown[];
}

/** The real app (createApp) over `store`, called in process, with the HS256 test secret. */
export async function inProcessApp(
  store: TestStore,
  options: { maxBodyBytes?: number } = {},
): Promise<InProcessApp> {
  const teams = createTeams(store);
  const { logger, bugs } = await memoryLogger();
  const app = createApp({
    teams,
    authenticator: await createAuthenticator({ jwtSecret: SECRET, externalAzp: "actor" }),
    ping: store.ping,
    ...options,
    logger,
  });
  return {
    teams,
    bugs,
    send: async (path, init) => app.request(path, init),
  };
}
