import { createTeams } from "@teams/core";
import { openSqliteStore } from "@teams/sqlite";
import { FIFTY, managerOf, READER, userId, teamsAuthorizedBy } from "./dist/dataset/shape.js";
const store = await openSqliteStore({ filename: process.argv[2] });
const own = createTeams(store);
const plain = createTeams({ db: store.db, kind: { ...store.kind, readOwnRows: undefined } });
const member = { userId: userId(READER), authorizedParty: null, scopes: ["data:read"] };
async function time(name, fn, n = 100000) {
  for (let i = 0; i < 10000; i++) await fn(i);
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const us = ((performance.now() - t) * 1000) / n;
  console.log(name, us.toFixed(2), "µs", Math.round(1e6/us));
}
for (let k = 0; k < 2; k++) {
await time("own", (i) => own.canAccess(member, { userId: userId(i % FIFTY), scope: "data:read" }));
await time("plain", (i) => plain.canAccess(member, { userId: userId(i % FIFTY), scope: "data:read" }));
}
