// Compile-time only (`tsc -p packages/sqlite` checks it): src/store-kind-contract.ts states the
// core's StoreKind and JsonField, which @teams/core does not export yet. Each must be assignable
// to the other, so a change to the core's contract fails the type check here.
import type {
  JsonField as CoreJsonField,
  StoreKind as CoreStoreKind,
} from "../../../core/src/store-kind.js";
import type { JsonField, StoreKind } from "../../src/store-kind-contract.js";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export const storeKindIsTheCores: Same<StoreKind, CoreStoreKind> = true;
export const jsonFieldIsTheCores: Same<JsonField, CoreJsonField> = true;
