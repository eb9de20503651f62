// Baseline: GET /api/v1/teams/authorized written by hand, with no framework: node:http, a jose
// HS256 verification of every token, a better-sqlite3 prepared point lookup of the caller and the
// 10-row join of its teams. Usage: reference-endpoint.js <database file>; TEAMS_JWT_SECRET set.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import BetterSqlite3 from "better-sqlite3";
import { jwtVerify } from "jose";

const [filename] = process.argv.slice(2);
const secret = process.env.TEAMS_JWT_SECRET;
if (!filename || !secret)
  throw new Error("usage: reference-endpoint.js <db>, TEAMS_JWT_SECRET set");

const db = new BetterSqlite3(filename, { readonly: true });
const user = db.prepare("select id, manager_id from users where id = ?");
const teams = db.prepare(
  `select t.id, t.name, t.description, t.url, t.image, t.privacy_statement, a.scopes
     from authorizations a join teams t on t.id = a.team_id
    where a.user_id = ? order by t.name, t.id`,
);
const key = new TextEncoder().encode(secret);

interface Row {
  id: string;
  name: string;
  description: string;
  url: string;
  image: string;
  privacy_statement: string;
  scopes: string;
}

const server = createServer(async (request, response) => {
  const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
  try {
    if (!token) throw new Error("no token");
    const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"] });
    if (typeof payload.sub !== "string" || !user.get(payload.sub)) throw new Error("no user");
    const rows = teams.all(payload.sub) as Row[];
    const body = JSON.stringify(
      rows.map((r) => ({
        id: r.id,
        name: r.name,
        description: r.description,
        url: r.url,
        image: r.image,
        privacy_statement: r.privacy_statement,
        scopes: r.scopes.split(" "),
      })),
    );
    response.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    response.end(body);
  } catch {
    response.writeHead(401, { "content-type": "application/json" });
    response.end('{"detail":"Could not validate credentials"}');
  }
});
server.listen(0, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
