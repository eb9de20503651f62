import type { Context, Store } from "./context.js";
import { NotFound } from "./errors.js";
import { isPlausibleId, newId } from "./ids.js";
import { type Page, toPage } from "./pagination.js";
import { decideChangeOrigin } from "./policy/consent-actor.js";
import { messages } from "./policy/messages.js";
import {
  decideCreateManagedUser,
  decideListedUsers,
  decideManagedUserTarget,
  type ListedCandidate,
} from "./policy/user-policy.js";
import type { Principal } from "./principal.js";
import { ManagedUserInput, ManagedUserPatch, UsersPageQuery } from "./request-schemas.js";
import type { UserResponse, UserSummary } from "./schemas.js";
import * as w from "./store-writes.js";
import { useToken } from "./token-use.js";
import * as u from "./user-queries.js";
import { parseInput } from "./validation.js";

// Users as the reference's platform serves them (DESIGN §4): `/api/v1/users/...`. Every one
// refuses delegated tokens (the token table's "users" kind).

type P = Principal | null | undefined;

/** The caller's managed user `userId`, or the one 404 for every other case. */
async function managedTarget(s: Store, callerId: string, userId: string) {
  const target = isPlausibleId(userId) ? await w.lockUser(s, userId) : undefined;
  const refused = decideManagedUserTarget(callerId, target && { managerId: target.manager_id });
  if (refused) throw refused;
}

async function reread(s: Store, userId: string): Promise<UserResponse> {
  const user = await u.findUser(s, userId);
  if (!user) throw new NotFound(messages.userNotFound);
  return u.toUserResponse(user);
}

export function userUseCases(ctx: Context, retention: { keepHistory: boolean }) {
  const { store } = ctx;

  return {
    /** Creates a user managed by the caller (`POST /api/v1/users/`). */
    async createManagedUser(principal: P, body: unknown): Promise<UserResponse> {
      const token = await useToken(ctx, principal, "users");
      const p = token.principal;
      const input = parseInput(ManagedUserInput, body);
      token.permit();
      const id = newId();
      const now = ctx.now();
      return ctx.write(async (tx) => {
        const caller = await u.findUser(tx, p.userId);
        const refused = decideCreateManagedUser(p, caller && { managerId: caller.manager_id });
        if (refused) throw refused;
        await w.ensureUserRow(tx, { id: p.userId }, now);
        await w.insertManagedUser(tx, { id, ...input, manager_id: p.userId }, now);
        return reread(tx, id);
      });
    },

    /**
     * The users the caller can access (`GET /api/v1/users/`): itself, the users it manages
     * (`include_managed`) and the users who authorized one of its teams (`include_shared`), each
     * with the scopes it can use, by display name then id; one page when `limit` is given.
     */
    async listUsers(principal: P, query: UsersPageQuery = {}): Promise<Page<UserSummary>> {
      const token = await useToken(ctx, principal, "users");
      const callerId = token.principal.userId;
      const parts = parseInput(UsersPageQuery, query);
      const includeManaged = parts.include_managed ?? true;
      const includeShared = parts.include_shared ?? true;
      token.permit();
      const self = await u.findUser(store, callerId);
      const candidates: ListedCandidate<u.UserRow>[] = self
        ? [{ user: self, relation: "self" }]
        : [];
      if (includeManaged) {
        for (const user of await u.listManagedBy(store, callerId)) {
          candidates.push({ user, relation: "managed" });
        }
      }
      if (includeShared) {
        for (const { user, granted } of await u.listSharingWith(store, callerId)) {
          candidates.push({ user, relation: "shared", granted });
        }
      }
      const listed = decideListedUsers(
        candidates,
        { includeManaged, includeShared },
        u.userKey,
        parts.cursor,
      );
      const rows = parts.limit === undefined ? listed : listed.slice(0, parts.limit + 1);
      return toPage(
        "user-list",
        rows,
        parts.limit,
        (row) => u.userKey(row.user),
        ({ user, scopes }) => ({
          id: user.id,
          first_name: user.first_name,
          last_name: user.last_name,
          scopes,
          display_name: user.display_name,
          is_managed: user.manager_id !== null,
        }),
      );
    },

    /** One of the caller's managed users (`GET /api/v1/users/{user_id}`). */
    async getManagedUser(principal: P, userId: string): Promise<UserResponse> {
      const token = await useToken(ctx, principal, "users");
      token.permit();
      const user = isPlausibleId(userId) ? await u.findUser(store, userId) : undefined;
      const refused = decideManagedUserTarget(
        token.principal.userId,
        user && { managerId: user.manager_id },
      );
      if (refused || !user) throw refused ?? new NotFound(messages.userNotFound);
      return u.toUserResponse(user);
    },

    /** Renames one of the caller's managed users; names not given stay (`PUT .../{user_id}`). */
    async updateManagedUser(principal: P, userId: string, body: unknown): Promise<UserResponse> {
      const token = await useToken(ctx, principal, "users");
      const patch = parseInput(ManagedUserPatch, body ?? {});
      token.permit();
      const names = Object.fromEntries(
        Object.entries(patch).filter(([, v]) => v !== undefined && v !== null),
      );
      return ctx.write(async (tx) => {
        await managedTarget(tx, token.principal.userId, userId);
        await w.renameUserRow(tx, userId, names);
        return reread(tx, userId);
      });
    },

    /** Deletes one of the caller's managed users with all that hangs on it, in one transaction. */
    async deleteManagedUser(principal: P, userId: string): Promise<void> {
      const token = await useToken(ctx, principal, "users");
      token.permit();
      const now = ctx.now();
      const origin = decideChangeOrigin(token.principal, { kind: "user-deletion", as: "manager" });
      await ctx.write(async (tx) => {
        await managedTarget(tx, token.principal.userId, userId);
        // A managed user manages no one (one level), so nothing else goes with it.
        if (!(await w.deleteUserRows(tx, userId, [], now, origin, retention))) {
          throw new NotFound(messages.userNotFound);
        }
      });
    },
  };
}
