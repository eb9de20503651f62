// @teams/server: the host app, for tests and for embedding the whole HTTP face.

export { type AppOptions, createApp } from "./app.js";
export { SERVICE_FLAGS } from "./cli/start-command.js";
export { type Config, ConfigError, loadConfig } from "./config.js";
export { createOidcClient, type OidcClient, type OidcSettings } from "./pages/oidc-client.js";
export { type RunningServer, startServer } from "./server.js";
export { openStore, type Store } from "./store.js";
