import { describe, expect, expectTypeOf, it } from "vitest";
import { type AppRouter, appRouter } from "../src/trpc/router.js";

// `AppRouter` is the type clients build on; it leaves out the server's context, and must otherwise
// be the real router's: the same procedures (inputs and outputs) and the same error shape.
describe("the client-facing router type", () => {
  it("has the real router's procedures and error shape", () => {
    type Real = typeof appRouter;
    expectTypeOf<AppRouter["_def"]["record"]>().toEqualTypeOf<Real["_def"]["record"]>();
    expectTypeOf<AppRouter["_def"]["_config"]["$types"]["errorShape"]>().toEqualTypeOf<
      Real["_def"]["_config"]["$types"]["errorShape"]
    >();
    expectTypeOf<AppRouter["_def"]["_config"]["$types"]["transformer"]>().toEqualTypeOf<
      Real["_def"]["_config"]["$types"]["transformer"]
    >();
    expect(Object.keys(appRouter._def.procedures).length).toBeGreaterThan(20);
  });
});
