// pnpm bench:oauth: only the tokens the service issues (issue 15), over HTTP against the service
// as built, on the large data set: issuing a delegated token and refreshing one, each with a goal
// of 3,000/s. `pnpm bench` runs the same scenarios among the others.
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DATA_DIR, dataset, workingCopy } from "./dataset/generate.js";
import { LARGE } from "./dataset/shape.js";
import { measureScenario } from "./load/measure.js";
import { ensureWrk } from "./load/wrk.js";
import { oauthScenarios } from "./oauth-scenarios.js";
import { startServer } from "./processes/child-server.js";
import { SERVICE_FLAGS, serverMain } from "./processes/server-main.js";
import { summarize } from "./profile.js";
import { largeOnlyScenarios } from "./scenarios.js";
import { tokenMinter } from "./tokens.js";

const seconds = Number(process.env.BENCH_SECONDS ?? 6);
const warmSeconds = Number(process.env.BENCH_WARM_SECONDS ?? 2);
const GOAL = 3000;
/** BENCH_PROFILE=1: the service runs under `node --cpu-prof`; the summary ends the report. */
const profiles = process.env.BENCH_PROFILE ? join(DATA_DIR, "profiles", "oauth") : undefined;

async function main(): Promise<void> {
  ensureWrk();
  const main = serverMain();
  const secret = randomBytes(32).toString("hex");
  const mint = tokenMinter(secret);
  const { path } = await dataset(LARGE);
  const filename = workingCopy(path, "oauth.db");
  const server = await startServer(
    "Teams (large)",
    [...SERVICE_FLAGS, ...(profiles ? ["--cpu-prof", `--cpu-prof-dir=${profiles}`] : []), main],
    {
      TEAMS_JWT_SECRET: secret,
      TEAMS_EXTERNAL_AZP: "actor",
      TEAMS_DATABASE: filename,
      TEAMS_DATA_DIR: join(DATA_DIR, "runs"),
    },
  );
  try {
    // The writes of issue 8 in the same run, for scale: what this machine allows a write now.
    const writes = (await largeOnlyScenarios({ scale: LARGE, mint, filename, seconds })).find(
      (s) => s.kind === "write-pairs",
    );
    if (writes) await measureScenario(server, writes, warmSeconds, console.log);
    console.log("the tokens the service issues (large data set):");
    for (const scenario of await oauthScenarios({ scale: LARGE, mint, seconds, url: server.url })) {
      const r = await measureScenario(server, scenario, warmSeconds, console.log);
      const met = r.rps >= GOAL && r.errors === 0;
      console.log(`  goal ${GOAL.toLocaleString("en-US")}/s: ${met ? "met" : "NOT met"}`);
    }
  } finally {
    await server.stop();
  }
  if (profiles) {
    for (const file of readdirSync(profiles).filter((f) => f.endsWith(".cpuprofile"))) {
      console.log(`\nprofile of the service, ${file}:\n${summarize(join(profiles, file))}`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
