// Targets measured in short slices that alternate between them (a, b, a, b, ...), so the
// machine's drift falls on every target alike rather than deciding their ratio: on a shared
// two-core machine the same server's rate moves by 30 to 40 % from one minute to the next, and two
// figures measured a minute apart compare the minutes more than the servers.

import type { ChildServer } from "../processes/child-server.js";
import type { Measured } from "../report/report.js";
import type { HttpScenario } from "../scenarios.js";

/** One target of an alternating comparison: a server and the load it gets for `seconds`. */
export interface AlternatingTarget {
  server: ChildServer;
  scenario(seconds: number): HttpScenario;
}

export interface AlternatingOptions {
  /** Slices of each target. */
  slices: number;
  /** Seconds of one slice. */
  sliceSeconds: number;
  /** Seconds of warm-up of each target before the slices (0: none). */
  warmSeconds: number;
  /** Measures one scenario against one server after the given seconds of warm-up. */
  measure(server: ChildServer, scenario: HttpScenario, warmSeconds: number): Promise<Measured>;
}

/**
 * One row per target, in order: each the sum of its slices (requests over seconds, CPU over
 * requests), the median slice's p50 and p99, the highest resident size.
 */
export async function measureAlternating(
  targets: readonly AlternatingTarget[],
  o: AlternatingOptions,
): Promise<Measured[]> {
  if (o.warmSeconds > 0) {
    for (const t of targets) await o.measure(t.server, t.scenario(o.warmSeconds), 0);
  }
  const slices: Measured[][] = targets.map(() => []);
  for (let slice = 0; slice < o.slices; slice++) {
    for (const [i, t] of targets.entries()) {
      slices[i]?.push(await o.measure(t.server, t.scenario(o.sliceSeconds), 0));
    }
  }
  return slices.map(combine);
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
