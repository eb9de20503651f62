import type { Kysely, Transaction } from "kysely";
import type { Database } from "./database.js";
import { NotAuthenticated, Unavailable } from "./errors.js";
import { prepare } from "./prepared-query.js";
import type { Principal } from "./principal.js";

/** What every use case gets: the store, the clock, and the one way to write. */
export interface Context {
  db: Kysely<Database>;
  /** The current instant as ISO-8601. */
  now(): string;
  /** Runs `fn` in one write transaction: all of it lands, or none of it. */
  write<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
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

export function createContext(
  db: Kysely<Database>,
  clock: () => Date,
  maxAttempts: number,
): Context {
  return {
    db,
    now: () => clock().toISOString(),
    // Serializable: on PostgreSQL, interleavings that could break a rule (two owners demoting each
    // other) fail and are retried; the SQLite store serializes writers with BEGIN IMMEDIATE anyway.
    async write(fn) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await db.transaction().setIsolationLevel("serializable").execute(fn);
        } catch (error) {
          if (!isTransientConflict(error)) throw error;
          if (attempt >= maxAttempts) {
            throw new Unavailable("The store is busy; try again", 1, { cause: error });
          }
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
  if (!principal) throw new NotAuthenticated("Not authenticated");
  return principal;
}

const insertUserIfMissing = prepare(
  (
    db: Kysely<Database>,
    id: string,
    firstName: string | null,
    lastName: string | null,
    now: string,
  ) =>
    db
      .insertInto("users")
      .values({ id, first_name: firstName, last_name: lastName, manager_id: null, created_at: now })
      .onConflict((oc) => oc.column("id").doNothing()),
);

/** Inserts the user row for an id seen in a valid token, keeping an existing row as it is. */
export async function ensureUserRow(
  db: Kysely<Database>,
  user: { id: string; first_name?: string | null; last_name?: string | null },
  now: string,
): Promise<void> {
  await insertUserIfMissing(db, user.id, user.first_name ?? null, user.last_name ?? null, now);
}
