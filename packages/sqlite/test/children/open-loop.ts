// Creates and opens fresh stores one after another (0.db, 1.db, ...) until killed, printing each
// index once that store has been opened (migrated) and closed. It starts on the stdin line "go", so
// that the parent can start it ahead of time. Usage: open-loop.ts <folder>
import { join } from "node:path";
import { createInterface } from "node:readline";
import { openSqliteStore } from "../../src/index.js";

const [dir] = process.argv.slice(2);
if (!dir) throw new Error("usage: open-loop.ts <folder>");
process.stdout.write("ready\n");
for await (const line of createInterface({ input: process.stdin })) if (line === "go") break;
for (let i = 0; ; i++) {
  const store = await openSqliteStore({ filename: join(dir, `${i}.db`) });
  await store.close();
  process.stdout.write(`${i}\n`);
}
