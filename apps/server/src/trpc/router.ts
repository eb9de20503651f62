import type { TRPCBuiltRouter, TRPCDecorateCreateRouterOptions } from "@trpc/server";
import { adminProcedures } from "./admin-router.js";
import { managementProcedures } from "./management-router.js";
import { oauthProcedures } from "./oauth-router.js";
import { referenceProcedures } from "./reference-router.js";
import { router, type TeamsErrorShape } from "./trpc.js";

/** Every operation of the REST API as a procedure, one plain record per area. */
const procedures = {
  teams: referenceProcedures,
  manage: managementProcedures,
  admin: adminProcedures,
  oauth: oauthProcedures,
};

export const appRouter = router(procedures);

/**
 * The router's type as a client sees it: every procedure's input and output and the error shape,
 * from the same records as `appRouter`, but without the server's context (the core, the
 * authenticator), so that `@teams/client`'s bundled declarations name no server type. The records
 * are plain objects (not `router()`s) because a built router's type names its context.
 */
export type AppRouter = TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: TeamsErrorShape; transformer: false },
  TRPCDecorateCreateRouterOptions<typeof procedures>
>;
