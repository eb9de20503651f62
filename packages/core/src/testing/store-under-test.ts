import type { Kysely } from "kysely";
import type { Database } from "../database.js";
import type { StoreKind } from "../store-kind.js";

/** A store opened for one test: migrated and empty. */
export interface StoreUnderTest {
  db: Kysely<Database>;
  kind: StoreKind;
  close(): Promise<void>;
}

export interface StoreConformanceOptions {
  /** Shown in the test names, e.g. `sqlite :memory:`. */
  name: string;
  /** Opens a new, migrated, empty store; called once per test. */
  open(): Promise<StoreUnderTest>;
}
