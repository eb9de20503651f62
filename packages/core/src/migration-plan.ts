import { LATEST_SCHEMA_VERSION, migrations, SchemaTooNew } from "./migrations.js";

/** One migration step as `teams migrate --status` lists it. */
export interface MigrationStep {
  version: number;
  name: string;
}

/** Which steps a database at `current` has had and which would run (`teams migrate --status`). */
export interface MigrationPlan {
  current: number;
  latest: number;
  applied: MigrationStep[];
  pending: MigrationStep[];
}

/**
 * The plan for a database at schema version `current` (0 for an empty one): pure, nothing read or
 * written. A version past this release's is refused with SchemaTooNew, as opening it would be.
 */
export function migrationPlan(current: number): MigrationPlan {
  if (current > LATEST_SCHEMA_VERSION) throw new SchemaTooNew(current, LATEST_SCHEMA_VERSION);
  const step = ({ version, name }: MigrationStep) => ({ version, name });
  return {
    current,
    latest: LATEST_SCHEMA_VERSION,
    applied: migrations.filter((m) => m.version <= current).map(step),
    pending: migrations.filter((m) => m.version > current).map(step),
  };
}
