import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult } from "kysely";
import { CommitBatch } from "./commit-batch.js";
import { isOwnSelect } from "./own-selects.js";
import { SqliteConnection } from "./sqlite-connection.js";
import type { SqliteDatabase, SqliteStatement } from "./sqlite-database.js";
import { translateSqliteError } from "./sqlite-errors.js";

/** Most transactions one commit carries; past it the batch commits before the next one begins. */
const MAX_BATCH_MEMBERS = 64;
/** Longest a batch stays open, in milliseconds, however busy the connection is. */
const MAX_BATCH_MS = 10;

const SETTLED = Promise.resolve();
/** Leases kept for reuse: as many as statements in flight at once, which is few. */
const MAX_IDLE_LEASES = 64;
const BEGIN = CompiledQuery.raw("begin immediate");
const SAVEPOINT = CompiledQuery.raw("savepoint teams_transaction");
const RELEASE = CompiledQuery.raw("release teams_transaction");
const ROLLBACK_TO = CompiledQuery.raw("rollback to teams_transaction");
const COMMIT = CompiledQuery.raw("commit");
const ROLLBACK = CompiledQuery.raw("rollback");

/**
 * Kysely driver over one better-sqlite3 connection, handed out in turn, whose transactions begin
 * IMMEDIATE: the write lock is taken (waiting up to the busy timeout) before the first read, so a
 * read-then-write transaction never fails with SQLITE_BUSY_SNAPSHOT when another process wrote.
 *
 * Group commit: with `synchronous=FULL` every COMMIT waits for the disk (a few hundred
 * microseconds), and one connection commits one transaction at a time. So the transactions that
 * arrive together share one: each runs in a SAVEPOINT inside an open `BEGIN IMMEDIATE`, and the
 * COMMIT runs once the connection goes idle (after the event loop has served the requests that
 * arrived together), after 64 transactions, or after 10 ms. A transaction's commit resolves only
 * after that COMMIT is durable, so nothing is acknowledged that a crash could lose; one that fails
 * rolls back its savepoint only. A statement outside any transaction that runs while a batch is
 * open sees the batch, and so answers only once the batch is durable too.
 */
export class ImmediateSqliteDriver implements Driver {
  readonly #connection: SqliteConnection;
  #holder: Lease | undefined;
  readonly #waiting: { lease: Lease; resume: () => void }[] = [];
  #batch: CommitBatch | undefined;
  #flushScheduled = false;

  constructor(
    readonly database: SqliteDatabase,
    readonly onError?: (error: unknown) => void,
  ) {
    this.#connection = new SqliteConnection(database, onError);
  }

  async init(): Promise<void> {}

  // Every statement outside a transaction acquires and releases the connection: these return
  // settled promises when nobody waits, rather than chaining awaits.
  acquireConnection(): Promise<DatabaseConnection> {
    // Leases are reused once Kysely has given them back: Kysely remembers every connection object
    // it is handed (a WeakSet entry each), which costs more than the lease itself.
    const lease = this.#idleLeases.pop() ?? new Lease(this);
    return this.#take(lease).then(() => lease);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    if (lease.held) this.#release(lease);
    lease.inTransaction = false;
    if (this.#idleLeases.length < MAX_IDLE_LEASES) this.#idleLeases.push(lease);
    return SETTLED;
  }

  readonly #idleLeases: Lease[] = [];

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    if (!this.#batch) {
      this.#run(BEGIN);
      this.#batch = new CommitBatch();
    }
    this.#run(SAVEPOINT);
    lease.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    this.#run(RELEASE);
    lease.inTransaction = false;
    const batch = this.#requireBatch();
    batch.members++;
    // The connection goes to the next transaction while this one waits for the batch's COMMIT.
    this.#release(lease);
    await batch.durable;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    // A commit that failed: the batch was rolled back whole, the connection already handed on.
    if (!lease.held || !lease.inTransaction) return;
    lease.inTransaction = false;
    if (!this.database.inTransaction) {
      this.#batchLost(new Error("the transaction was rolled back by SQLite"));
      return;
    }
    this.#run(ROLLBACK_TO);
    this.#run(RELEASE);
  }

  /** Commits an open batch, then closes the database. */
  async destroy(): Promise<void> {
    this.#flush();
    this.database.close();
  }

  /** Commits an open batch now (for closing the store). */
  flush(): void {
    this.#flush();
  }

  /**
   * Runs one statement for `lease`, waiting for its turn if it had handed the connection on.
   * `own`: one of the service's own selects, read the fast way (`SqliteConnection.readOwnRows`).
   */
  execute<R>(lease: Lease, query: CompiledQuery, own = false): Promise<QueryResult<R>> {
    if (lease.held && !this.#batch) return this.#executeNow<R>(query, own);
    return this.#executeInTurn(lease, query, own);
  }

  #executeNow<R>(query: CompiledQuery, own: boolean): Promise<QueryResult<R>> {
    const connection = this.#connection;
    return own ? connection.readOwnRows<R>(query) : connection.executeQuery<R>(query);
  }

  /** Streams one statement's rows for `lease` (see `SqliteConnection.streamQuery`). */
  async *stream<R>(
    lease: Lease,
    query: CompiledQuery,
    chunkSize: number | undefined,
  ): AsyncIterableIterator<QueryResult<R>> {
    if (!lease.held) await this.#take(lease);
    for (let batch = this.#batch; batch && !lease.inTransaction; batch = this.#batch) {
      // A long read does not join an open batch: it starts once the batch is durable.
      this.#release(lease);
      await batch.durable.catch(() => {});
      await this.#take(lease);
    }
    yield* this.#connection.streamQuery<R>(query, chunkSize);
  }

  async #executeInTurn<R>(
    lease: Lease,
    query: CompiledQuery,
    own: boolean,
  ): Promise<QueryResult<R>> {
    if (!lease.held) await this.#take(lease);
    let result: QueryResult<R>;
    try {
      result = await this.#executeNow<R>(query, own);
    } catch (error) {
      if (this.#batch && !this.database.inTransaction) this.#batchLost(error);
      throw error;
    }
    const batch = this.#batch;
    if (batch && !lease.inTransaction) {
      // It read (or wrote) inside the open batch: it answers once the batch is durable.
      this.#release(lease);
      await batch.durable;
    }
    return result;
  }

  #take(lease: Lease): Promise<void> {
    if (this.#holder === undefined && this.#waiting.length === 0) {
      this.#holder = lease;
      lease.held = true;
      return SETTLED;
    }
    return new Promise<void>((resume) => this.#waiting.push({ lease, resume }));
  }

  #release(lease: Lease): void {
    lease.held = false;
    if (this.#holder !== lease) return;
    this.#holder = undefined;
    const batch = this.#batch;
    if (batch && (batch.members >= MAX_BATCH_MEMBERS || batch.age() >= MAX_BATCH_MS)) this.#flush();
    const next = this.#waiting.shift();
    if (next) {
      this.#holder = next.lease;
      next.lease.held = true;
      next.resume();
    } else if (this.#batch && !this.#flushScheduled) {
      // After the I/O callbacks of this turn of the event loop: the requests that arrived with
      // this one join the batch first.
      this.#flushScheduled = true;
      setImmediate(() => {
        this.#flushScheduled = false;
        if (this.#holder === undefined) this.#flush();
      });
    }
  }

  #flush(): void {
    const batch = this.#batch;
    if (!batch) return;
    this.#batch = undefined;
    try {
      this.#run(COMMIT);
      batch.commit();
    } catch (error) {
      if (this.database.open && this.database.inTransaction) {
        try {
          this.#run(ROLLBACK);
        } catch {
          // The COMMIT's error is the one to report.
        }
      }
      batch.fail(error);
    }
  }

  /** SQLite rolled the whole transaction back (an I/O error, a full disk): every member failed. */
  #batchLost(error: unknown): void {
    const batch = this.#batch;
    this.#batch = undefined;
    batch?.fail(error);
  }

  #requireBatch(): CommitBatch {
    const batch = this.#batch;
    if (!batch) throw new Error("no transaction is open");
    return batch;
  }

  readonly #control = new Map<CompiledQuery, SqliteStatement>();

  /** Runs a transaction-control statement synchronously, errors translated as for any statement. */
  #run(query: CompiledQuery): void {
    try {
      let statement = this.#control.get(query);
      if (!statement) {
        statement = this.database.prepare(query.sql);
        this.#control.set(query, statement);
      }
      statement.run([]);
    } catch (error) {
      const translated = translateSqliteError(error);
      this.onError?.(translated);
      throw translated;
    }
  }
}

/**
 * One turn with the connection, as Kysely holds it between acquire and release. A query marked by
 * `sqliteStoreKind.readOwnRows` (own-selects.ts) is read the fast way, on the same queue.
 */
class Lease implements DatabaseConnection {
  held = false;
  inTransaction = false;

  constructor(readonly driver: ImmediateSqliteDriver) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.execute<R>(this, query, isOwnSelect(query));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.driver.stream<R>(this, query, chunkSize);
  }
}
