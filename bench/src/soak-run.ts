import type { LoadResult } from "./load/wrk.js";
import { runWrk } from "./load/wrk.js";
import { type ChildServer, sampleRss } from "./processes/child-server.js";
import type { HttpScenario } from "./scenarios.js";

/** What a soak saw: the load it carried and the server's resident size over time. */
export interface SoakResult {
  seconds: number;
  reads: LoadResult;
  writes: LoadResult;
  samples: { ms: number; mb: number }[];
  /** Highest RSS in the first and in the last fifth of the soak, MB. */
  firstMb: number;
  lastMb: number;
  /** Least-squares slope of RSS over the soak after its first fifth, MB per minute. */
  slopeMbPerMinute: number;
}

/**
 * A mixed load for `seconds`: every read scenario's requests in turn on 40 connections and
 * authorize/revoke pairs on 10, the server's RSS sampled every second.
 */
export async function runSoak(
  server: ChildServer,
  scenarios: HttpScenario[],
  seconds: number,
  log: (line: string) => void,
  writeLines?: string[],
): Promise<SoakResult> {
  log(`soak: ${seconds} s of mixed reads and writes`);
  const reads = scenarios.filter((s) => s.kind === "rotate").flatMap((s) => s.lines.slice(0, 10));
  const writes = writeLines ?? scenarios.find((s) => s.kind === "write-pairs")?.lines ?? [];
  const { result, samples } = await sampleRss(server, 1000, () =>
    Promise.all([
      runWrk({
        url: server.url,
        kind: "rotate",
        lines: reads,
        connections: 40,
        seconds,
        name: "soak-reads",
      }),
      writes.length > 0
        ? runWrk({
            url: server.url,
            kind: "write-pairs",
            lines: writes,
            connections: 10,
            seconds,
            name: "soak-writes",
          })
        : Promise.resolve({ requests: 0, seconds, rps: 0, p50: 0, p99: 0, max: 0, errors: 0 }),
    ]),
  );
  const fifth = Math.max(1, Math.floor(samples.length / 5));
  const max = (list: { mb: number }[]) => Math.max(...list.map((s) => s.mb));
  const soak: SoakResult = {
    seconds,
    reads: result[0],
    writes: result[1],
    samples,
    firstMb: max(samples.slice(0, fifth)),
    lastMb: max(samples.slice(-fifth)),
    // After the first fifth: the climb from idle to load is not growth.
    slopeMbPerMinute: slope(samples.slice(fifth)),
  };
  log(
    `  reads ${Math.round(soak.reads.rps)}/s, writes ${Math.round(soak.writes.rps)}/s, RSS ${soak.firstMb.toFixed(0)} MB → ${soak.lastMb.toFixed(0)} MB (${soak.slopeMbPerMinute.toFixed(2)} MB/min)`,
  );
  return soak;
}

function slope(samples: { ms: number; mb: number }[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const mx = samples.reduce((a, s) => a + s.ms, 0) / n;
  const my = samples.reduce((a, s) => a + s.mb, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.ms - mx) * (s.mb - my);
    den += (s.ms - mx) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60_000;
}
