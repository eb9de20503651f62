// Summarises a V8 CPU profile (node --cpu-prof): where the time went, by package and by function.
// Usage: node dist/profile.js <file.cpuprofile> [rows]. BENCH_PROFILE=1 pnpm bench writes profiles
// of the service under each load to bench/.data/profiles/.
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time by package and by function, as percentages of the profile. */
export function summarize(path: string, rows = 25): string {
  const profile = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const time = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    time.set(id, (time.get(id) ?? 0) + delta);
    total += delta;
  });
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const self = time.get(node.id) ?? 0;
    if (self === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^file:\/\/.*?\/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, "");
    const pkg = packageOf(url) || functionName;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + self);
    const key = `${functionName || "(anonymous)"} ${where.replace(/^file:\/\/\/.*?\/(packages|apps)\//, "$1/")}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + self);
  }
  const top = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, rows)
      .map(([name, t]) => `${((100 * t) / total).toFixed(1).padStart(5)}%  ${name}`)
      .join("\n");
  return `self time by package:\n${top(byPackage)}\n\nself time by function:\n${top(byFunction)}`;
}

function packageOf(url: string): string {
  const dependency = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(
    url,
  );
  if (dependency) return dependency[1] as string;
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  const workspace = /\/(packages|apps)\/([^/]+)\//.exec(url);
  return workspace ? `${workspace[1]}/${workspace[2]}` : url;
}

if (process.argv[1]?.endsWith("profile.js")) {
  const [path, rows] = process.argv.slice(2);
  if (!path) throw new Error("usage: profile.js <file.cpuprofile> [rows]");
  console.log(summarize(path, Number(rows ?? 25)));
}
