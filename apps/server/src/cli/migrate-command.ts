import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { type MigrationPlan, migrationPlan, readSchemaVersion } from "@teams/core";
import type { Config } from "../config.js";
import { openStore } from "../store.js";
import { UsageError } from "./usage-error.js";

export const migrateHelp = `teams migrate: bring the database's schema to this release's version

Usage: teams migrate              apply the pending migrations
       teams migrate --status     list the applied and the pending migrations
       teams migrate --dry-run    print what would run, and apply nothing

The server migrates when it starts; this runs the same migration (all or nothing, under a lock)
without starting it, e.g. before a deployment. --status and --dry-run change nothing (a SQLite
file that does not exist yet is not created).`;

const line = (mark: string, step: { version: number; name: string }) =>
  `  ${mark} ${String(step.version).padStart(3)}  ${step.name}`;

/** What `--status` prints: the version, then every step marked applied or pending. */
export function statusText(plan: MigrationPlan): string {
  return [
    `Schema version ${plan.current} of ${plan.latest} (${plan.pending.length} pending):`,
    ...plan.applied.map((s) => line("applied", s)),
    ...plan.pending.map((s) => line("pending", s)),
  ].join("\n");
}

/** What `--dry-run` prints: the steps that would run, in order. */
export function dryRunText(plan: MigrationPlan): string {
  if (plan.pending.length === 0) return `Schema version ${plan.current}: nothing would run.`;
  return [
    `Schema version ${plan.current}; would apply, in one transaction:`,
    ...plan.pending.map((s) => line("would apply", s)),
    "Nothing was applied (--dry-run).",
  ].join("\n");
}

/** The plan for the configured database, read without migrating or creating anything. */
async function currentPlan(config: Config): Promise<MigrationPlan> {
  if (config.database.kind === "sqlite" && config.database.filename !== ":memory:") {
    if (!existsSync(config.database.filename)) return migrationPlan(0);
  }
  const store = await openStore(config.database, config.postgres, { migrate: false });
  try {
    return migrationPlan(await readSchemaVersion(store.db));
  } finally {
    await store.close();
  }
}

/** `teams migrate [--status | --dry-run]`: resolves to the text to print. */
export async function migrateCommand(args: string[], config: Config): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    options: { status: { type: "boolean" }, "dry-run": { type: "boolean" } },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.status && values["dry-run"]) {
    throw new UsageError("give --status or --dry-run, not both");
  }
  if (values.status) return statusText(await currentPlan(config));
  if (values["dry-run"]) return dryRunText(await currentPlan(config));
  const before = await currentPlan(config);
  const store = await openStore(config.database, config.postgres);
  await store.close();
  return before.pending.length === 0
    ? `The database's schema is up to date (version ${before.latest}).`
    : `Applied ${before.pending.map((s) => s.version).join(", ")}: the schema is at version ${before.latest}.`;
}
