/** The transactions that share one COMMIT (see `ImmediateSqliteDriver`), and its outcome. */
export class CommitBatch {
  /** Transactions that released their savepoint into this batch. */
  members = 0;
  readonly #opened = performance.now();
  readonly durable: Promise<void>;
  #settle!: (error?: unknown) => void;

  constructor() {
    this.durable = new Promise<void>((resolve, reject) => {
      this.#settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Nobody may be waiting (a batch that only held a rolled-back transaction): not an
    // unhandled rejection.
    this.durable.catch(() => {});
  }

  /** Milliseconds since the batch began. */
  age(): number {
    return performance.now() - this.#opened;
  }

  /** The COMMIT is durable: every member's commit resolves. */
  commit(): void {
    this.#settle();
  }

  /** The batch was rolled back: every member's commit fails with `error`. */
  fail(error: unknown): void {
    this.#settle(error ?? new Error("the batch was rolled back"));
  }
}
