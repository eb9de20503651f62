import type { Kysely } from "kysely";
import { adminUseCases } from "./admin-use-cases.js";
import { createContext } from "./context.js";
import type { Database } from "./database.js";
import { delegationUseCases } from "./delegation-use-cases.js";
import { Invalid, NotAuthenticated } from "./errors.js";
import { eventsUseCases } from "./events-use-cases.js";
import { historyUseCases } from "./history-use-cases.js";
import { isPlausibleId } from "./ids.js";
import { managementUseCases } from "./management-use-cases.js";
import type { TeamsObserver } from "./observer.js";
import { referenceUseCases } from "./reference-use-cases.js";
import type { StoreKind } from "./store-kind.js";
import { ensureUserRow, forgetDeletion } from "./store-writes.js";
import { findDeletion, findTokenBound } from "./user-queries.js";
import { userUseCases } from "./user-use-cases.js";
import { webhookOutbox } from "./webhook-outbox.js";
import type { WebhookTargets } from "./webhook-target.js";
import { webhookUseCases } from "./webhook-use-cases.js";

export interface CreateTeamsOptions {
  /** The store, migrated (see `openSqliteStore`, or `migrateToLatest` for a database of your own). */
  db: Kysely<Database>;
  /**
   * What the store is: `store.kind` of an opened store, or `sqliteStoreKind` (`@teams/sqlite`) /
   * `postgresStoreKind` (`@teams/postgres`) for a Kysely of your own.
   */
  kind: StoreKind;
  /** Source of the current time, for `granted_at`/`updated_at`. Defaults to `() => new Date()`. */
  clock?: () => Date;
  /**
   * How many times a write transaction that lost a race (serialization failure, deadlock) is run
   * (with a short jittered pause between runs) before the caller gets `Unavailable`. Default 8.
   */
  maxAttempts?: number;
  /**
   * Lifetime in seconds of a refresh token of a delegated token the service issues, renewed at
   * each rotation (a principal's refresh token never outlives the principal's own token).
   * Default 30 days.
   */
  refreshTokenTtlSeconds?: number;
  /**
   * What deleting a user does to the consent log records of its authorizations (and of the users
   * it manages): `"delete"` removes them with the user (the default); `"keep"` keeps them, for an
   * operator whose legal duty is to prove past consent (GDPR Art. 7(1)). The operator's choice.
   */
  historyRetention?: HistoryRetention;
  /**
   * Told what happens for metrics: consent changes after their commit, write transactions run
   * again after losing a race, writes that failed for the store's sake (see `TeamsObserver`).
   * Default: nothing is reported.
   */
  observer?: TeamsObserver;
  /** Where webhooks may be sent (default: public addresses only, the system resolver). */
  webhooks?: WebhookTargets;
  /**
   * Called after a write transaction that appended consent records commits: each record is also a
   * webhook event in the outbox, so a delivery worker wakes up on it rather than at its next poll.
   * (Not after every write: a token refresh, or the worker's own bookkeeping, has nothing to send.)
   * Default none.
   */
  afterEvents?: () => void;
}

/** See `CreateTeamsOptions.historyRetention`. */
export type HistoryRetention = "delete" | "keep";

/** The identity a valid token carries, for `ensureUser`. */
export interface Identity {
  id: string;
  first_name?: string | null;
  last_name?: string | null;
  /**
   * When the token was issued (its `iat`, seconds since the epoch). A token without one cannot
   * prove it is newer than a deletion of its user, so it is refused for a deleted id like an old one.
   */
  iat?: number;
}

/** Whether a token issued at `iat` (seconds) is newer than `instant`: a token of the same second is not. */
function issuedAfter(iat: number | undefined, instant: string): boolean {
  return iat !== undefined && iat * 1000 > Date.parse(instant);
}

const deletedUser = () =>
  new NotAuthenticated("Could not validate credentials", { reason: "user_deleted" });

/**
 * Every use case of Teams over one store. Each takes the caller's `Principal` first (null or
 * undefined answers `NotAuthenticated`) and throws only the typed errors of `errors.ts` on purpose.
 */
export function createTeams(options: CreateTeamsOptions) {
  const store = { db: options.db, kind: options.kind };
  const ctx = createContext(
    store,
    options.clock ?? (() => new Date()),
    options.maxAttempts ?? 8,
    options.observer,
    options.afterEvents,
  );
  const retention = { keepHistory: options.historyRetention === "keep" };
  return {
    ...referenceUseCases(ctx),
    ...managementUseCases(ctx),
    ...userUseCases(ctx, retention),
    ...adminUseCases(ctx, retention),
    ...historyUseCases(ctx),
    ...eventsUseCases(ctx),
    ...webhookUseCases(ctx, options.webhooks ?? {}),
    ...delegationUseCases(ctx, {
      refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 30 * 24 * 3600,
    }),
    /** What the host's webhook delivery worker uses (no principal: the service itself). */
    webhookOutbox: webhookOutbox(ctx),
    /**
     * Records a user first seen in a valid token; an existing user is left as it is. A token of a
     * deleted user (issued before the deletion, or without `iat`) is `NotAuthenticated` and does not
     * bring the user back; a newer one (the identity provider's new account with the same id) does.
     * Null (a delegated token, whose subject must exist already) records nothing.
     */
    async ensureUser(identity: Identity | null): Promise<void> {
      if (identity === null) return;
      if (!isPlausibleId(identity.id)) {
        throw new Invalid([
          {
            type: "value_error",
            loc: ["sub"],
            msg: "Value error, not a usable user id",
            input: identity.id,
          },
        ]);
      }
      // A read first: this runs on every authenticated request, and only a new user needs a write.
      // A known user costs this one read; only an unknown id reads the deletions.
      const refuseOlder = (bound: string | null) => {
        if (bound !== null && !issuedAfter(identity.iat, bound)) throw deletedUser();
      };
      const known = await findTokenBound(store, identity.id);
      if (known) return refuseOlder(known.issued_after);
      const now = ctx.now();
      await ctx.write(async (tx) => {
        // Read again in the write: a newer token may have re-created the user in between.
        const created = await findTokenBound(tx, identity.id);
        if (created) return refuseOlder(created.issued_after);
        const deletedAt = await findDeletion(tx, identity.id);
        if (deletedAt === undefined) return ensureUserRow(tx, identity, now);
        refuseOlder(deletedAt);
        // The row takes the deletion's instant (`issued_after`): the record is no longer needed.
        await ensureUserRow(tx, identity, now);
        await forgetDeletion(tx, identity.id);
      });
    },
  };
}

export type Teams = ReturnType<typeof createTeams>;
