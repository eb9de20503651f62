import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTeams, type Teams } from "@teams/core";
import { delegated, principal, seedWorld } from "@teams/core/testing";
import { openSqliteStore } from "@teams/sqlite";
import { SECRET } from "../../harness.js";
import { type ServerProcess, startServerProcess } from "../../process.js";
import { snapshotOf, type Target } from "./catalogue.js";
import { auth, inProcessApp, tokenFor } from "./http.js";
import { rawRequest } from "./raw-http.js";
import { openPostgresTestStore } from "./stores.js";

// The two places the catalogue runs: the real server process over a SQLite file (raw bytes, the
// process staying alive), and the app in process over PostgreSQL (the second store's answers).

/** The fixtures' world, plus authorizations for the revoke and list rows to act on. */
export async function seedCatalogueWorld(teams: Teams): Promise<void> {
  await seedWorld(teams);
  await teams.authorizeTeam(delegated("ann", "coach"), "club", { scopes: ["data:read"] });
  await teams.consentToTeam(principal("carl"), "club", { scopes: ["data:read", "profile"] });
}

/** Tokens of the cast, signed with the test secret. */
export const castTokens = async () => ({
  coach: await tokenFor({ sub: "coach" }),
  assistant: await tokenFor({ sub: "assistant" }),
  carl: await tokenFor({ sub: "carl" }),
  rival: await tokenFor({ sub: "rival" }),
  annByCoach: await tokenFor({ sub: "ann", azp: "coach" }),
  admin: await tokenFor({ sub: "platform", scope: "admin" }),
});
export type CastTokens = Awaited<ReturnType<typeof castTokens>>;

/** One request per caller first: a user first seen in a token is recorded, and rows must not see that. */
async function warmUp(target: Target, tokens: CastTokens): Promise<void> {
  for (const token of Object.values(tokens)) {
    await target.send("/api/v1/teams/", { headers: auth(token) });
  }
}

export interface OpenTarget extends Target {
  close(): Promise<void>;
  /** Everything the server process printed (its request log); empty in process. */
  output(): string;
}

export async function processTarget(
  tokens: CastTokens,
  extraEnv: Record<string, string> = {},
): Promise<OpenTarget & { server: ServerProcess; filename: string }> {
  const dir = mkdtempSync(join(tmpdir(), "teams-adversarial-"));
  const filename = join(dir, "teams.db");
  const seeding = await openSqliteStore({ filename });
  await seedCatalogueWorld(createTeams(seeding));
  await seeding.close();
  const server = await startServerProcess({
    PORT: "0",
    TEAMS_DATABASE: filename,
    TEAMS_JWT_SECRET: SECRET,
    TEAMS_EXTERNAL_AZP: "actor",
    // The adversaries send thousands of bad requests from one address: not the normal client the
    // default limits leave alone (rate-limits.test.ts covers the limits).
    TEAMS_RATE_LIMIT: "0",
    TEAMS_RATE_LIMIT_CALLER: "0",
    TEAMS_RATE_LIMIT_AUTH_FAILURES: "0",
    ...extraEnv,
  });
  const reader = await openSqliteStore({ filename, migrate: false });
  const target: OpenTarget & { server: ServerProcess; filename: string } = {
    label: "process/SQLite",
    server,
    filename,
    send: (path, init) => fetch(`${server.url}${path}`, init),
    raw: (bytes) => rawRequest(server.url, bytes),
    snapshot: () => snapshotOf(reader.db),
    async alive() {
      if (server.child.exitCode !== null || server.child.signalCode !== null) return false;
      return (await fetch(`${server.url}/healthz`)).status === 200;
    },
    bugs: () => [],
    output: () => server.output(),
    async close() {
      await reader.close();
      server.child.kill("SIGTERM");
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await warmUp(target, tokens);
  return target;
}

export async function postgresTarget(tokens: CastTokens): Promise<OpenTarget> {
  const store = await openPostgresTestStore("adversarial");
  const app = await inProcessApp(store);
  await seedCatalogueWorld(app.teams);
  const target: OpenTarget = {
    label: "in-process/PostgreSQL",
    send: app.send,
    raw: null,
    snapshot: () => snapshotOf(store.db),
    async alive() {
      return (await app.send("/healthz")).status === 200;
    },
    bugs: () => app.bugs.splice(0),
    output: () => "",
    close: () => store.close(),
  };
  await warmUp(target, tokens);
  return target;
}
