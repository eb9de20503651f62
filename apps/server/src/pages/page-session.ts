import type { Authenticator } from "@teams/auth";
import {
  isDelegated,
  NotAuthenticated,
  type NotAuthenticatedReason,
  type Principal,
  type Teams,
} from "@teams/core";

/** The cookie the pages are signed in with (DESIGN §2's `token` cookie). */
export const SESSION_COOKIE = "token";

export type Session =
  | { kind: "signed-in"; token: string; principal: Principal }
  | {
      kind: "anonymous";
      /** Whether a session cookie was there but could not be used (expired, or not valid). */
      expired: boolean;
      /** Why there is no session, for the request log. */
      reason: NotAuthenticatedReason;
    };

/**
 * The first `token` cookie, as @teams/auth reads it. The pages are for browsers, so only the cookie
 * counts (not an Authorization header), and the CSRF token is bound to exactly the value that
 * authenticated.
 */
export function sessionCookie(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const equals = part.indexOf("=");
    if (equals === -1 || part.slice(0, equals).trim() !== SESSION_COOKIE) continue;
    let value = part.slice(equals + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1);
    return value === "" ? undefined : value;
  }
  return undefined;
}

/**
 * Who is signed in, from the cookie alone; a user first seen is recorded, and the caller's rate
 * limit counted, as the API does.
 */
export async function readSession(
  headers: Headers,
  authenticator: Authenticator,
  teams: Teams,
  admitCaller: (sub: string) => Promise<void>,
): Promise<Session> {
  const token = sessionCookie(headers.get("cookie"));
  if (token === undefined) return { kind: "anonymous", expired: false, reason: "token_missing" };
  try {
    const { principal, identity } = await authenticator.authenticate({
      cookie: `${SESSION_COOKIE}=${token}`,
    });
    await admitCaller(principal.userId);
    await teams.ensureUser(identity);
    return { kind: "signed-in", token, principal };
  } catch (error) {
    if (error instanceof NotAuthenticated)
      return { kind: "anonymous", expired: true, reason: error.reason };
    throw error;
  }
}

/**
 * Why this principal may not use the consent pages, or null. They are for a person acting for
 * themselves: a delegated token acts for someone else, and a managed user has no login of its own
 * (its manager decides for it, over the API). The core refuses both again when writing.
 */
export async function consentRefusal(principal: Principal, teams: Teams): Promise<string | null> {
  if (isDelegated(principal)) {
    return "This session uses a delegated token, which acts for someone else. Teams are authorized for a managed user by their manager, through the API.";
  }
  const only = { include_managed: false, include_shared: false };
  const self = (await teams.listUsers(principal, only)).items.find(
    (u) => u.id === principal.userId,
  );
  if (self?.is_managed) {
    return "This account is managed by someone else, who decides which teams see its data.";
  }
  return null;
}

/**
 * The `Set-Cookie` of the session: HttpOnly (no script reads it), SameSite=Lax (not sent on another
 * site's form posts), Secure when served over https (`secure`); `maxAge` 0 forgets it.
 */
export function sessionCookieHeader(
  secure: boolean,
  value: string,
  maxAge: number | undefined,
): string {
  const flag = secure ? "; Secure" : "";
  const age = maxAge === undefined ? "" : `; Max-Age=${maxAge}`;
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax${flag}${age}`;
}
