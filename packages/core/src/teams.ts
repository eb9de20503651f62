import type { Kysely } from "kysely";
import { adminUseCases } from "./admin-use-cases.js";
import { createContext } from "./context.js";
import type { Database } from "./database.js";
import { Invalid } from "./errors.js";
import { isPlausibleId } from "./ids.js";
import { managementUseCases } from "./management-use-cases.js";
import { referenceUseCases } from "./reference-use-cases.js";
import type { StoreKind } from "./store-kind.js";
import { ensureUserRow } from "./store-writes.js";
import { userExists } from "./user-queries.js";

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
}

/** The identity a valid token carries, for `ensureUser`. */
export interface Identity {
  id: string;
  first_name?: string | null;
  last_name?: string | null;
}

/**
 * Every use case of Teams over one store. Each takes the caller's `Principal` first (null or
 * undefined answers `NotAuthenticated`) and throws only the typed errors of `errors.ts` on purpose.
 */
export function createTeams(options: CreateTeamsOptions) {
  const store = { db: options.db, kind: options.kind };
  const ctx = createContext(store, options.clock ?? (() => new Date()), options.maxAttempts ?? 8);
  return {
    ...referenceUseCases(ctx),
    ...managementUseCases(ctx),
    ...adminUseCases(ctx),
    /**
     * Records a user first seen in a valid token; an existing user is left as it is. Null (a
     * delegated token, whose subject must exist already) records nothing.
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
      if (await userExists(store, identity.id)) return;
      await ensureUserRow(store, identity, ctx.now());
    },
  };
}

export type Teams = ReturnType<typeof createTeams>;
