// Begins migrating a file exactly as openSqliteStore does (the store's dialect, its pragmas, one
// IMMEDIATE transaction around applyMigrations), then announces it and waits, uncommitted, to be
// killed. Usage: migrate-and-hang.ts <file>
import { applyMigrations, type Database } from "@teams/core";
import BetterSqlite3 from "better-sqlite3";
import { Kysely } from "kysely";
import { ImmediateSqliteDialect } from "../../src/sqlite-dialect.js";
import { applyPragmas } from "../../src/sqlite-pragmas.js";
import { sqliteStoreKind } from "../../src/sqlite-store-kind.js";

const [filename] = process.argv.slice(2);
if (!filename) throw new Error("usage: migrate-and-hang.ts <file>");
const database = new BetterSqlite3(filename, { timeout: 5000 });
const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(database) });
applyPragmas(database, 5000);
await db.transaction().execute(async (trx) => {
  const applied = await applyMigrations(trx, sqliteStoreKind);
  process.stdout.write(`${JSON.stringify({ applied })}\n`);
  // Never returns, so the transaction never commits; the timer keeps the process alive.
  await new Promise(() => setInterval(() => {}, 60_000));
});
