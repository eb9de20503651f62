import { adminRouter } from "./admin-router.js";
import { managementRouter } from "./management-router.js";
import { referenceRouter } from "./reference-router.js";
import { router } from "./trpc.js";

/** Every operation of the REST API as a procedure, composed from one small router per area. */
export const appRouter = router({
  teams: referenceRouter,
  manage: managementRouter,
  admin: adminRouter,
});

/** The router's type: all a typed client needs (`@teams/client` imports only this). */
export type AppRouter = typeof appRouter;
