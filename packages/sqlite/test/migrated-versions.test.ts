import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LATEST_SCHEMA_VERSION } from "@teams/core";
import { expect, it } from "vitest";
import { openSqliteStore } from "../src/index.js";

it("says which migrations an open applied: all of them on a new file, none on the next open", async () => {
  const dir = mkdtempSync(join(tmpdir(), "teams-migrated-"));
  try {
    const filename = join(dir, "teams.db");
    const first = await openSqliteStore({ filename });
    expect(first.migrated).toEqual(Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1));
    await first.close();
    const again = await openSqliteStore({ filename });
    expect(again.migrated).toEqual([]);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
