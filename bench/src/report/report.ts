import { cpus, totalmem } from "node:os";
import type { InProcessResult } from "../inprocess/run.js";
import type { LoadResult } from "../load/wrk.js";
import { OBSERVABILITY_GOAL, OBSERVABILITY_VARIANTS } from "../observability-variants.js";
import type { SoakResult } from "../soak-run.js";
import { type Goal, goal } from "./goals.js";
import { fmt, table } from "./table.js";

/** One measured HTTP row. */
export interface Measured extends LoadResult {
  key: string;
  label: string;
  target: string;
  connections: number;
  rssMb: number;
  /** The server's CPU time for each request of the measured run, in µs (robust to other load). */
  cpuUsPerRequest?: number;
  scale?: "large" | "small";
}

const find = (results: Measured[], key: string, scale?: string) =>
  results.find((r) => r.key === key && (scale === undefined || r.scale === scale));

/** The goals of issue #8, each with what this run measured. */
export function evaluateGoals(
  results: Measured[],
  inProcess: InProcessResult[],
  peaks: Record<string, number>,
  soak: SoakResult,
): Goal[] {
  const rps = (key: string, scale = "large") => find(results, key, scale)?.rps ?? Number.NaN;
  const rest = find(results, "rest-authorized", "large");
  const trpc = find(results, "trpc-authorized", "large");
  const local = (name: string, scale = "large") =>
    inProcess.find((r) => r.name === name && r.scale === scale)?.rate ?? Number.NaN;
  const goals: Goal[] = [];

  // Read from the two measured in alternating slices, where the machine's drift falls on both.
  const restSlices = find(results, "rest-authorized-alternating");
  const referenceSlices = find(results, "reference-alternating");
  const restRatio = (restSlices?.rps ?? Number.NaN) / (referenceSlices?.rps ?? Number.NaN);
  const restP99 = rest?.p99 ?? Number.POSITIVE_INFINITY;
  goals.push(
    goal(
      "REST /teams/authorized ≥ 1.5× the hand-written endpoint (alternating slices), p99 < 20 ms at 50 connections",
      `${fmt.ratio(restRatio)} (${fmt.rate(restSlices?.rps ?? Number.NaN)} against ${fmt.rate(referenceSlices?.rps ?? Number.NaN)} req/s; CPU a request ${fmt.ratio((referenceSlices?.cpuUsPerRequest ?? Number.NaN) / (restSlices?.cpuUsPerRequest ?? Number.NaN))}), p99 ${fmt.ms(restP99)} ms`,
      restRatio >= 1.5 && restP99 < 20,
    ),
  );
  const trpcRatio = (trpc?.rps ?? Number.NaN) / (rest?.rps ?? Number.NaN);
  goals.push(goal("tRPC for the same read ≥ 0.5× REST", fmt.ratio(trpcRatio), trpcRatio >= 0.5));
  goals.push(
    goal(
      "in process: canAccess ≥ 100,000/s",
      `${fmt.rate(local("canAccess"))}/s`,
      local("canAccess") >= 100_000,
    ),
  );
  goals.push(
    goal(
      "in process: listAuthorizedTeams ≥ 25,000/s",
      `${fmt.rate(local("listAuthorizedTeams"))}/s`,
      local("listAuthorizedTeams") >= 25_000,
    ),
  );
  const writes = find(results, "rest-write-pairs", "large");
  goals.push(
    goal(
      "writes over HTTP (authorize + revoke, synchronous=FULL) ≥ 3,000 req/s",
      `${fmt.rate(writes?.rps ?? Number.NaN)} req/s${writes?.errors ? `, ${writes.errors} errors` : ""}`,
      (writes?.rps ?? 0) >= 3000 && writes?.errors === 0,
    ),
  );
  // Each read on the large set within 1.25× of the small set (its time, so small/large rates).
  const pairs: [string, number, number][] = [
    "rest-authorized",
    "trpc-authorized",
    "rest-users-50",
    "rest-page-first",
    "rest-page-deep",
  ].map((key) => [key, rps(key, "small"), rps(key, "large")]);
  pairs.push(["canAccess", local("canAccess", "small"), local("canAccess")]);
  pairs.push([
    "listAuthorizedTeams",
    local("listAuthorizedTeams", "small"),
    local("listAuthorizedTeams"),
  ]);
  const worst = pairs.reduce((w, p) => (p[1] / p[2] > w[1] / w[2] ? p : w));
  goals.push(
    goal(
      "scale: every read on 1,000,000 authorizations within 1.25× of the small set",
      `worst ${worst[0]}: ${fmt.ratio(worst[1] / worst[2])}`,
      pairs.every(([, small, large]) => small / large <= 1.25),
    ),
  );
  const pages = Math.min(rps("rest-page-first"), rps("rest-page-deep"));
  goals.push(
    goal(
      "a page of 50 users of the 100,000-user team ≥ 5,000/s at any depth",
      `${fmt.rate(pages)}/s (slower of first page and 20 depths)`,
      pages >= 5000,
    ),
  );
  const c10 = ["rest-authorized-c10", "trpc-authorized-c10"].map((k) => find(results, k));
  const worstP99 = Math.max(...c10.map((r) => r?.p99 ?? Number.POSITIVE_INFINITY));
  goals.push(
    goal("p99 at 10 connections < 10 ms (REST and tRPC)", `${fmt.ms(worstP99)} ms`, worstP99 < 10),
  );
  const servicePeak = Math.max(
    ...Object.entries(peaks)
      .filter(([name]) => name.startsWith("Teams"))
      .map(([, mb]) => mb),
  );
  goals.push(
    goal("memory: resident size < 200 MB during the run", fmt.mb(servicePeak), servicePeak < 200),
  );
  goals.push(...observabilityGoals(results));
  const growth = soak.lastMb - soak.firstMb;
  goals.push(
    goal(
      `memory: no growth across the soak (${Math.round(soak.seconds)} s here; pnpm soak runs 5 min)`,
      `${fmt.mb(soak.firstMb)} → ${fmt.mb(soak.lastMb)} (${soak.slopeMbPerMinute.toFixed(2)} MB/min)`,
      growth <= Math.max(5, soak.firstMb * 0.05),
    ),
  );
  return goals;
}

/** Issue 18: each observability variant keeps at least 0.9× the rate with everything off. */
export function observabilityGoals(results: Measured[]): Goal[] {
  const off = find(results, "observability-off")?.rps ?? Number.NaN;
  const offCpu = find(results, "observability-off")?.cpuUsPerRequest;
  return OBSERVABILITY_VARIANTS.map((v) => {
    const row = find(results, `observability-${v.key}`);
    const on = row?.rps ?? Number.NaN;
    const ratio = on / off;
    // CPU a request, off ÷ on: the rate ratio a machine without other load would show.
    const cpuRatio = (offCpu ?? Number.NaN) / (row?.cpuUsPerRequest ?? Number.NaN);
    return goal(
      `${v.label}: REST read ≥ ${OBSERVABILITY_GOAL}× the same run's figure with everything off`,
      `${fmt.ratio(ratio)} (${fmt.rate(on)} against ${fmt.rate(off)} req/s); CPU a request ${fmt.ratio(cpuRatio)}`,
      ratio >= OBSERVABILITY_GOAL,
    );
  });
}

export function printReport(run: {
  results: Measured[];
  inProcess: InProcessResult[];
  peaks: Record<string, number>;
  soak: SoakResult;
  goals: Goal[];
  minutes: number;
}): string {
  const bare = find(run.results, "bare")?.rps ?? Number.NaN;
  const reference = find(run.results, "reference")?.rps ?? Number.NaN;
  const http = table(
    [
      "HTTP (wrk, loopback)",
      "data set",
      "conns",
      "req/s",
      "p50 ms",
      "p99 ms",
      "÷ node:http",
      "÷ hand-written",
      "CPU µs/req",
      "RSS",
    ],
    run.results.map((r) => [
      r.label,
      r.scale ?? "large",
      String(r.connections),
      fmt.rate(r.rps) + (r.errors ? ` (${r.errors} errors)` : ""),
      fmt.ms(r.p50),
      fmt.ms(r.p99),
      fmt.ratio(r.rps / bare),
      fmt.ratio(r.rps / reference),
      fmt.us(r.cpuUsPerRequest ?? Number.NaN),
      fmt.mb(r.rssMb),
    ]),
  );
  const local = table(
    ["in process (SQLite store)", "data set", "calls/s", "p50 µs", "p99 µs"],
    run.inProcess.map((r) => [
      r.name,
      r.scale,
      fmt.rate(r.rate),
      r.p50us.toFixed(1),
      r.p99us.toFixed(1),
    ]),
  );
  const memory = table(
    ["process", "peak RSS"],
    Object.entries(run.peaks).map(([name, mb]) => [name, fmt.mb(mb)]),
  );
  const goals = table(
    ["goal (issues #8, #18)", "measured", "met"],
    run.goals.map((g) => [g.goal, g.measured, g.met ? "met" : "NOT MET"]),
  );
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${fmt.mb(totalmem() / 2 ** 20)} memory, Node ${process.version}; run took ${run.minutes.toFixed(1)} min`;
  return [machine, "", http, "", local, "", memory, "", goals].join("\n");
}
