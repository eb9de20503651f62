// pnpm bench: the service against a bare node:http server and a hand-written endpoint, driven by
// the same load generator in one run, on a 1,000,000-authorization data set and one 1,000 times
// smaller; then the core in process; then a short soak. Prints one table and the goals of #8.
import { randomBytes } from "node:crypto";
import { readdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { usersCursors } from "./dataset/cursors.js";
import { DATA_DIR, dataset, workingCopy } from "./dataset/generate.js";
import { BIG_TEAM, LARGE, READER, type Scale, SMALL, userId } from "./dataset/shape.js";
import { runInProcess } from "./inprocess/spawn.js";
import { measureAlternating } from "./load/alternating.js";
import { measureScenario } from "./load/measure.js";
import { ensureWrk } from "./load/wrk.js";
import { oauthScenarios } from "./oauth-scenarios.js";
import { measureObservability } from "./observability.js";
import { type ChildServer, startServer } from "./processes/child-server.js";
import { SERVICE_FLAGS, serverMain } from "./processes/server-main.js";
import { summarize } from "./profile.js";
import { evaluateGoals, type Measured, printReport } from "./report/report.js";
import { type HttpScenario, largeOnlyScenarios, readScenarios } from "./scenarios.js";
import { runSoak } from "./soak-run.js";
import { tokenMinter } from "./tokens.js";

const seconds = Number(process.env.BENCH_SECONDS ?? 6);
const warmSeconds = Number(process.env.BENCH_WARM_SECONDS ?? 2);
const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? 30);
const here = fileURLToPath(new URL(".", import.meta.url));
/** BENCH_PROFILE=1: the service runs under `node --cpu-prof`; the summaries end the report. */
const profiles = process.env.BENCH_PROFILE ? join(DATA_DIR, "profiles") : undefined;
const nodeFlags = (name: string) => [
  ...SERVICE_FLAGS,
  ...(profiles ? ["--cpu-prof", `--cpu-prof-dir=${join(profiles, name)}`] : []),
];

/** The service's start command as built (`pnpm bench` builds its dependencies first). */
const log = (line: string) => console.log(line);
const measure = (server: ChildServer, scenario: HttpScenario) =>
  measureScenario(server, scenario, warmSeconds, log);

async function main(): Promise<void> {
  const started = performance.now();
  ensureWrk();
  const main = serverMain();
  log(
    `Teams benchmark: ${cpus().length} cores, ${cpus()[0]?.model ?? "?"}, Node ${process.version}`,
  );
  const secret = randomBytes(32).toString("hex");
  const mint = tokenMinter(secret);
  const env = { TEAMS_JWT_SECRET: secret, TEAMS_EXTERNAL_AZP: "actor" };

  const files: Record<Scale["name"], string> = { large: "", small: "" };
  for (const scale of [LARGE, SMALL]) {
    const { path, seconds: made } = await dataset(scale);
    if (made > 0) log(`generated the ${scale.name} data set in ${made.toFixed(1)} s: ${path}`);
    files[scale.name] = workingCopy(path, `${scale.name}.db`);
  }

  const results: Measured[] = [];
  const peaks: Record<string, number> = {};

  // Baselines and the service on the large data set.
  const bare = await startServer("node:http", [join(here, "baselines", "bare-http.js")]);
  const reference = await startServer(
    "hand-written",
    [join(here, "baselines", "reference-endpoint.js"), files.large],
    env,
  );
  const large = await startServer("Teams (large)", [...nodeFlags("large"), main], {
    ...env,
    TEAMS_DATABASE: files.large,
    TEAMS_DATA_DIR: join(DATA_DIR, "runs"),
  });
  const options = { mint, seconds };
  const reads = await readScenarios({ ...options, scale: LARGE, filename: files.large });
  const largeOnly = await largeOnlyScenarios({ ...options, scale: LARGE, filename: files.large });
  const authorized = reads.find((r) => r.key === "rest-authorized") as HttpScenario;
  await checkCursors(large, files.large, await mint(userId(READER)));

  log("baselines (large data set):");
  results.push(await measure(bare, { ...authorized, key: "bare", label: "node:http, small JSON" }));
  results.push(
    await measure(reference, {
      ...authorized,
      key: "reference",
      label: "hand-written /api/v1/teams/authorized",
    }),
  );
  log("the service on the large data set (100,000 users, 10,000 teams, 1,000,000 authorizations):");
  for (const scenario of reads)
    results.push({ ...(await measure(large, scenario)), scale: "large" });
  // The ratio the goal reads: both servers are warm, and alternate in slices (load/alternating.ts).
  log("the same read and the hand-written endpoint, in alternating slices:");
  const slices = Number(process.env.BENCH_ALTERNATING_SLICES ?? 10);
  const sliced = (server: ChildServer, key: string, label: string) => ({
    server,
    scenario: (seconds: number) => ({
      ...authorized,
      key,
      label: `${label}, alternating slices`,
      seconds,
    }),
  });
  const alternating = await measureAlternating(
    [
      sliced(reference, "reference-alternating", "hand-written /api/v1/teams/authorized"),
      sliced(large, "rest-authorized-alternating", "REST GET /api/v1/teams/authorized"),
    ],
    {
      slices,
      sliceSeconds: Number(process.env.BENCH_ALTERNATING_SLICE_SECONDS ?? 2),
      warmSeconds: 0,
      measure: (server, s, warm) => measureScenario(server, s, warm, () => {}),
    },
  );
  for (const row of alternating) {
    log(
      `  ${row.label}: ${Math.round(row.rps)} req/s, ${Math.round(row.cpuUsPerRequest ?? Number.NaN)} µs CPU/request over ${slices} slices`,
    );
    results.push({ ...row, scale: "large" });
  }
  for (const scenario of largeOnly)
    results.push({ ...(await measure(large, scenario)), scale: "large" });
  if (!process.env.BENCH_SKIP_OAUTH) {
    log("the tokens the service issues (goal: 3,000/s each):");
    const tokens = await oauthScenarios({ ...options, scale: LARGE, url: large.url });
    for (const scenario of tokens)
      results.push({ ...(await measure(large, scenario)), scale: "large" });
  }
  const writes = largeOnly.filter((s) => s.kind === "write-pairs");
  const soak = await runSoak(large, [...reads, ...writes], soakSeconds, log);
  peaks[bare.name] = bare.peakRss();
  peaks[reference.name] = reference.peakRss();
  peaks[large.name] = large.peakRss();
  await Promise.all([bare.stop(), reference.stop(), large.stop()]);

  log("observability: the same REST read with logs and metrics off and on, in alternating slices:");
  const observed = await measureObservability({
    logDir: join(DATA_DIR, "runs"),
    start: (name, extra, output) =>
      startServer(
        name,
        [...nodeFlags("observability"), main],
        {
          ...env,
          TEAMS_DATABASE: files.large,
          TEAMS_DATA_DIR: join(DATA_DIR, "runs"),
          ...extra,
        },
        output,
      ),
    measure: (server, s, warm) => measureScenario(server, s, warm, () => {}),
    scenario: authorized,
    warmSeconds,
    slices: Number(process.env.BENCH_OBSERVABILITY_SLICES ?? 10),
    sliceSeconds: Number(process.env.BENCH_OBSERVABILITY_SLICE_SECONDS ?? 2),
    log,
  });
  for (const row of observed.rows) results.push({ ...row, scale: "large" });
  Object.assign(peaks, observed.peaks);

  log("the service on the small data set (100 users, 10 teams, 950 authorizations):");
  const small = await startServer("Teams (small)", [...nodeFlags("small"), main], {
    ...env,
    TEAMS_DATABASE: files.small,
    TEAMS_DATA_DIR: join(DATA_DIR, "runs"),
  });
  for (const scenario of await readScenarios({ ...options, scale: SMALL, filename: files.small })) {
    results.push({ ...(await measure(small, scenario)), scale: "small" });
  }
  peaks[small.name] = small.peakRss();
  await small.stop();

  log("in process:");
  const inProcess = [
    ...(await runInProcess(join(here, "inprocess", "run.js"), files.large, "large")),
    ...(await runInProcess(join(here, "inprocess", "run.js"), files.small, "small")),
  ];
  for (const r of inProcess) log(`  ${r.name} (${r.scale}): ${Math.round(r.rate)}/s`);

  const goals = evaluateGoals(results, inProcess, peaks, soak);
  const report = printReport({
    results,
    inProcess,
    peaks,
    soak,
    goals,
    minutes: (performance.now() - started) / 60_000,
  });
  console.log(`\n${report}`);
  writeFileSync(join(DATA_DIR, "last-run.md"), `${report}\n`);
  if (profiles) {
    for (const name of ["large", "small"]) {
      for (const file of readdirSync(join(profiles, name)).filter((f) =>
        f.endsWith(".cpuprofile"),
      )) {
        console.log(
          `\nprofile of the service (${name} data set), ${file}:\n${summarize(join(profiles, name, file))}`,
        );
      }
    }
  }
}

/** The cursors the run builds must be the service's own: the first page's next cursor is one. */
async function checkCursors(server: ChildServer, filename: string, token: string): Promise<void> {
  const res = await fetch(`${server.url}/api/v1/teams/${BIG_TEAM}/users?limit=50`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const [expected] = usersCursors(filename, BIG_TEAM, [50]);
  const next = res.headers.get("x-next-cursor");
  if (res.status !== 200 || next !== expected) {
    throw new Error(`the service's cursor ${next} (status ${res.status}) is not ${expected}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
