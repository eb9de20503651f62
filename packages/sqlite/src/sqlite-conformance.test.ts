import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runStoreConformance, runUpgradeConformance } from "@teams/core/testing";
import { openSqliteStore } from "./sqlite-store.js";

runStoreConformance({
  name: "sqlite :memory:",
  open: () => openSqliteStore({ filename: ":memory:" }),
});

runStoreConformance({
  name: "sqlite file",
  async open() {
    const dir = mkdtempSync(join(tmpdir(), "teams-sqlite-"));
    const store = await openSqliteStore({ filename: join(dir, "teams.db") });
    return {
      db: store.db,
      kind: store.kind,
      async close() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
});

runUpgradeConformance({
  name: "sqlite :memory:",
  open: () => openSqliteStore({ filename: ":memory:", migrate: false }),
});
