import { randomUUID } from "node:crypto";
import { isPlausibleId } from "@teams/core";
import { decodeProtectedHeader, type JWTPayload, jwtVerify } from "jose";
import { signCompactJws } from "./compact-jws.js";
import {
  ACTOR_GRANT_CLAIM,
  KIND_CLAIM,
  MAX_SUBJECT_LENGTH,
  SERVICE_TOKEN_KINDS,
  SERVICE_TOKEN_TYPE,
  type ServiceTokenKind,
} from "./service-token-claims.js";
import type { SigningKey, SigningKeySet } from "./signing-keys.js";
import { TokenRejected } from "./token-rejected.js";
import { CLOCK_TOLERANCE_SECONDS, epochSeconds, MAX_IAT_SKEW_SECONDS } from "./verify-token.js";

/** What `Authenticator.issueToken` signs. */
export interface ServiceTokenRequest {
  kind: ServiceTokenKind;
  sub: string;
  /** The acting user for "delegated" (written as `azp` and `act: { sub }`); absent otherwise. */
  actor?: string;
  scopes: readonly string[];
  /** "delegated" through a team: the `team_id` claim. */
  teamId?: string;
  /** Lifetime in seconds; the token's `exp` is min(now + ttlSeconds, notAfter). */
  ttlSeconds: number;
  /** Latest `exp` allowed (epoch seconds), e.g. the principal's own token's `exp`. */
  notAfter?: number;
  /** "delegated": what the acting user's own token had when it delegated (its scopes and `exp`),
   *  carried in the token so that switching back (`principal-token`) can never widen it. */
  actorGrant?: { scopes: readonly string[]; exp: number };
  given_name?: string;
  family_name?: string;
}

/** A signed access token and when it ends. */
export interface IssuedToken {
  token: string;
  jti: string;
  /** Epoch seconds. */
  exp: number;
  /** Seconds from now to `exp`. */
  expiresIn: number;
}

export interface ServiceTokensOptions {
  keys: SigningKeySet;
  /** The `iss` of every token signed here. */
  serviceIssuer: string;
  audience: string | undefined;
  clock: () => Date;
  /** The longest lifetime of a token, and the grace of a previous key after its retirement. */
  maxTokenTtlSeconds: number;
  /**
   * Reads the keys again (the key file), when a token names a `kid` we do not know: another
   * instance may already sign with a rotated key. Absent for a key given as a PEM.
   */
  reload?: () => Promise<SigningKeySet>;
  /** Called with the new current `kid` when a reload finds one. Default: none. */
  onKeyChange?: (kid: string) => void;
}

/** The shortest time between two reloads of the keys, so made-up kids cannot make us read the file on every request. */
export const KEY_RELOAD_COOLDOWN_SECONDS = 30;

/** Signing and verifying the service's own tokens. */
export interface ServiceTokens {
  issue(request: ServiceTokenRequest): Promise<IssuedToken>;
  /**
   * Verifies a token that names the service as its issuer, with the key its `kid` names; resolves
   * to its claims and the instant after which the key no longer verifies (for the cache).
   */
  verify(token: string, now: Date): Promise<{ claims: JWTPayload; keyUntil: number }>;
  /** The public keys in use at `now`: the current one, and the previous one within its grace. */
  publicJwks(now: Date): object[];
}

export function createServiceTokens(options: ServiceTokensOptions): ServiceTokens {
  const { serviceIssuer, audience, clock, maxTokenTtlSeconds, reload, onKeyChange } = options;
  let keys = options.keys;
  let lastReload = Number.NEGATIVE_INFINITY;
  let reloading: Promise<void> | undefined;
  // A previous key verifies until every token it signed before its retirement has ended.
  const previousUntil = () =>
    keys.previous
      ? keys.previous.retiredAt + maxTokenTtlSeconds + CLOCK_TOLERANCE_SECONDS
      : Number.NEGATIVE_INFINITY;
  const keyByKid = (kid: unknown, nowSeconds: number): SigningKey | undefined => {
    const { current, previous } = keys;
    if (kid === current.kid) return current;
    if (previous && kid === previous.key.kid && nowSeconds <= previousUntil()) return previous.key;
    return undefined;
  };
  const untilOf = (key: SigningKey) =>
    key === keys.current ? Number.POSITIVE_INFINITY : previousUntil() + 1;
  // At most one read at a time and one per cooldown; a file that cannot be read keeps the keys we have.
  const reloadOnce = async (nowSeconds: number): Promise<void> => {
    if (!reload || nowSeconds - lastReload < KEY_RELOAD_COOLDOWN_SECONDS) return reloading;
    lastReload = nowSeconds;
    reloading ??= reload()
      .then((next) => {
        const changed = next.current.kid !== keys.current.kid;
        keys = next;
        if (changed) onKeyChange?.(next.current.kid);
      })
      .catch(() => undefined)
      .finally(() => {
        reloading = undefined;
      });
    return reloading;
  };

  return {
    async issue(request) {
      const now = epochSeconds(clock());
      const payload = claimsOf(request, now, maxTokenTtlSeconds);
      payload.iss = serviceIssuer;
      if (audience !== undefined) payload.aud = audience;
      const { current } = keys;
      const header = { alg: current.alg, kid: current.kid, typ: SERVICE_TOKEN_TYPE };
      const token = signCompactJws(header, payload, current);
      const exp = payload.exp as number;
      return { token, jti: payload.jti as string, exp, expiresIn: exp - now };
    },

    async verify(token, now) {
      let kid: unknown;
      try {
        ({ kid } = decodeProtectedHeader(token));
      } catch {
        throw new TokenRejected("the token's header cannot be read", "token_malformed");
      }
      const nowSeconds = epochSeconds(now);
      let key = keyByKid(kid, nowSeconds);
      if (!key && typeof kid === "string") {
        await reloadOnce(nowSeconds);
        key = keyByKid(kid, nowSeconds);
      }
      if (!key)
        throw new TokenRejected("the token names no signing key of the service", "unknown_key");
      const { payload } = await jwtVerify(token, key.publicKey, {
        algorithms: [key.alg],
        typ: SERVICE_TOKEN_TYPE,
        issuer: serviceIssuer,
        requiredClaims: ["exp", "jti", KIND_CLAIM],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: now,
        ...(audience !== undefined && { audience }),
      });
      if (
        typeof payload.iat === "number" &&
        payload.iat > epochSeconds(now) + MAX_IAT_SKEW_SECONDS
      ) {
        throw new TokenRejected('"iat" claim is in the future', "token_not_yet_valid");
      }
      return { claims: payload, keyUntil: untilOf(key) };
    },

    publicJwks(now) {
      const nowSeconds = epochSeconds(now);
      const { current, previous } = keys;
      const published: object[] = [current.publicJwk];
      if (previous && nowSeconds <= previousUntil()) published.push(previous.key.publicJwk);
      return published;
    },
  };
}

/** The claims of a request, checked: a request the rules do not allow is a programming error. */
function claimsOf(request: ServiceTokenRequest, now: number, maxTtl: number): JWTPayload {
  const { kind, ttlSeconds, notAfter } = request;
  if (!SERVICE_TOKEN_KINDS.has(kind))
    throw new RangeError("kind must be delegated, principal or session");
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > maxTtl) {
    throw new RangeError(`ttlSeconds must be an integer from 1 to ${maxTtl}`);
  }
  if (notAfter !== undefined && !Number.isSafeInteger(notAfter)) {
    throw new RangeError("notAfter must be an integer (epoch seconds)");
  }
  const exp = Math.min(now + ttlSeconds, notAfter ?? Number.POSITIVE_INFINITY);
  if (exp <= now) throw new RangeError("notAfter is not in the future: no token to issue");
  const payload: JWTPayload = {
    sub: checkedId(request.sub, "sub"),
    scope: checkedScopes(request.scopes, "scopes").join(" "),
    [KIND_CLAIM]: kind,
    // A UUID: unique, and drawn from the pool Node keeps for them (a `randomBytes` call per token
    // was 2 % of a token refresh).
    jti: randomUUID(),
    iat: now,
    exp,
  };
  if (kind === "delegated") {
    const actor = checkedId(request.actor, "actor");
    if (actor === payload.sub)
      throw new RangeError("a delegated token's actor must not be its sub");
    payload.azp = actor;
    payload.act = { sub: actor };
    if (request.teamId !== undefined) payload.team_id = checkedId(request.teamId, "teamId");
    if (request.actorGrant !== undefined) {
      const { scopes, exp: grantExp } = request.actorGrant;
      if (!Number.isSafeInteger(grantExp))
        throw new RangeError("actorGrant.exp must be an integer");
      payload[ACTOR_GRANT_CLAIM] = {
        scopes: checkedScopes(scopes, "actorGrant.scopes"),
        exp: grantExp,
      };
    }
  } else if (
    request.actor !== undefined ||
    request.teamId !== undefined ||
    request.actorGrant !== undefined
  ) {
    throw new RangeError(`a ${kind} token has no actor, teamId or actorGrant`);
  }
  if (request.given_name !== undefined) payload.given_name = request.given_name;
  if (request.family_name !== undefined) payload.family_name = request.family_name;
  return payload;
}

function checkedId(value: unknown, name: string): string {
  if (!isPlausibleId(value) || value.length > MAX_SUBJECT_LENGTH) {
    throw new RangeError(`${name} must be an id of 1 to ${MAX_SUBJECT_LENGTH} characters`);
  }
  return value;
}

function checkedScopes(scopes: readonly string[], name: string): string[] {
  if (
    !Array.isArray(scopes) ||
    !scopes.every((scope) => typeof scope === "string" && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))
  ) {
    throw new RangeError(`${name} must be scope tokens (RFC 6749 §3.3)`);
  }
  return [...new Set(scopes)];
}
