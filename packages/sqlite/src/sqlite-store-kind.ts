import type { JsonField, StoreKind } from "@teams/core";
import { type RawBuilder, sql } from "kysely";

// Provisional: the SQLite kind as the core needs it (JSON text, the planner statistics step).

function sqliteJsonObject(fields: readonly JsonField[]): RawBuilder<string> {
  const args = fields.map((field) => {
    if ("text" in field) return sql`${sql.lit(field.key)}, ${field.text}`;
    if ("scopes" in field) {
      return sql`${sql.lit(field.key)}, json('["' || replace(${field.scopes}, ' ', '","') || '"]')`;
    }
    return sql`${sql.lit(field.key)}, json(iif(${field.present} is null, 'false', 'true'))`;
  });
  return sql<string>`json_object(${sql.join(args)})`;
}

export const sqliteStoreKind: StoreKind = {
  family: "sqlite",
  jsonObject: sqliteJsonObject,
  async afterMigrations(trx, applied) {
    if (!applied.includes(3)) return;
    await trx.schema
      .createIndex("teams_list_idx")
      .on("teams")
      .columns(["id", "name", "description", "url", "image", "privacy_statement"])
      .execute();
    await sql`analyze teams_list_idx`.execute(trx);
    await sql`delete from sqlite_stat1 where tbl = 'teams'`.execute(trx);
    await sql`insert into sqlite_stat1 (tbl, idx, stat) values
      ('teams', 'teams_list_idx', '1000000 1 1 1 1 1 1'),
      ('teams', 'sqlite_autoindex_teams_1', '1000000 1')`.execute(trx);
    await sql`analyze sqlite_schema`.execute(trx);
  },
};
