// Issue 18: what the service's logs (and, as they come, metrics and traces) cost a read. The same
// REST read against servers that differ only in their environment, measured in alternating rounds
// in one run, so the machine's drift between runs does not decide the ratio.

import {
  OBSERVABILITY_OFF,
  OBSERVABILITY_VARIANTS,
  type ObservabilityVariant,
} from "./observability-variants.js";
import type { ChildServer } from "./processes/child-server.js";
import type { Measured } from "./report/report.js";
import type { HttpScenario } from "./scenarios.js";

export interface ObservabilityRun {
  /** Starts the service with this environment added (its name says which). */
  start(name: string, env: Record<string, string>): Promise<ChildServer>;
  /** Measures one scenario against one server (warm-up included). */
  measure(server: ChildServer, scenario: HttpScenario): Promise<Measured>;
  /** The read measured: REST `/api/v1/teams/authorized`. */
  scenario: HttpScenario;
  /** Rounds of baseline-then-variants; each target's best round is kept. Default 2. */
  rounds?: number;
  variants?: readonly ObservabilityVariant[];
}

/**
 * Measures the baseline and every variant in alternating rounds and keeps each one's best round
 * (and its least CPU time a request): the rows `observability-off` and `observability-<key>`,
 * with the peak resident sizes.
 */
export async function measureObservability(
  run: ObservabilityRun,
): Promise<{ rows: Measured[]; peaks: Record<string, number> }> {
  const variants = run.variants ?? OBSERVABILITY_VARIANTS;
  const targets = [
    { key: "off", label: "everything off (TEAMS_LOG=off)", env: OBSERVABILITY_OFF },
    ...variants,
  ];
  const servers: ChildServer[] = [];
  try {
    for (const t of targets) servers.push(await run.start(`Teams (${t.label})`, t.env));
    const best = new Map<string, Measured>();
    for (let round = 0; round < (run.rounds ?? 2); round++) {
      for (const [i, t] of targets.entries()) {
        const server = servers[i] as ChildServer;
        const measured = await run.measure(server, {
          ...run.scenario,
          key: `observability-${t.key}`,
          label: `REST /teams/authorized, ${t.label}`,
        });
        const kept = best.get(t.key);
        // The best round's rate, and the least CPU a request took in any round: what the
        // machine's other load took from a round shows in its rate far more than in its CPU.
        const cpu = Math.min(
          measured.cpuUsPerRequest ?? Number.POSITIVE_INFINITY,
          kept?.cpuUsPerRequest ?? Number.POSITIVE_INFINITY,
        );
        const row = !kept || measured.rps > kept.rps ? measured : kept;
        best.set(t.key, { ...row, cpuUsPerRequest: cpu });
      }
    }
    const peaks = Object.fromEntries(servers.map((s) => [s.name, s.peakRss()]));
    return { rows: targets.map((t) => best.get(t.key) as Measured), peaks };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
