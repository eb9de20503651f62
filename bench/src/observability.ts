// Issue 18: what the service's logs, metrics (and traces) cost a read. The same REST read against
// servers that differ only in their environment, measured in alternating slices
// (load/alternating.ts).

import { rmSync } from "node:fs";
import { join } from "node:path";
import { measureAlternating } from "./load/alternating.js";
import {
  OBSERVABILITY_OFF,
  OBSERVABILITY_VARIANTS,
  type ObservabilityVariant,
} from "./observability-variants.js";
import type { ChildServer, ServerOutput } from "./processes/child-server.js";
import type { Measured } from "./report/report.js";
import type { HttpScenario } from "./scenarios.js";

export interface ObservabilityRun {
  /** Starts the service with this environment added (its name says which), its output so kept. */
  start(name: string, env: Record<string, string>, output: ServerOutput): Promise<ChildServer>;
  /** Where the servers that log write their log, one file each (removed at the end). */
  logDir: string;
  /** Measures one scenario against one server after `warmSeconds` of warm-up (0: none). */
  measure(server: ChildServer, scenario: HttpScenario, warmSeconds: number): Promise<Measured>;
  /** The read measured: REST `/api/v1/teams/authorized`. */
  scenario: HttpScenario;
  /** Seconds of warm-up of each server before the slices. */
  warmSeconds: number;
  /** Slices of each target, alternating (baseline, variants, baseline, ...). Default 10. */
  slices?: number;
  /** Seconds of one slice. Default 2. */
  sliceSeconds?: number;
  /** Told of each target's summary. */
  log(line: string): void;
  variants?: readonly ObservabilityVariant[];
}

/**
 * Measures the baseline and every variant in alternating slices: the rows `observability-off` and
 * `observability-<key>`, each the sum of its slices (requests over seconds, CPU over requests,
 * the median slice's p50 and p99), with the peak resident sizes.
 */
export async function measureObservability(
  run: ObservabilityRun,
): Promise<{ rows: Measured[]; peaks: Record<string, number> }> {
  const variants = run.variants ?? OBSERVABILITY_VARIANTS;
  const targets = [
    { key: "off", label: "everything off (TEAMS_LOG=off)", env: OBSERVABILITY_OFF },
    ...variants,
  ];
  const sliceCount = run.slices ?? 10;
  const sliceSeconds = run.sliceSeconds ?? 2;
  const servers: ChildServer[] = [];
  // A server that logs writes its log to a file, as behind a log shipper: drained through a pipe
  // by this process instead, the reading took CPU from the load generator and the server on a
  // two-core machine (the same code read 0.78x off through a pipe and 0.96x into a file).
  const logFiles = targets.map((t) =>
    t.env.TEAMS_LOG === "json" ? join(run.logDir, `observability-${t.key}.log`) : undefined,
  );
  try {
    for (const [i, t] of targets.entries()) {
      const stdoutFile = logFiles[i];
      servers.push(
        await run.start(
          `Teams (${t.label})`,
          t.env,
          stdoutFile === undefined ? {} : { stdoutFile },
        ),
      );
    }
    const scenarioOf = (t: (typeof targets)[number], seconds: number): HttpScenario => ({
      ...run.scenario,
      key: `observability-${t.key}`,
      label: `REST /teams/authorized, ${t.label}`,
      seconds,
    });
    const rows = await measureAlternating(
      targets.map((t, i) => ({
        server: servers[i] as ChildServer,
        scenario: (seconds) => scenarioOf(t, seconds),
      })),
      { slices: sliceCount, sliceSeconds, warmSeconds: run.warmSeconds, measure: run.measure },
    );
    for (const row of rows) {
      run.log(
        `  ${row.label}: ${Math.round(row.rps)} req/s, ${Math.round(row.cpuUsPerRequest ?? Number.NaN)} µs CPU/request over ${sliceCount} slices`,
      );
    }
    const peaks = Object.fromEntries(servers.map((s) => [s.name, s.peakRss()]));
    return { rows, peaks };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    for (const file of logFiles) if (file !== undefined) rmSync(file, { force: true });
  }
}
