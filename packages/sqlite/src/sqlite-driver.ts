import type BetterSqlite3 from "better-sqlite3";
import { CompiledQuery, type DatabaseConnection, type Driver } from "kysely";
import { SqliteConnection } from "./sqlite-connection.js";

/**
 * Kysely driver over one better-sqlite3 connection whose transactions all begin IMMEDIATE: the
 * write lock is taken (waiting up to the busy timeout) before the first read, so a read-then-write
 * transaction never fails with SQLITE_BUSY_SNAPSHOT when another process wrote in between.
 */
export class ImmediateSqliteDriver implements Driver {
  readonly #connection: SqliteConnection;
  #queue: Promise<void> = Promise.resolve();

  constructor(database: BetterSqlite3.Database) {
    this.#connection = new SqliteConnection(database);
  }

  async init(): Promise<void> {}

  /** One connection, handed out in turn: a transaction holds it from begin to commit. */
  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue;
    let release!: () => void;
    this.#queue = new Promise((resolve) => {
      release = resolve;
    });
    await previous;
    this.#release = release;
    return this.#connection;
  }

  #release: (() => void) | undefined;

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // Kysely also rolls back when BEGIN itself failed (busy); there is nothing to undo then, and
    // a failing ROLLBACK would hide the error that matters.
    if (this.#connection.database.inTransaction) {
      await connection.executeQuery(CompiledQuery.raw("rollback"));
    }
  }

  async destroy(): Promise<void> {
    this.#connection.database.close();
  }
}
