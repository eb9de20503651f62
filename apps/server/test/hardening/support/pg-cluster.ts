import { execFile, execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

// A PostgreSQL cluster of the test's own, in a temporary folder on a free port, so it can be
// stopped and started under load without touching the server other tests share.

function binDir(): string | null {
  try {
    const dir = execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
    if (existsSync(join(dir, "initdb"))) return dir;
  } catch {}
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  for (const version of readdirSync(root).sort().reverse()) {
    const dir = join(root, version, "bin");
    if (existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) return dir;
  }
  return null;
}

function postgresUid(): number | null {
  try {
    return Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  } catch {
    return null;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Cluster {
  url: string;
  /** Asynchronous, so that an app in this process keeps serving while PostgreSQL stops and starts. */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  /** The postmaster's pid (first line of postmaster.pid), while it runs. */
  pid(): number;
  /** Stops the cluster (if running) and deletes its folder. */
  destroy(): Promise<void>;
}

const execFileAsync = promisify(execFile);

/** Why a cluster cannot be made here, or null. */
export function clusterSkipReason(): string | null {
  if (!binDir()) return "initdb and pg_ctl are not installed";
  if (process.getuid?.() === 0 && postgresUid() === null)
    return "running as root without a postgres user";
  return null;
}

/** initdb (as the postgres user when root: PostgreSQL refuses to run as root), then start. */
export async function createCluster(): Promise<Cluster> {
  const bin = binDir();
  if (!bin) throw new Error("initdb is not installed");
  const root = mkdtempSync(join(tmpdir(), "teams-pgcluster-"));
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? postgresUid() : null;
  if (asRoot && uid !== null) chownSync(root, uid, uid);
  const run = async (tool: string, args: string[]) => {
    const command = join(bin, tool);
    const [file, argv] = asRoot
      ? ["runuser", ["-u", "postgres", "--", command, ...args]]
      : [command, args];
    await execFileAsync(file as string, argv as string[], { timeout: 60_000 });
  };
  const data = join(root, "data");
  const port = await freePort();
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c max_connections=50`;
  let running = false;
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await run("pg_ctl", [
        "-D",
        data,
        "-o",
        options,
        "-l",
        join(root, "log"),
        "-w",
        "-t",
        "30",
        "start",
      ]);
      running = true;
    },
    async stop(mode = "fast") {
      await run("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "30", "stop"]);
      running = false;
    },
    pid: () => Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]),
    async destroy() {
      try {
        if (running) await cluster.stop("immediate");
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
  try {
    await run("initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=trust",
      "-E",
      "UTF8",
      "--no-sync",
      "--no-instructions",
    ]);
    await cluster.start();
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return cluster;
}
