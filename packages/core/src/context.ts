import type { Kysely, Transaction } from "kysely";
import type { Database } from "./database.js";
import { NotAuthenticated } from "./errors.js";
import type { Principal } from "./principal.js";

/** What every use case gets: the store, the clock, and the one way to write. */
export interface Context {
  db: Kysely<Database>;
  /** The current instant as ISO-8601. */
  now(): string;
  /** Runs `fn` in one write transaction: all of it lands, or none of it. */
  write<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
}

export function createContext(db: Kysely<Database>, clock: () => Date): Context {
  return {
    db,
    now: () => clock().toISOString(),
    write: (fn) => db.transaction().execute(fn),
  };
}

/** The first check of every use case: there is a principal (HTTP 401 otherwise). */
export function requirePrincipal(principal: Principal | null | undefined): Principal {
  if (!principal) throw new NotAuthenticated("Not authenticated");
  return principal;
}

/** Inserts the user row for an id seen in a valid token, keeping an existing row as it is. */
export async function ensureUserRow(
  db: Kysely<Database>,
  user: { id: string; first_name?: string | null; last_name?: string | null },
  now: string,
): Promise<void> {
  await db
    .insertInto("users")
    .values({
      id: user.id,
      first_name: user.first_name ?? null,
      last_name: user.last_name ?? null,
      manager_id: null,
      created_at: now,
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
}
