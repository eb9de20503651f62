import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/sqlite: children run from here so that `tsx` and the workspace packages resolve. */
export const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const running = new Set<Child>();

/**
 * A Node process running one of `test/children/*.ts` from TypeScript sources, with its stdout split
 * into lines. Stdout is a pipe, so whatever a child wrote before it was killed is still read.
 */
export class Child {
  readonly lines: string[] = [];
  /** Resolves once the process has ended and its output has been read to the end. */
  readonly exited: Promise<Exit>;
  readonly process: ChildProcessWithoutNullStreams;
  #stderr = "";
  #partial = "";
  #exit: Exit | undefined;
  readonly #listeners = new Set<() => void>();

  constructor(script: string, args: readonly string[]) {
    this.process = spawn(
      process.execPath,
      [
        "--conditions=@teams/source",
        "--import",
        "tsx",
        join(PACKAGE_DIR, "test/children", script),
        ...args,
      ],
      { cwd: PACKAGE_DIR, stdio: ["pipe", "pipe", "pipe"] },
    );
    running.add(this);
    this.process.stdout.setEncoding("utf8");
    this.process.stderr.setEncoding("utf8");
    this.process.stdout.on("data", (chunk: string) => {
      const parts = (this.#partial + chunk).split("\n");
      this.#partial = parts.pop() ?? "";
      this.lines.push(...parts);
      this.#notify();
    });
    this.process.stderr.on("data", (chunk: string) => {
      this.#stderr += chunk;
    });
    // A child killed in the middle of a write may leave its last line unfinished: it is dropped.
    this.exited = new Promise((resolve) => {
      this.process.on("close", (code, signal) => {
        running.delete(this);
        this.#exit = { code, signal };
        this.#notify();
        resolve(this.#exit);
      });
    });
  }

  get stderr(): string {
    return this.#stderr;
  }

  get alive(): boolean {
    return this.#exit === undefined;
  }

  /** Writes one line to the child's stdin. */
  send(line: string): void {
    this.process.stdin.write(`${line}\n`);
  }

  /** Resolves with the index of the first line from `from` on that matches; rejects if the child ends first. */
  waitForLine(matches: (line: string) => boolean, from = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      let next = from;
      const check = () => {
        for (; next < this.lines.length; next++) {
          if (matches(this.lines[next] ?? "")) {
            this.#listeners.delete(check);
            resolve(next);
            return;
          }
        }
        if (this.#exit) {
          this.#listeners.delete(check);
          reject(new Error(`child ended (${JSON.stringify(this.#exit)}) first:\n${this.#stderr}`));
        }
      };
      this.#listeners.add(check);
      check();
    });
  }

  /** SIGKILL: no handler runs, nothing is flushed, exactly as if the machine had killed it. */
  kill(): void {
    if (this.alive) this.process.kill("SIGKILL");
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

/** Kills, by pid, the children a failed test left running. */
export async function killRunningChildren(): Promise<void> {
  const left = [...running];
  for (const child of left) child.kill();
  await Promise.all(left.map((c) => c.exited));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
