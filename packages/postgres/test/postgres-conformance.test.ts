import { runStoreConformance, runUpgradeConformance } from "@teams/core/testing";
import { describe } from "vitest";
import { noPostgres, openTestStore } from "./support.js";

describe.skipIf(noPostgres)("postgres", () => {
  runStoreConformance({
    name: "postgres, a fresh schema per test",
    open: () => openTestStore(),
  });
  runUpgradeConformance({
    name: "postgres, a fresh schema",
    open: () => openTestStore({ migrate: false }),
  });
});
