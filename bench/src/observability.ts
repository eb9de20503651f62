// Issue 18: what the service's logs, metrics (and traces) cost a read. The same REST read against
// servers that differ only in their environment, measured in short slices that alternate between
// them, so the machine's drift (on a shared two-core machine the same server's rate moves by 40 %
// from one minute to the next) falls on every target alike rather than deciding the ratio.

import { rmSync } from "node:fs";
import { join } from "node:path";
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
    for (const [i, t] of targets.entries()) {
      if (run.warmSeconds > 0) {
        await run.measure(servers[i] as ChildServer, scenarioOf(t, run.warmSeconds), 0);
      }
    }
    const slices: Measured[][] = targets.map(() => []);
    for (let slice = 0; slice < sliceCount; slice++) {
      for (const [i, t] of targets.entries()) {
        const measured = await run.measure(
          servers[i] as ChildServer,
          scenarioOf(t, sliceSeconds),
          0,
        );
        slices[i]?.push(measured);
      }
    }
    const rows = slices.map(combine);
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

/** One target's slices as one row: totals for rate and CPU, the median slice for latencies. */
function combine(slices: Measured[]): Measured {
  const first = slices[0];
  if (!first) throw new Error("no slice to combine");
  const sum = (f: (m: Measured) => number) => slices.reduce((total, m) => total + f(m), 0);
  const median = (f: (m: Measured) => number) => {
    const sorted = slices.map(f).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] as number;
  };
  const requests = sum((m) => m.requests);
  const seconds = sum((m) => m.seconds);
  return {
    ...first,
    requests,
    seconds,
    rps: requests / seconds,
    p50: median((m) => m.p50),
    p99: median((m) => m.p99),
    max: Math.max(...slices.map((m) => m.max)),
    errors: sum((m) => m.errors),
    rssMb: Math.max(...slices.map((m) => m.rssMb)),
    cpuUsPerRequest: sum((m) => (m.cpuUsPerRequest ?? Number.NaN) * m.requests) / requests,
  };
}
