// pnpm bench:observability: only issue 18's comparison, REST GET /api/v1/teams/authorized on the
// large data set against the service with everything off and with each variant on (logs, ...),
// in alternating slices. `pnpm bench` runs the same among the others and puts it in its table.
import { randomBytes } from "node:crypto";
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DATA_DIR, dataset, workingCopy } from "./dataset/generate.js";
import { LARGE } from "./dataset/shape.js";
import { measureScenario } from "./load/measure.js";
import { ensureWrk } from "./load/wrk.js";
import { measureObservability } from "./observability.js";
import { startServer } from "./processes/child-server.js";
import { SERVICE_FLAGS, serverMain } from "./processes/server-main.js";
import { summarize } from "./profile.js";
import { observabilityGoals } from "./report/report.js";
import { fmt, table } from "./report/table.js";
import { type HttpScenario, readScenarios } from "./scenarios.js";
import { tokenMinter } from "./tokens.js";

const seconds = Number(process.env.BENCH_SECONDS ?? 6);
const warmSeconds = Number(process.env.BENCH_WARM_SECONDS ?? 2);
/** BENCH_PROFILE=1: each server runs under `node --cpu-prof`; their summaries end the report. */
const profiles = process.env.BENCH_PROFILE
  ? join(DATA_DIR, "profiles", "observability")
  : undefined;

async function main(): Promise<void> {
  ensureWrk();
  // Only this run's profiles are summarised.
  if (profiles) rmSync(profiles, { recursive: true, force: true });
  const main = serverMain();
  const secret = randomBytes(32).toString("hex");
  const mint = tokenMinter(secret);
  const { path } = await dataset(LARGE);
  const filename = workingCopy(path, "observability.db");
  const reads = await readScenarios({ scale: LARGE, mint, filename, seconds });
  const scenario = reads.find((r) => r.key === "rest-authorized") as HttpScenario;
  const { rows } = await measureObservability({
    logDir: join(DATA_DIR, "runs"),
    start: (name, env, output) =>
      startServer(
        name,
        [
          ...SERVICE_FLAGS,
          ...(profiles
            ? ["--cpu-prof", `--cpu-prof-dir=${join(profiles, profileFolder(env))}`]
            : []),
          main,
        ],
        {
          TEAMS_JWT_SECRET: secret,
          TEAMS_EXTERNAL_AZP: "actor",
          TEAMS_DATABASE: filename,
          TEAMS_DATA_DIR: join(DATA_DIR, "runs"),
          ...env,
        },
        output,
      ),
    measure: (server, s, warm) => measureScenario(server, s, warm, () => {}),
    scenario,
    warmSeconds,
    slices: Number(process.env.BENCH_OBSERVABILITY_SLICES ?? 10),
    sliceSeconds: Number(process.env.BENCH_OBSERVABILITY_SLICE_SECONDS ?? 2),
    log: console.log,
  });
  console.log(
    `\n${table(
      ["HTTP (wrk, loopback, large data set)", "conns", "req/s", "p50 ms", "p99 ms", "CPU µs/req"],
      rows.map((r) => [
        r.label,
        String(r.connections),
        fmt.rate(r.rps),
        fmt.ms(r.p50),
        fmt.ms(r.p99),
        fmt.us(r.cpuUsPerRequest ?? Number.NaN),
      ]),
    )}\n\n${table(
      ["goal (issue #18)", "measured", "met"],
      observabilityGoals(rows).map((g) => [g.goal, g.measured, g.met ? "met" : "NOT MET"]),
    )}`,
  );
  if (profiles) {
    for (const folder of readdirSync(profiles)) {
      for (const file of readdirSync(join(profiles, folder)).filter((f) =>
        f.endsWith(".cpuprofile"),
      )) {
        console.log(
          `\nprofile of the service (${folder}), ${file}:\n${summarize(join(profiles, folder, file))}`,
        );
      }
    }
  }
}

/** A folder name for a target's profiles, from what its environment turns on. */
function profileFolder(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(",")
    .replace(/[^A-Za-z0-9=,_-]/g, "_");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
