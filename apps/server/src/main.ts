// The `start` command: configuration from the environment, then the server, until SIGTERM/SIGINT.
import { ConfigError, loadConfig } from "./config.js";
import { startServer } from "./server.js";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const server = await startServer(config);
  const where = config.database.kind === "sqlite" ? config.database.filename : "PostgreSQL";
  // One write, so that whoever reads the banner from a pipe gets all of it at once.
  const banner = [
    `Teams is listening on ${server.url} (store: ${where})`,
    `  API docs:     ${server.url}/docs`,
    `  OpenAPI:      ${server.url}/openapi.json`,
  ];
  if (server.mode === "development") {
    banner.push(
      `  Development mode: tokens are signed with a key kept in ${config.dataDir}`,
      "  Get a token:  npx -y pnpm@12.4.2 teams token --sub alice",
      `  Try it:       curl -H "Authorization: Bearer $TOKEN" ${server.url}/api/v1/teams/`,
    );
  }
  console.log(banner.join("\n"));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing in-flight requests, then closing the store`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
