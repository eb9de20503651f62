import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const serverDir = fileURLToPath(new URL("..", import.meta.url));
const nodeArgs = ["--conditions=@teams/source", "--import", "tsx"];

/** The environment of a child: the test's own, minus anything that would change its configuration. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("TEAMS_") && k !== "PORT" && k !== "HOST" && k !== "INIT_CWD") env[k] = v;
  }
  return { ...env, ...extra };
}

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  /** Standard output and error together, as written so far. */
  output(): string;
  /** Standard output alone (with JSON logs, the log lines). */
  stdout(): string;
  exited: Promise<number | null>;
}

/** Starts `src/main.ts` as the start command does, and waits for the line with its URL. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, "src/main.ts"], {
    cwd: serverDir,
    env: childEnv(env),
  });
  let out = "";
  let stdout = "";
  child.stdout.on("data", (d) => {
    out += d;
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 20);
    exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return { child, url, output: () => out, stdout: () => stdout, exited };
}

/** Runs the `teams` CLI with arguments; resolves with its exit code and output. */
export function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeArgs, "src/cli/main.ts", ...args],
      { cwd: serverDir, env: childEnv(env) },
      (error, stdout, stderr) => {
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}
