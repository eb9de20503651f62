// `teams start` (and `pnpm start`): configuration from the environment, then the server, until
// SIGTERM/SIGINT.
import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { Config } from "../config.js";

export const startHelp = `teams start: run the service (REST, tRPC, /docs, the consent pages)

Usage: teams start

Configuration comes from the environment (PORT, HOST, TEAMS_DATABASE, ...; see the README).
The service migrates the database's schema when it starts, and stops on SIGTERM or SIGINT after
finishing the requests in flight.`;

/**
 * The V8 flags the service runs with (and every benchmark starts it with): a young generation of
 * 4 MB semi-spaces rather than up to 16 MB, and an old generation allowed to grow by half its live
 * size (rather than up to four times) before a full collection. Under the benchmark's write load
 * this keeps the resident size near 120 MB instead of 190 MB, at the same throughput.
 */
export const SERVICE_FLAGS = ["--max-semi-space-size=4", "--heap-growing-percent=50"];

/**
 * When this process was started without `SERVICE_FLAGS` (an npm `bin` cannot pass node flags),
 * runs the same command line again in a child with them and mirrors it: signals forwarded, the
 * child's exit code returned. Returns undefined when the flags are already in force.
 */
export function rerunWithServiceFlags(): Promise<number> | undefined {
  if (SERVICE_FLAGS.every((flag) => process.execArgv.includes(flag))) return undefined;
  const script = process.argv[1];
  if (script === undefined) return undefined;
  const child = spawn(
    process.execPath,
    [...SERVICE_FLAGS, ...process.execArgv, script, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => child.kill(signal));
  }
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    // A child ended by a signal exits as a shell reports it: 128 + the signal's number.
    child.on("exit", (code, signal) =>
      resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)),
    );
  });
}

/**
 * Starts the server, logs it and prints where it is; the process stays up until SIGTERM/SIGINT.
 * With JSON logs the banner goes to standard error, so standard output holds JSON lines only.
 */
export async function startCommand(config: Config): Promise<void> {
  // Loaded here, not at the top: every other command of `teams` would load the whole server.
  const { startServer } = await import("../server.js");
  const { componentLogger, createLogger } = await import("../logger.js");
  const logger = await createLogger(config.log);
  const log = componentLogger(logger, "server");
  const server = await startServer(config, logger);
  const where = config.database.kind === "sqlite" ? config.database.filename : "PostgreSQL";
  log.info({ url: server.url, store: config.database.kind, auth_mode: server.mode }, "listening");
  // One write, so that whoever reads the banner from a pipe gets all of it at once.
  const banner = [
    `Teams is listening on ${server.url} (store: ${where})`,
    `  API docs:     ${server.url}/docs`,
    `  OpenAPI:      ${server.url}/openapi.json`,
  ];
  if (server.metricsUrl) banner.push(`  Metrics:      ${server.metricsUrl}/metrics`);
  if (config.otlpEndpoint) banner.push(`  Traces:       sent to ${config.otlpEndpoint}`);
  if (config.oidc) banner.push(`  Sign-in:      through ${config.oidc.issuer}`);
  if (server.mode === "development") {
    banner.push(
      `  Warning: development mode: anyone with this machine's command line can sign in as anyone; configure TEAMS_OIDC_ISSUER (or a key) before exposing the server`,
      `  Development mode: tokens are signed with a key kept in ${config.dataDir}`,
      "  Demo data:    teams demo     (a team, a coach, athletes, and tokens to try them with)",
      "  A token:      teams token --sub alice",
      `  Try it:       curl -H "Authorization: Bearer $TOKEN" ${server.url}/api/v1/teams/`,
      "  (in this repository: npx -y pnpm@12.4.2 teams demo)",
    );
  }
  if (config.log === "json") console.error(banner.join("\n"));
  else console.log(banner.join("\n"));
  let stopping = false;
  // The last lines are flushed before the process ends (the JSON log is written asynchronously).
  const exit = (code: number) => logger.flush(() => process.exit(code));
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: finishing in-flight requests, then closing the store");
    server.close().then(
      () => {
        log.info("stopped");
        exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, "stop failed");
        exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}
