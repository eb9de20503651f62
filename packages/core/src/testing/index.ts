// @teams/core/testing: what a store needs to prove it serves the core (and fixtures for tests).

export { runDelegationConformance } from "./delegation-conformance.js";
export { admin, delegated, principal, seedWorld, teamBody } from "./fixtures.js";
export { type TeamsWithListValues, withListValues } from "./list-values.js";
export { runPaginationConformance } from "./pagination-conformance.js";
export { runStoreConformance } from "./store-conformance.js";
export type { StoreConformanceOptions, StoreUnderTest } from "./store-under-test.js";
export { runUpgradeConformance, type UpgradeConformanceOptions } from "./upgrade-conformance.js";
