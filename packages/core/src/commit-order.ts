import {
  type AlterTableBuilder,
  type AlterTableColumnAlteringBuilder,
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type SelectQueryBuilder,
  sql,
} from "kysely";

/*
 * Reading a table in commit order, so that a reader resuming after a position never skips a row
 * a slower transaction commits later (DESIGN §7: the admin events feed; the webhook outbox).
 *
 * The contract. A table read this way has an `id` that increases per insert and a `tx` column
 * defined by `addCommitTxColumn` (the writing transaction's id on PostgreSQL, 0 on SQLite), and an
 * index on (tx, id). `inCommitOrder(query, family, after)` answers the rows after `after` in an
 * order in which every row it returns, now or in any later read, comes after every row an earlier
 * read returned: paging on with the last returned position never skips a row and never repeats one.
 *
 * SQLite: a store has one writer at a time, which holds the write lock from its first write to its
 * commit, and AUTOINCREMENT ids are assigned under that lock; so id order is commit order, and a
 * row a reader cannot see yet will get a larger id than every row it sees.
 *
 * PostgreSQL: ids come from a sequence at insert, not at commit, so a transaction that started
 * writing first can commit last with a smaller id: a reader paging by id would already be past it.
 * Instead rows are ordered by (tx, id), where tx is `pg_current_xact_id()` (the 64-bit, epoch
 * extended transaction id, which never wraps), and a read returns only the rows whose tx is below
 * its snapshot's xmin (`pg_snapshot_xmin(pg_current_snapshot())`, the snapshot the statement reads
 * with), the oldest transaction id still running when it was taken. Why this never skips:
 *   - a row becomes visible only when its transaction commits;
 *   - every transaction below xmin has ended, so its rows are all visible (or, aborted, never
 *     will be): a read never returns part of a transaction below the horizon and another part later;
 *   - every transaction that can still commit has a tx >= xmin, and every transaction id assigned
 *     later is >= xmin too;
 * so every row a later read can return has a tx above every tx this read returned.
 * What it costs, stated plainly: the order is by transaction id, which PostgreSQL assigns at a
 * transaction's first write or row lock, not at its commit. A transaction that loses a
 * serializable race is retried as a new transaction with a larger id, so conflicting SERIALIZABLE
 * writes appear in commit order; but a READ COMMITTED writer that took its id (a `for share` lock
 * is enough) and then waited for another's row lock would keep its smaller id, and appear before
 * the writer it waited for though it committed after it. For the consent log that gap is closed
 * where it matters, per authorization: every write that changes one (team, user) pair first waits
 * for the pair's turn, an advisory lock that assigns no id (`takeAuthorizationTurn` in
 * store-writes.ts), so the records of one authorization appear in commit order and replaying them
 * gives its stored scopes. What remains: independent transactions (other pairs, other tables)
 * appear in the order they first wrote, not the order they committed. Nothing is ever skipped or
 * repeated either way.
 * And rows appear only once every older writing transaction of the whole cluster has ended: a
 * long transaction anywhere on the server (an idle-in-transaction session included) holds the
 * feed back, delays it, and never makes it skip. Read-only transactions hold no transaction id
 * and hold nothing back.
 */

/** A place in a table read in commit order: the writing transaction (0 on SQLite) and the row id. */
export interface CommitPosition {
  tx: string;
  id: string;
}

type Family = "sqlite" | "postgres";

/**
 * `query` (a select over a table with columns `tx` and `id`) narrowed to the rows after `after`
 * that no running transaction can still precede, in commit order: on PostgreSQL only rows whose tx
 * is below the snapshot's xmin (`tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint`),
 * ordered by (tx, id); on SQLite ordered by id. The positions are plain values in the query (a
 * prepared query may pass its markers).
 */
// biome-ignore lint/suspicious/noExplicitAny: generic over any table that has `tx` and `id`
export function inCommitOrder<QB extends SelectQueryBuilder<any, any, any>>(
  query: QB,
  family: Family,
  after: CommitPosition | undefined,
): QB {
  // biome-ignore lint/suspicious/noExplicitAny: the table is the caller's; its columns are known here
  let q = query as SelectQueryBuilder<any, any, any>;
  if (family === "postgres") {
    q = q.where(
      sql<boolean>`${sql.ref("tx")} < pg_snapshot_xmin(pg_current_snapshot())::text::bigint`,
    );
    if (after !== undefined) {
      q = q.where(
        sql<boolean>`(${sql.ref("tx")}, ${sql.ref("id")}) > (cast(${after.tx} as bigint), cast(${after.id} as bigint))`,
      );
    }
    return q.orderBy(sql.ref("tx")).orderBy(sql.ref("id")) as QB;
  }
  if (after !== undefined) {
    q = q.where(sql<boolean>`${sql.ref("id")} > cast(${after.id} as integer)`);
  }
  return q.orderBy(sql.ref("id")) as QB;
}

/** The position of a row read with its tx and id columns. */
export function commitPositionOf(row: {
  tx: number | string | bigint;
  id: number | string | bigint;
}): CommitPosition {
  return { tx: String(row.tx), id: String(row.id) };
}

const txColumn = (family: Family) =>
  family === "postgres"
    ? ([
        "bigint",
        (c: ColumnDefinitionBuilder) =>
          c.notNull().defaultTo(sql`(pg_current_xact_id()::text::bigint)`),
      ] as const)
    : (["integer", (c: ColumnDefinitionBuilder) => c.notNull().defaultTo(0)] as const);

/**
 * Adds the `tx` column of a table read in commit order (see `inCommitOrder`): on PostgreSQL
 * `bigint not null default (pg_current_xact_id()::text::bigint)`, the inserting transaction's id;
 * on SQLite `integer not null default 0`. Inserts never name it. The table also needs an index on
 * (tx, id). Migrations call this, so it is frozen as they are: never change what it adds.
 */
export function addCommitTxColumn<TB extends string, C extends string>(
  builder: CreateTableBuilder<TB, C>,
  family: Family,
): CreateTableBuilder<TB, C | "tx">;
export function addCommitTxColumn(
  builder: AlterTableBuilder,
  family: Family,
): AlterTableColumnAlteringBuilder;
export function addCommitTxColumn(
  // biome-ignore lint/suspicious/noExplicitAny: either schema builder; both take the same column
  builder: CreateTableBuilder<any, any> | AlterTableBuilder,
  family: Family,
) {
  const [type, build] = txColumn(family);
  return builder.addColumn("tx", type, build);
}
