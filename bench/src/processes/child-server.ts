import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

/** A server the harness started: where it listens, and its memory as the kernel reports it. */
export interface ChildServer {
  name: string;
  url: string;
  pid: number;
  /** Resident set size now, in MB. */
  rss(): number;
  /** Highest resident set size since it started (VmHWM), in MB. */
  peakRss(): number;
  /** CPU time it has used so far (user and system, all its threads), in seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** How a server's output is kept. */
export interface ServerOutput {
  /**
   * Standard output written to this file (created or emptied) instead of a pipe this process
   * drains; the URL is then read from standard error, where the service writes its banner when it
   * logs JSON. Default: a pipe, drained and dropped.
   */
  stdoutFile?: string;
}

/**
 * Starts `node <args>` and waits for the line that names its URL (`http://127.0.0.1:PORT`). Every
 * server of the run listens on loopback only, on a port the system picks.
 */
export async function startServer(
  name: string,
  args: string[],
  env: Record<string, string> = {},
  output: ServerOutput = {},
): Promise<ChildServer> {
  const stdout = output.stdoutFile === undefined ? "pipe" : openSync(output.stdoutFile, "w");
  const child = spawn(process.execPath, args, {
    // Rate limits off: the load comes from one address and a few callers at thousands of
    // requests a second, far past the limits a real client meets.
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: "0",
      TEAMS_LOG: "off",
      TEAMS_RATE_LIMIT: "0",
      TEAMS_RATE_LIMIT_CALLER: "0",
      TEAMS_RATE_LIMIT_AUTH_FAILURES: "0",
      ...env,
    },
    stdio: ["ignore", stdout, "pipe"],
  });
  // The child holds its own copy of the descriptor.
  if (typeof stdout === "number") closeSync(stdout);
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    let started = false;
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 30_000);
    // Read until the URL shows, then drained and dropped: a server logging every request must
    // not fill this process's memory (nor block on a full pipe).
    const read = (chunk: Buffer) => {
      if (started) return;
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(output);
      if (match) {
        started = true;
        output = "";
        clearTimeout(timer);
        resolve(match[0]);
      }
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output}`));
    });
  });
  const pid = child.pid as number;
  return {
    name,
    url,
    pid,
    rss: () => statusField(pid, "VmRSS"),
    peakRss: () => statusField(pid, "VmHWM"),
    cpuSeconds: () => cpuSeconds(pid),
    stop: () => stop(child),
  };
}

/** Clock ticks a second of /proc's CPU times (USER_HZ: 100 on every Linux architecture in use). */
const USER_HZ = 100;

function cpuSeconds(pid: number): number {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return Number.NaN;
  }
}

function statusField(pid: number, field: string): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Samples a server's RSS every `everyMs` while `work` runs; returns the work's result and the samples. */
export async function sampleRss<T>(
  server: ChildServer,
  everyMs: number,
  work: () => Promise<T>,
): Promise<{ result: T; samples: { ms: number; mb: number }[] }> {
  const samples: { ms: number; mb: number }[] = [];
  const started = performance.now();
  const take = () => samples.push({ ms: performance.now() - started, mb: server.rss() });
  take();
  const timer = setInterval(take, everyMs);
  try {
    const result = await work();
    take();
    return { result, samples };
  } finally {
    clearInterval(timer);
  }
}
