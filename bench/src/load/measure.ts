import { type ChildServer, sampleRss } from "../processes/child-server.js";
import type { Measured } from "../report/report.js";
import type { HttpScenario } from "../scenarios.js";
import { type LoadResult, runWrk } from "./wrk.js";

const describe = (r: LoadResult) =>
  `${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${r.errors ? `, ${r.errors} errors` : ""}`;

/**
 * One scenario against one server: `warmSeconds` of warm-up, then the measured run, sampling the
 * server's resident size. A scenario with `freshLines` gets new lines for each run.
 */
export async function measureScenario(
  server: ChildServer,
  scenario: HttpScenario,
  warmSeconds: number,
  log: (line: string) => void,
): Promise<Measured> {
  const lines = async () => (scenario.freshLines ? await scenario.freshLines() : scenario.lines);
  if (warmSeconds > 0) {
    await runWrk({
      ...scenario,
      lines: await lines(),
      url: server.url,
      seconds: warmSeconds,
      name: `${scenario.key}-warm`,
    });
  }
  const measuredLines = await lines();
  const cpuBefore = server.cpuSeconds();
  const { result, samples } = await sampleRss(server, 250, () =>
    runWrk({ ...scenario, lines: measuredLines, url: server.url, name: scenario.key }),
  );
  const cpuUsPerRequest = ((server.cpuSeconds() - cpuBefore) * 1e6) / result.requests;
  const peak = Math.max(...samples.map((s) => s.mb));
  log(
    `  ${scenario.label}: ${describe(result)}, ${cpuUsPerRequest.toFixed(0)} µs CPU/request, RSS up to ${peak.toFixed(0)} MB`,
  );
  return {
    ...result,
    key: scenario.key,
    label: scenario.label,
    target: server.name,
    connections: scenario.connections,
    rssMb: peak,
    cpuUsPerRequest,
  };
}
