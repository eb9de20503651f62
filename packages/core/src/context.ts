import type { Kysely, Transaction } from "kysely";
import type { Database } from "./database.js";
import { NotAuthenticated, TeamsError, Unavailable } from "./errors.js";
import { ConsentTally, type StoreFailure, type TeamsObserver } from "./observer.js";
import type { Principal } from "./principal.js";
import type { StoreKind } from "./store-kind.js";

/** The store as queries and writes use it: a Kysely instance (or one of its transactions) and its kind. */
export interface Store {
  db: Kysely<Database>;
  kind: StoreKind;
  /** In a write transaction: the consent records it appends, reported once it commits. */
  consentTally?: ConsentTally;
}

/** The store inside a write transaction. */
export interface WriteStore extends Store {
  db: Transaction<Database>;
}

/**
 * How a write is isolated. `serializable` (the default) for a write whose rule reads rows that
 * another write could change in between (the last owner of a team); `read committed` for a write
 * whose rule holds through the rows it locks (see `lockForWrite`): concurrent writes of one row
 * then wait for each other instead of failing and being retried.
 */
export type WriteIsolation = "serializable" | "read committed";

/** What every use case gets: the store, the clock, and the one way to write. */
export interface Context {
  store: Store;
  /** The current instant as ISO-8601. */
  now(): string;
  /** Runs `fn` in one write transaction: all of it lands, or none of it. */
  write<T>(fn: (tx: WriteStore) => Promise<T>, isolation?: WriteIsolation): Promise<T>;
}

/**
 * SQLSTATEs of a transaction that lost a race and changed nothing: serialization failure and
 * deadlock. Running it again is the cure.
 */
const TRANSIENT_SQLSTATES = new Set(["40001", "40P01"]);

export function isTransientConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && TRANSIENT_SQLSTATES.has(code);
}

/** Why a write that threw `error` failed, when it is the store's fault; undefined for a typed answer. */
function storeFailure(error: unknown): StoreFailure | undefined {
  if (error instanceof Unavailable) return "unavailable";
  return error instanceof TeamsError ? undefined : "unexpected";
}

export function createContext(
  store: Store,
  clock: () => Date,
  maxAttempts: number,
  observer: TeamsObserver = {},
  afterEvents?: () => void,
): Context {
  const { db, kind } = store;
  return {
    store,
    now: () => clock().toISOString(),
    // On PostgreSQL, serializable interleavings that could break a rule (two owners demoting each
    // other) fail and are retried; the SQLite store serializes writers with BEGIN IMMEDIATE anyway.
    async write(fn, isolation = "serializable") {
      for (let attempt = 1; ; attempt++) {
        // A fresh tally per attempt: an attempt that lost its race appended nothing.
        const consentTally = new ConsentTally();
        try {
          const result = await db
            .transaction()
            .setIsolationLevel(isolation)
            .execute((trx) => fn({ db: trx, kind, consentTally }));
          consentTally.report(observer);
          if (!consentTally.empty) afterEvents?.();
          return result;
        } catch (error) {
          if (!isTransientConflict(error)) {
            const failure = storeFailure(error);
            if (failure) observer.storeFailed?.(failure);
            throw error;
          }
          if (attempt >= maxAttempts) {
            observer.storeFailed?.("contention");
            throw new Unavailable("The store is busy; try again", 1, { cause: error });
          }
          observer.storeRetried?.(attempt);
          // A short jittered pause, so the transactions that collided do not collide again.
          await new Promise((resolve) =>
            setTimeout(resolve, Math.random() * 2 ** Math.min(attempt, 6)),
          );
        }
      }
    },
  };
}

/** The first check of every use case: there is a principal (HTTP 401 otherwise). */
export function requirePrincipal(principal: Principal | null | undefined): Principal {
  if (!principal) throw new NotAuthenticated("Not authenticated", { reason: "token_missing" });
  return principal;
}
