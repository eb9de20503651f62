import type { StoreKind } from "@teams/core";
import { postgresJsonObject } from "./postgres-json-text.js";

/** What a PostgreSQL database is to the core; pass it to `createTeams` with a Kysely of your own. */
export const postgresStoreKind: StoreKind = {
  family: "postgres",
  jsonObject: postgresJsonObject,
};
