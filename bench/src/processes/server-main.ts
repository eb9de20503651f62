import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The V8 flags `teams start` runs the service with; every benchmark starts it with them. */
export { SERVICE_FLAGS } from "@teams/server";

/** The compiled server's entry point the benchmarks start; `run` names the command that builds it. */
export function serverMain(run = "pnpm bench"): string {
  const main = fileURLToPath(new URL("./main.js", import.meta.resolve("@teams/server")));
  if (!existsSync(main)) throw new Error(`${main} is missing: run pnpm build (${run} does)`);
  return main;
}
