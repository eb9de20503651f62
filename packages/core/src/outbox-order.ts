import { type SelectQueryBuilder, sql } from "kysely";
import type { StoreKind } from "./store-kind.js";

// Interim commit order of the outbox until the feed's commit-order.ts lands: the same contract
// (rows after `after` that no running transaction can precede, ordered (tx, id)).

export interface CommitPosition {
  tx: string;
  id: string;
}

export function inCommitOrder<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  family: StoreKind["family"],
  after: CommitPosition | undefined,
): SelectQueryBuilder<DB, TB, O> {
  let q = query;
  if (after !== undefined) {
    q = q.where(
      sql<boolean>`(tx, id) > (cast(${after.tx} as bigint), cast(${after.id} as bigint))`,
    );
  }
  if (family === "postgres") {
    q = q.where(sql<boolean>`tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint`);
  }
  return q.orderBy(sql`tx`).orderBy(sql`id`);
}

export function commitPositionOf(row: {
  tx: number | string;
  id: number | string;
}): CommitPosition {
  return { tx: String(row.tx), id: String(row.id) };
}
