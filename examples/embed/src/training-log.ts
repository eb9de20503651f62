import { createServer, type IncomingMessage, type Server } from "node:http";
import {
  createTeams,
  migrateToLatest,
  type Principal,
  type Teams,
  type Database as TeamsDatabase,
  TeamsError,
} from "@teams/core";
import { sqliteStoreKind } from "@teams/sqlite";
import BetterSqlite3 from "better-sqlite3";
import { type Generated, Kysely, SqliteDialect, sql } from "kysely";

// A training-log service of its own: its table lives in the same database as the Teams tables,
// and it asks Teams, in process, whether a caller may see someone's workouts.

interface WorkoutsTable {
  id: Generated<number>;
  user_id: string;
  day: string;
  kind: string;
  minutes: number;
}

/** The service's database: its own tables plus the ones Teams needs. */
export interface ServiceDatabase extends TeamsDatabase {
  workouts: WorkoutsTable;
}

export interface TrainingLog {
  db: Kysely<ServiceDatabase>;
  teams: Teams;
  server: Server;
  close(): Promise<void>;
}

/** Opens the service on `filename`, migrating Teams' schema and its own. */
export async function openTrainingLog(filename: string): Promise<TrainingLog> {
  const db = new Kysely<ServiceDatabase>({
    dialect: new SqliteDialect({ database: new BetterSqlite3(filename) }),
  });
  await migrateToLatest(db as unknown as Kysely<TeamsDatabase>, sqliteStoreKind);
  await sql`create table if not exists workouts (
    id integer primary key, user_id text not null, day text not null, kind text not null, minutes integer not null
  )`.execute(db);
  // Teams takes any Kysely whose database has its tables; the service's wider type fits.
  const teams = createTeams({ db: db as unknown as Kysely<TeamsDatabase>, kind: sqliteStoreKind });

  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      const match = /^\/users\/([^/]+)\/workouts$/.exec(req.url ?? "");
      if (req.method !== "GET" || !match?.[1]) return send(404, { error: "not found" });
      const userId = decodeURIComponent(match[1]);
      const principal = callerOf(req);
      // The one question the service asks before serving someone's data.
      if (!(await teams.canAccess(principal, { userId, scope: "data:read" }))) {
        return send(403, { error: "you may not see this user's workouts" });
      }
      const workouts = await db
        .selectFrom("workouts")
        .select(["day", "kind", "minutes"])
        .where("user_id", "=", userId)
        .orderBy("day")
        .execute();
      return send(200, workouts);
    } catch (error) {
      if (error instanceof TeamsError && error.kind === "not_authenticated")
        return send(401, { error: "sign in" });
      if (error instanceof TeamsError && error.kind === "invalid")
        return send(400, { error: error.message });
      return send(500, { error: "internal error" });
    }
  });

  return {
    db,
    teams,
    server,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.destroy();
    },
  };
}

/**
 * The caller, as this toy service's gateway vouches for it (a real one verifies a token, e.g.
 * with @teams/auth). Absent: no principal, which Teams answers as NotAuthenticated.
 */
function callerOf(req: IncomingMessage): Principal | null {
  const userId = req.headers["x-user-id"];
  return typeof userId === "string" && userId !== ""
    ? { userId, authorizedParty: null, scopes: ["data:read"] }
    : null;
}
