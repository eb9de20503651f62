import { describe, expect, it } from "vitest";
import { migrationPlan } from "./migration-plan.js";
import { LATEST_SCHEMA_VERSION, migrations, SchemaTooNew } from "./migrations.js";

describe("migrationPlan", () => {
  const versions = (steps: { version: number }[]) => steps.map((s) => s.version);
  const all = migrations.map((m) => m.version);

  it.each([
    { current: 0, applied: [], pending: all },
    { current: 1, applied: [1], pending: all.slice(1) },
    { current: LATEST_SCHEMA_VERSION, applied: all, pending: [] },
  ])("a database at $current has had $applied and would run $pending", (row) => {
    const plan = migrationPlan(row.current);
    expect(versions(plan.applied)).toEqual(row.applied);
    expect(versions(plan.pending)).toEqual(row.pending);
    expect(plan.latest).toBe(LATEST_SCHEMA_VERSION);
  });

  it("names each step as the migration does", () => {
    expect(migrationPlan(0).pending[0]).toEqual({ version: 1, name: migrations[0]?.name });
  });

  it("refuses a database written by a newer release", () => {
    expect(() => migrationPlan(LATEST_SCHEMA_VERSION + 1)).toThrow(SchemaTooNew);
  });
});
