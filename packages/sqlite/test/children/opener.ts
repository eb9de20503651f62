// Opens stores on command, to show what another process sees. For each stdin line "open <file>" it
// runs openSqliteStore, answers one JSON line (the schema version and pragmas, or the error), and
// closes the store. Staying alive between commands lets two of these open a file at the same moment.
import { createInterface } from "node:readline";
import { readSchemaVersion } from "@teams/core";
import { sql } from "kysely";
import { openSqliteStore } from "../../src/index.js";

process.stdout.write("ready\n");
for await (const line of createInterface({ input: process.stdin })) {
  const filename = line.replace(/^open /, "");
  let answer: Record<string, unknown>;
  try {
    const store = await openSqliteStore({ filename });
    try {
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`pragma ${name}`).execute(store.db)).rows[0] ?? {})[0];
      answer = {
        ok: true,
        version: await readSchemaVersion(store.db),
        synchronous: await pragma("synchronous"),
        journal_mode: await pragma("journal_mode"),
        foreign_keys: await pragma("foreign_keys"),
        temp_store: await pragma("temp_store"),
      };
    } finally {
      await store.close();
    }
  } catch (error) {
    const e = error as {
      name?: unknown;
      message?: unknown;
      code?: unknown;
      cause?: { code?: unknown };
    };
    const code = String(e.code ?? e.cause?.code);
    answer = { ok: false, name: String(e.name), message: String(e.message), code };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
