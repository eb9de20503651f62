import { execFileSync } from "node:child_process";
import { openPostgresStore, type PostgresStore } from "@teams/postgres";
import { describe, expect, it } from "vitest";
import { auth, inProcessApp, tokenFor } from "./support/http.js";
import { type Cluster, clusterSkipReason, createCluster } from "./support/pg-cluster.js";
import { seedCatalogueWorld } from "./support/targets.js";

// Beside the restart: a PostgreSQL that stops answering without closing its connections (a frozen
// host, a network partition), made here by SIGSTOP on the processes of the test's own cluster.
// `statement_timeout` cannot help (the server enforces it, and the server is frozen), so a request
// on a pooled connection must be cut by the client side: answered 503 within the statement
// timeout and a margin, never left hanging.
//
// This test FAILS today: requests on pooled connections hang until the server wakes up. The fix is
// not a one-liner (see the hardening report): pg's `query_timeout` alone would leave a timed-out
// transaction open on a connection the pool hands out again, so the connection must be destroyed.

const skipReason = clusterSkipReason();
const STATEMENT_TIMEOUT_MS = 1500;
const MARGIN_MS = 2500;

/** Our cluster's postmaster (by the pid in postmaster.pid) and its children. */
function clusterPids(cluster: Cluster): number[] {
  const main = cluster.pid();
  const children = execFileSync("pgrep", ["-P", String(main)], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map(Number);
  return [main, ...children].filter((pid) => pid > 0);
}

describe.skipIf(skipReason !== null)("PostgreSQL frozen under the app", () => {
  it("answers 503 within the statement timeout, not never", async () => {
    let cluster: Cluster | undefined;
    let store: PostgresStore | undefined;
    let frozen: number[] = [];
    try {
      cluster = await createCluster();
      store = await openPostgresStore({
        url: cluster.url,
        max: 4,
        connectionTimeoutMs: 1000,
        statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      });
      const app = await inProcessApp({
        kind: store.kind,
        db: store.db,
        ping: store.ping,
        close: store.close,
      });
      await seedCatalogueWorld(app.teams);
      const token = await tokenFor({ sub: "coach" });
      // Warm the pool: the next requests find idle connections whose server side is then frozen.
      await Promise.all([1, 2, 3].map(() => app.send("/api/v1/teams/", { headers: auth(token) })));
      frozen = clusterPids(cluster);
      for (const pid of frozen) process.kill(pid, "SIGSTOP");
      const started = Date.now();
      const answer = await Promise.race([
        app.send("/api/v1/teams/", { headers: auth(token) }).then((r) => r.status),
        new Promise<string>((resolve) =>
          setTimeout(() => resolve("no answer"), STATEMENT_TIMEOUT_MS + MARGIN_MS),
        ),
      ]);
      console.log(
        `postgres frozen: a read was answered ${answer} after ${Date.now() - started} ms`,
      );
      expect(answer).toBe(503);
    } finally {
      for (const pid of frozen) {
        try {
          process.kill(pid, "SIGCONT");
        } catch {}
      }
      await store?.close();
      await cluster?.destroy();
    }
  }, 60_000);
});
