import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DATA_DIR } from "../dataset/generate.js";

/** What one wrk run measured. Latencies in milliseconds. */
export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** Responses with a status of 400 or more, and socket errors. */
  errors: number;
}

/** wrk from Debian, installed when missing (the machine is this project's: root, apt reachable). */
export function ensureWrk(): string {
  const found = which("wrk");
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error("wrk is missing: install Debian's wrk (apt-get install -y wrk) and run again");
  }
  console.log("installing Debian's wrk ...");
  try {
    execFileSync("apt-get", ["install", "-y", "wrk"], { stdio: "ignore" });
  } catch {
    execFileSync("apt-get", ["update"], { stdio: "ignore" });
    execFileSync("apt-get", ["install", "-y", "wrk"], { stdio: "ignore" });
  }
  const installed = which("wrk");
  if (!installed) throw new Error("apt-get did not install wrk");
  return installed;
}

function which(command: string): string | undefined {
  try {
    return (
      execFileSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

// Prints the summary as one JSON line, for the harness to read.
const REPORT = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"errors":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect + e.read + e.write + e.timeout + e.status))
end
`;

/** Cycles through requests read from a file: one "METHOD<tab>path<tab>token<tab>body" a line. */
const ROTATE = `
local requests = {}
init = function(args)
  for line in io.lines(args[1]) do
    local method, path, token, body = line:match("^(%S+)\\t(%S+)\\t(%S*)\\t(.*)$")
    local headers = {}
    if token ~= "" then headers["Authorization"] = "Bearer " .. token end
    if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
    table.insert(requests, wrk.format(method, path, headers, body))
  end
end
local i = 0
request = function()
  i = i % #requests + 1
  return requests[i]
end
${REPORT}`;

/**
 * Authorize-then-revoke pairs: a POST for the next (user, team) of the file, and once its answer
 * is in, the DELETE of the same pair. A pair comes round again only after all the others, so at
 * most one request of a pair is ever in flight and every answer is a 200.
 */
const WRITE_PAIRS = `
local posts, deletes, keys = {}, {}, {}
init = function(args)
  for line in io.lines(args[1]) do
    local path, token, user, team = line:match("^(%S+)\\t(%S+)\\t(%S+)\\t(%S+)$")
    local headers = { Authorization = "Bearer " .. token, ["Content-Type"] = "application/json" }
    table.insert(posts, wrk.format("POST", path, headers, '{"scopes":["data:read"]}'))
    deletes[user .. "|" .. team] = wrk.format("DELETE", path, { Authorization = "Bearer " .. token })
  end
end
local nextPost, queued, authorized = 0, {}, {}
request = function()
  local delete = table.remove(queued, 1)
  if delete then return delete end
  nextPost = nextPost % #posts + 1
  return posts[nextPost]
end
response = function(status, headers, body)
  if status ~= 200 then return end
  local team, user = body:match('"team_id":"([^"]+)","user_id":"([^"]+)"')
  if not team then return end
  local key = user .. "|" .. team
  if authorized[key] then
    authorized[key] = nil
  else
    authorized[key] = true
    table.insert(queued, deletes[key])
  end
end
${REPORT}`;

/**
 * Refresh chains (RFC 6749 §6 with rotation): the file holds one refresh token a line, each of
 * its own family. A request takes the next token of the queue; its answer's new refresh token
 * joins the queue's end. Each token is used exactly once, so with more tokens than connections
 * every answer is a 200 (a token used twice would end its family).
 */
const REFRESH_CHAINS = `
local queue = {}
init = function(args)
  for line in io.lines(args[1]) do table.insert(queue, line) end
end
local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
request = function()
  local token = table.remove(queue, 1) or "exhausted"
  return wrk.format("POST", "/api/v1/oauth/token", headers,
    "grant_type=refresh_token&refresh_token=" .. token)
end
response = function(status, headers, body)
  if status ~= 200 then return end
  local token = body:match('"refresh_token":"([^"]+)"')
  if token then table.insert(queue, token) end
end
${REPORT}`;

export type ScriptKind = "rotate" | "write-pairs" | "refresh-chains";

const SCRIPTS: Record<ScriptKind, string> = {
  rotate: ROTATE,
  "write-pairs": WRITE_PAIRS,
  "refresh-chains": REFRESH_CHAINS,
};

/** Runs wrk against `url` (the origin; paths come from `lines`) and returns what it measured. */
export async function runWrk(options: {
  url: string;
  kind: ScriptKind;
  /** Lines of the request file the script reads (see the scripts above). */
  lines: string[];
  connections: number;
  seconds: number;
  name: string;
}): Promise<LoadResult> {
  const dir = join(DATA_DIR, "runs");
  const script = join(dir, `${options.kind}.lua`);
  writeFileSync(script, SCRIPTS[options.kind]);
  const requests = join(dir, `${options.name.replace(/\W+/g, "-")}.requests`);
  writeFileSync(requests, `${options.lines.join("\n")}\n`);
  const args = [
    "-t1",
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    "--timeout",
    "30s",
    "-s",
    script,
    options.url,
    "--",
    requests,
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", () => resolve(text));
  });
  const line = output.split("\n").find((l) => l.startsWith("WRK_RESULT "));
  if (!line) throw new Error(`wrk printed no result for ${options.name}:\n${output}`);
  const r = JSON.parse(line.slice("WRK_RESULT ".length)) as {
    requests: number;
    duration_us: number;
    p50_us: number;
    p99_us: number;
    max_us: number;
    errors: number;
  };
  const seconds = r.duration_us / 1e6;
  return {
    requests: r.requests,
    seconds,
    rps: r.requests / seconds,
    p50: r.p50_us / 1000,
    p99: r.p99_us / 1000,
    max: r.max_us / 1000,
    errors: r.errors,
  };
}
