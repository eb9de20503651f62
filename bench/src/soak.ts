// pnpm soak: the service on the large data set under a mixed load of reads and writes for five
// minutes (BENCH_SOAK_SECONDS), its resident size sampled every second; reports whether it grew.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { DATA_DIR, dataset, workingCopy } from "./dataset/generate.js";
import { LARGE } from "./dataset/shape.js";
import { ensureWrk } from "./load/wrk.js";
import { startServer } from "./processes/child-server.js";
import { SERVICE_FLAGS, serverMain } from "./processes/server-main.js";
import { fmt, table } from "./report/table.js";
import { largeOnlyScenarios, readScenarios } from "./scenarios.js";
import { runSoak } from "./soak-run.js";
import { tokenMinter } from "./tokens.js";

const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 300);

async function main(): Promise<void> {
  ensureWrk();
  const main = serverMain("pnpm soak");
  const { path } = await dataset(LARGE);
  const filename = workingCopy(path, "soak.db");
  const secret = randomBytes(32).toString("hex");
  const mint = tokenMinter(secret);
  // With the V8 flags `pnpm start` gives the service (see main.ts).
  const server = await startServer("Teams (large)", [...SERVICE_FLAGS, main], {
    TEAMS_JWT_SECRET: secret,
    TEAMS_EXTERNAL_AZP: "actor",
    TEAMS_DATABASE: filename,
    TEAMS_DATA_DIR: join(DATA_DIR, "runs"),
  });
  try {
    const options = { mint, seconds, scale: LARGE, filename };
    const reads = await readScenarios(options);
    const writes = (await largeOnlyScenarios(options)).filter((s) => s.kind === "write-pairs");
    const soak = await runSoak(server, [...reads, ...writes], seconds, console.log);
    const every = Math.max(1, Math.round(soak.samples.length / 10));
    console.log(
      `\n${table(
        ["time", "RSS"],
        soak.samples
          .filter((_, i) => i % every === 0 || i === soak.samples.length - 1)
          .map((s) => [`${(s.ms / 1000).toFixed(0)} s`, fmt.mb(s.mb)]),
      )}`,
    );
    const growth = soak.lastMb - soak.firstMb;
    const met = growth <= Math.max(5, soak.firstMb * 0.05);
    console.log(
      `\nreads ${fmt.rate(soak.reads.rps)}/s (${soak.reads.errors} errors), writes ${fmt.rate(soak.writes.rps)}/s (${soak.writes.errors} errors)`,
    );
    console.log(
      `RSS in the first fifth up to ${fmt.mb(soak.firstMb)}, in the last fifth up to ${fmt.mb(soak.lastMb)}, trend ${soak.slopeMbPerMinute.toFixed(2)} MB/min, peak ${fmt.mb(server.peakRss())}: ${met ? "no growth (met)" : "GROWTH (not met)"}`,
    );
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
