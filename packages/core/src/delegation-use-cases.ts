import { createHash, randomUUID } from "node:crypto";
import * as a from "./authorization-queries.js";
import type { Context, Store, WriteStore } from "./context.js";
import { Forbidden, InvalidGrant, NotAuthenticated, NotFound, type TeamsError } from "./errors.js";
import { isPlausibleId } from "./ids.js";
import * as m from "./member-queries.js";
import {
  basisHolds,
  type DelegationGrant,
  decideDelegatedToken,
} from "./policy/delegation-policy.js";
import { messages } from "./policy/messages.js";
import { isDelegated, type Principal } from "./principal.js";
import { findRefreshToken } from "./refresh-token-queries.js";
import { newRefreshToken, REFRESH_TOKEN } from "./refresh-token-secret.js";
import { DelegatedTokenInput } from "./request-schemas.js";
import { canonicalScopes, decodeScopes, encodeScopes, isScope, type Scope } from "./scopes.js";
import * as w from "./store-writes.js";
import { useToken } from "./token-use.js";
import { findUser } from "./user-queries.js";
import { parseInput } from "./validation.js";

// The tokens the service issues (issue 15, DESIGN §6): delegated tokens, the switch back to the
// principal, and their refresh tokens. The core decides and records; the host signs the access
// token (after the write committed) from the grant it answers.

type P = Principal | null | undefined;

/** What an access token to sign says: its kind, subject, acting user, scopes and limits. */
export interface ServiceGrant {
  kind: "delegated" | "principal";
  sub: string;
  /** Delegated: the acting user (`azp`, `act.sub`). */
  actor?: string;
  /** Canonical order. */
  scopes: Scope[];
  /** Delegated through this team (the `team_id` claim). */
  teamId?: string;
  /** Epoch seconds the access token must not outlive (principal: the principal's own token's `exp`). */
  notAfter?: number;
  /** Delegated: the acting user's own grant when it delegated, for switching back later. */
  actorGrant?: { scopes: Scope[]; exp: number };
}

/** A grant with its new refresh token (opaque; only its hash is stored). */
export interface GrantWithRefresh {
  grant: ServiceGrant;
  refreshToken: string;
}

/** What the caller of `switchToPrincipal` knows of its token from verifying it. */
export interface DelegationClaims {
  /** The kind the service wrote into a token it signed; absent for any other token. */
  kind?: string | undefined;
  /** The acting user's own grant, recorded in a delegated token the service signed. */
  actorGrant?: { scopes: readonly string[]; exp: number } | undefined;
}

/** What introspection asks about (RFC 7662): a verified access token's claims, or a refresh token. */
export type GrantQuery =
  | {
      type: "access_token";
      kind?: string | undefined;
      sub: string;
      /** The acting user (`azp` of a service token, `act.sub`); absent or `sub` when not delegated. */
      actor?: string | null | undefined;
      teamId?: string | null | undefined;
      scopes: readonly string[];
    }
  | { type: "refresh_token"; token: string };

/** Introspection's answer about a grant; for a live refresh token, what it grants. */
export type GrantStatus =
  | { active: false }
  | {
      active: true;
      /** Refresh tokens only: what the token grants. */
      refresh?: {
        kind: "delegated" | "principal";
        sub: string;
        actor: string | null;
        teamId: string | null;
        scopes: Scope[];
        /** Epoch seconds. */
        exp: number;
      };
    };

/** Who may introspect: an admin-scoped token, or the resource server's shared secret. */
export type IntrospectionCaller = P | { resourceServer: true };

/** Options of the tokens the service issues. */
export interface DelegationOptions {
  /** Lifetime of a delegated refresh token, renewed at each rotation. */
  refreshTokenTtlSeconds: number;
}

const hashOf = (token: string) => createHash("sha256").update(token).digest("base64url");
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const isoOf = (epoch: number) => new Date(epoch * 1000).toISOString();
const knownScopes = (scopes: readonly string[]) => canonicalScopes(scopes.filter(isScope));
const decodeAll = (stored: string | null) =>
  stored === null || stored === "" ? [] : knownScopes(stored.split(" "));

/** What a refresh ended in, decided inside the write and thrown after it committed. */
type Outcome = { ok: GrantWithRefresh } | { refused: TeamsError };

export function delegationUseCases(ctx: Context, options: DelegationOptions) {
  const { store } = ctx;
  const ttl = options.refreshTokenTtlSeconds;

  /** Whether the delegated row's basis still holds, its rows locked until the write commits. */
  async function lockedBasisHolds(tx: WriteStore, row: w.RefreshTokenRow): Promise<boolean> {
    const subject = await w.lockUser(tx, row.user_id);
    if (row.kind === "principal") return subject !== undefined && row.actor_id === null;
    if (row.actor_id === null) return false;
    const teamId = row.team_id;
    const actorIsMember = teamId !== null && (await w.lockMembership(tx, teamId, row.actor_id));
    const granted =
      teamId === null ? undefined : await w.lockAuthorization(tx, teamId, row.user_id);
    return basisHolds(
      { actor: row.actor_id, scopes: decodeAll(row.scopes), teamId },
      {
        subjectManagerId: subject === undefined ? undefined : subject.manager_id,
        actorIsMember,
        granted: granted === undefined ? undefined : decodeScopes(granted),
      },
    );
  }

  /** The access token's grant a stored refresh token stands for. */
  function grantOf(row: w.RefreshTokenRow): ServiceGrant {
    const scopes = decodeAll(row.scopes);
    if (row.kind === "principal") {
      return {
        kind: "principal",
        sub: row.user_id,
        scopes,
        notAfter: epochSeconds(row.expires_at),
      };
    }
    return {
      kind: "delegated",
      sub: row.user_id,
      ...(row.actor_id === null ? {} : { actor: row.actor_id }),
      scopes,
      ...(row.team_id === null ? {} : { teamId: row.team_id }),
      ...(row.actor_expires_at === null
        ? {}
        : {
            actorGrant: {
              scopes: decodeAll(row.actor_scopes),
              exp: epochSeconds(row.actor_expires_at),
            },
          }),
    };
  }

  /** Whether `sub` authorized a team the caller belongs to (then a refusal is 403, not 404). */
  async function knowsSubject(s: Store, p: Principal, sub: string): Promise<boolean> {
    if (!isPlausibleId(sub)) return false;
    const access = await a.findAccessFacts(s, p.userId, sub);
    return (access?.grantedScopes.length ?? 0) > 0;
  }

  /** Introspection is for an admin-scoped token or the resource server (401, 403 otherwise). */
  async function permitIntrospection(caller: IntrospectionCaller): Promise<void> {
    if (caller && "resourceServer" in caller) return;
    (await useToken(ctx, caller, "administration")).permit();
  }

  return {
    permitIntrospection,

    /**
     * A person obtains a token acting as another user (`POST /api/v1/oauth/delegated-token`):
     * a user it manages, or through a team it is a member of a user who authorized that team.
     * `actorToken` is the caller's own token (its `exp`), recorded for switching back. The grant
     * is decided on the basis rows locked in the write that stores the refresh token, so a
     * revocation at once never leaves this token usable after it.
     */
    async issueDelegation(
      principal: P,
      body: unknown,
      actorToken: { exp: number },
    ): Promise<GrantWithRefresh> {
      const token = await useToken(ctx, principal, "delegation");
      const p = token.principal;
      const input = parseInput(DelegatedTokenInput, body);
      token.permit();
      const request = {
        sub: input.sub,
        scopes: input.scopes,
        teamId: input.team_id,
      };
      const now = ctx.now();
      const refreshToken = newRefreshToken();
      const actorScopes = knownScopes(p.scopes);
      const grant = await ctx.write(async (tx): Promise<DelegationGrant> => {
        // Read again with the rows locked: the manager, the membership and the authorization.
        const subject = isPlausibleId(input.sub) ? await w.lockUser(tx, input.sub) : undefined;
        const teamId = request.teamId;
        const callerIsMember =
          teamId !== undefined && isPlausibleId(teamId)
            ? await w.lockMembership(tx, teamId, p.userId)
            : false;
        const granted =
          teamId !== undefined && subject && isPlausibleId(teamId)
            ? await w.lockAuthorization(tx, teamId, input.sub)
            : undefined;
        const facts = {
          subject: subject && { managerId: subject.manager_id },
          callerIsMember,
          granted: granted === undefined ? undefined : decodeScopes(granted),
          knowsSubject: false,
        };
        let outcome = decideDelegatedToken(p, request, facts);
        // Whether the caller knows the user only tells a 404 from a 403: read for a refusal only.
        if (outcome instanceof NotFound && subject) {
          outcome = decideDelegatedToken(p, request, {
            ...facts,
            knowsSubject: await knowsSubject(tx, p, input.sub),
          });
        }
        if (outcome instanceof Error) throw outcome;
        // The caller's row is the actor's foreign key (a user first seen in its token).
        await w.ensureUserRow(tx, { id: p.userId }, now);
        await w.insertRefreshToken(tx, {
          token_hash: hashOf(refreshToken),
          family_id: randomUUID(),
          kind: "delegated",
          user_id: outcome.sub,
          actor_id: outcome.actor,
          team_id: outcome.teamId ?? null,
          scopes: encodeScopes(outcome.scopes),
          actor_scopes: encodeScopes(actorScopes),
          actor_expires_at: isoOf(actorToken.exp),
          expires_at: isoOf(epochSeconds(now) + ttl),
          created_at: now,
        });
        return outcome;
      }, "read committed");
      return {
        grant: {
          kind: "delegated",
          sub: grant.sub,
          actor: grant.actor,
          scopes: grant.scopes,
          ...(grant.teamId === undefined ? {} : { teamId: grant.teamId }),
          actorGrant: { scopes: actorScopes, exp: actorToken.exp },
        },
        refreshToken,
      };
    },

    /**
     * Exchanges a refresh token for a new grant and a new refresh token (rotation), or refuses
     * it with `InvalidGrant`: unknown, expired, used before (the whole family then ends, RFC 9700
     * §4.14), or its basis gone (the family then ends). The basis is re-read with its rows locked
     * (then the token's own row), the order in which the writes that end a basis take them.
     */
    async refreshGrant(refreshToken: unknown): Promise<GrantWithRefresh> {
      if (typeof refreshToken !== "string" || !REFRESH_TOKEN.test(refreshToken)) {
        throw new InvalidGrant(messages.refreshTokenInvalid);
      }
      const hash = hashOf(refreshToken);
      const now = ctx.now();
      const outcome = await ctx.write(async (tx): Promise<Outcome> => {
        const seen = await findRefreshToken(tx, hash);
        if (!seen) return { refused: new InvalidGrant(messages.refreshTokenInvalid) };
        const holds = await lockedBasisHolds(tx, seen);
        const row = await w.relockRefreshToken(tx, hash, seen);
        if (!row) return { refused: new InvalidGrant(messages.refreshTokenInvalid) };
        if (row.used_at !== null) {
          await w.endRefreshFamily(tx, row.family_id);
          return { refused: new InvalidGrant(messages.refreshTokenReused) };
        }
        if (Date.parse(row.expires_at) <= Date.parse(now)) {
          await w.endRefreshFamily(tx, row.family_id);
          return { refused: new InvalidGrant(messages.refreshTokenInvalid) };
        }
        if (!holds) {
          await w.endRefreshFamily(tx, row.family_id);
          return { refused: new InvalidGrant(messages.refreshBasisGone) };
        }
        const next = newRefreshToken();
        const { used_at: _, ...kept } = row;
        const successor: w.RefreshTokenRow = {
          ...kept,
          token_hash: hashOf(next),
          created_at: now,
          // A delegated family lives on while it is used; a principal's never past its own token.
          expires_at: row.kind === "principal" ? row.expires_at : isoOf(epochSeconds(now) + ttl),
        };
        if (!(await w.rotateRefreshToken(tx, hash, successor))) {
          return { refused: new InvalidGrant(messages.refreshTokenInvalid) };
        }
        return { ok: { grant: grantOf(successor), refreshToken: next } };
      }, "read committed");
      if ("refused" in outcome) throw outcome.refused;
      return outcome.ok;
    },

    /**
     * Switches a delegated token the service issued back to its acting user
     * (`GET /api/v1/oauth/principal-token`): the principal's scopes as recorded when it
     * delegated, and never past its own token's `exp` then (the refresh token neither): switching
     * back never extends anyone's authority or lifetime.
     */
    async switchToPrincipal(principal: P, claims: DelegationClaims): Promise<GrantWithRefresh> {
      const token = await useToken(ctx, principal, "principal-token");
      const p = token.principal;
      token.permit();
      const recorded = claims.actorGrant;
      if (!isDelegated(p) || claims.kind !== "delegated" || !recorded || !p.authorizedParty) {
        throw new Forbidden(messages.principalTokenNeedsDelegation, {
          reason: "not_a_service_delegation",
        });
      }
      const actor = p.authorizedParty;
      const now = ctx.now();
      if (recorded.exp <= epochSeconds(now)) {
        throw new NotAuthenticated(messages.couldNotValidate, { reason: "token_expired" });
      }
      const scopes = knownScopes(recorded.scopes);
      const refreshToken = newRefreshToken();
      await ctx.write(async (tx) => {
        if (!(await w.lockUser(tx, actor)))
          throw new NotAuthenticated(messages.couldNotValidate, { reason: "actor_gone" });
        await w.insertRefreshToken(tx, {
          token_hash: hashOf(refreshToken),
          family_id: randomUUID(),
          kind: "principal",
          user_id: actor,
          actor_id: null,
          team_id: null,
          scopes: encodeScopes(scopes),
          actor_scopes: null,
          actor_expires_at: null,
          expires_at: isoOf(recorded.exp),
          created_at: now,
        });
      }, "read committed");
      return {
        grant: { kind: "principal", sub: actor, scopes, notAfter: recorded.exp },
        refreshToken,
      };
    },

    /**
     * Revokes a refresh token (RFC 7009): its whole family ends. An unknown or malformed token
     * is fine (nothing to do). The token's row is locked first, so a refresh at once either
     * finishes before (its successor is in the family deleted) or finds nothing.
     */
    async revokeRefreshToken(refreshToken: unknown): Promise<void> {
      if (typeof refreshToken !== "string" || !REFRESH_TOKEN.test(refreshToken)) return;
      const hash = hashOf(refreshToken);
      await ctx.write(async (tx) => {
        const row = await w.lockRefreshToken(tx, hash);
        if (row) await w.endRefreshFamily(tx, row.family_id);
      }, "read committed");
    },

    /**
     * Whether a grant is active (RFC 7662 introspection), for an admin-scoped token or the
     * resource server's secret: a verified access token whose basis still holds (a delegated
     * token's management relation or team authorization, a principal token's user), or a live
     * refresh token (stored, unused, unexpired, its basis intact).
     */
    async isGrantActive(caller: IntrospectionCaller, query: GrantQuery): Promise<GrantStatus> {
      await permitIntrospection(caller);
      const inactive = { active: false } as const;
      if (query.type === "refresh_token") {
        if (!REFRESH_TOKEN.test(query.token)) return inactive;
        const row = await findRefreshToken(store, hashOf(query.token));
        if (!row || row.used_at !== null || Date.parse(row.expires_at) <= Date.parse(ctx.now())) {
          return inactive;
        }
        return {
          active: true,
          refresh: {
            kind: row.kind,
            sub: row.user_id,
            actor: row.actor_id,
            teamId: row.team_id,
            scopes: decodeAll(row.scopes),
            exp: epochSeconds(row.expires_at),
          },
        };
      }
      if (!isPlausibleId(query.sub)) return inactive;
      const actor = query.actor ?? null;
      const delegated = actor !== null && actor !== query.sub;
      if (!delegated) {
        // A principal token stands while its user does; a person's own token is the issuer's.
        if (query.kind !== "principal") return { active: true };
        return (await findUser(store, query.sub)) ? { active: true } : inactive;
      }
      const subject = await findUser(store, query.sub);
      const teamId = query.teamId ?? null;
      if (!subject || (teamId !== null && !isPlausibleId(teamId))) return inactive;
      const holds = basisHolds(
        { actor, scopes: query.scopes, teamId },
        {
          subjectManagerId: subject.manager_id,
          actorIsMember: teamId !== null && (await m.findRole(store, teamId, actor)) !== null,
          granted:
            teamId === null
              ? undefined
              : await a
                  .findAuthorizationScopes(store, teamId, query.sub)
                  .then((s) => (s === undefined ? undefined : decodeScopes(s))),
        },
      );
      return holds ? { active: true } : inactive;
    },
  };
}
