// Writes the app's /openapi.json (built in process over an in-memory store) to the file named by
// the first argument, for `pnpm openapi:lint` (redocly lints a file, not an app).
import { writeFileSync } from "node:fs";
import { createAuthenticator } from "@teams/auth";
import { createTeams } from "@teams/core";
import { openSqliteStore } from "@teams/sqlite";
import { createApp } from "../src/app.js";

const out = process.argv[2] ?? "openapi.json";
const store = await openSqliteStore({ filename: ":memory:" });
const authenticator = await createAuthenticator({
  jwtSecret: "only-for-writing-the-openapi-document",
});
const app = createApp({ teams: createTeams(store), authenticator, ping: store.ping });
const res = await app.request("/openapi.json");
writeFileSync(out, `${JSON.stringify(await res.json(), null, 2)}\n`);
await store.close();
