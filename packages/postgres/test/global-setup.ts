import type { TestProject } from "vitest/node";
import { probePostgres, redact, TEST_URL } from "./postgres-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Why the PostgreSQL suites are skipped, or null when the server answers. */
    postgresSkipReason: string | null;
  }
}

/** Asks the server once per run, so a missing server is reported in one line, not once per file. */
export default async function setup(project: TestProject): Promise<void> {
  const reason = await probePostgres();
  if (reason !== null) {
    console.log(
      `PostgreSQL tests skipped: ${redact(TEST_URL)} did not answer (${reason}). ` +
        "Start PostgreSQL or set TEAMS_TEST_POSTGRES_URL to run them.",
    );
  }
  project.provide("postgresSkipReason", reason);
}
