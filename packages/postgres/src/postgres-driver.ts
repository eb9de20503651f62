import type {
  CompiledQuery,
  DatabaseConnection,
  Driver,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from "kysely";
import { translatePostgresError } from "./postgres-errors.js";

/** Where a translated error goes besides the caller (see `onQueryError`). */
type OnError = ((error: unknown) => void) | undefined;

async function translated<T>(run: () => Promise<T>, onError: OnError): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const translatedError = translatePostgresError(error);
    onError?.(translatedError);
    throw translatedError;
  }
}

/** A connection of the inner driver whose errors come out translated. */
class TranslatingConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    readonly onError: OnError,
  ) {}

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    return translated(() => this.inner.executeQuery<R>(compiled), this.onError);
  }

  async *streamQuery<R>(
    compiled: CompiledQuery,
    chunkSize?: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(compiled, chunkSize);
    } catch (error) {
      const translatedError = translatePostgresError(error);
      this.onError?.(translatedError);
      throw translatedError;
    }
  }
}

const unwrap = (connection: DatabaseConnection): DatabaseConnection =>
  connection instanceof TranslatingConnection ? connection.inner : connection;

/**
 * Wraps a Kysely driver (here `PostgresDriver`) so every error of the server or the network, from
 * acquiring a connection to `COMMIT`, goes through `translatePostgresError`. Transaction control
 * is the inner driver's, which needs its own connection objects back: they are unwrapped.
 */
export class TranslatingDriver implements Driver {
  /** @param onError Told of each error translated (see `onQueryError`). */
  constructor(
    readonly inner: Driver,
    readonly onError?: (error: unknown) => void,
  ) {}

  init(): Promise<void> {
    return translated(() => this.inner.init(), this.onError);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await translated(() => this.inner.acquireConnection(), this.onError);
    return new TranslatingConnection(connection, this.onError);
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return translated(
      () => this.inner.beginTransaction(unwrap(connection), settings),
      this.onError,
    );
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return translated(() => this.inner.commitTransaction(unwrap(connection)), this.onError);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return translated(() => this.inner.rollbackTransaction(unwrap(connection)), this.onError);
  }

  savepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    const savepoint = this.inner.savepoint?.bind(this.inner);
    if (!savepoint) throw new Error("The inner driver has no savepoints");
    return translated(() => savepoint(unwrap(connection), name, compileQuery), this.onError);
  }

  rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    const rollback = this.inner.rollbackToSavepoint?.bind(this.inner);
    if (!rollback) throw new Error("The inner driver has no savepoints");
    return translated(() => rollback(unwrap(connection), name, compileQuery), this.onError);
  }

  releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    const release = this.inner.releaseSavepoint?.bind(this.inner);
    if (!release) throw new Error("The inner driver has no savepoints");
    return translated(() => release(unwrap(connection), name, compileQuery), this.onError);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
