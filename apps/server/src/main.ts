// `pnpm start` in this repository (from source, with tsx): the same as `teams start`.

import { startCommand } from "./cli/start-command.js";
import { ConfigError, loadConfig } from "./config.js";

// A configuration the server cannot run with (read at start, or a PORT/HOST it cannot listen on)
// exits 2, as `teams start` does; anything else 1.
(async () => startCommand(loadConfig()))().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
