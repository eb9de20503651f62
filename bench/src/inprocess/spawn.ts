import { spawn } from "node:child_process";
import type { InProcessResult } from "./run.js";

/** Runs the in-process figures in a child process and returns them. */
export async function runInProcess(
  script: string,
  filename: string,
  scale: string,
): Promise<InProcessResult[]> {
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [script, filename, scale], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(text) : reject(new Error(`in-process run exited with ${code}`)),
    );
  });
  const line = output.trim().split("\n").at(-1) ?? "";
  return (JSON.parse(line) as { results: InProcessResult[] }).results;
}
