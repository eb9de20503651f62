import type { AnyTRPCQueryProcedure, TRPCRouterRecord } from "@trpc/server";
import type { AppRouter } from "./router.js";

/** The dotted paths of a router's query procedures, from its type. */
type QueryPath<R, Prefix extends string = ""> = {
  [K in keyof R & string]: R[K] extends AnyTRPCQueryProcedure
    ? `${Prefix}${K}`
    : R[K] extends TRPCRouterRecord
      ? QueryPath<R[K], `${Prefix}${K}.`>
      : never;
}[keyof R & string];

/**
 * The set of the given paths, which the compiler holds to be exactly the router's queries: a
 * mutation listed, or a query left out, is a type error.
 */
function exactly<const P extends readonly QueryPath<AppRouter>[]>(
  paths: P &
    ([Exclude<QueryPath<AppRouter>, P[number]>] extends [never]
      ? unknown
      : { missing: Exclude<QueryPath<AppRouter>, P[number]> }),
): ReadonlySet<string> {
  return new Set(paths);
}

/** Every query procedure of the router: the calls a GET may make, as the adapter allows them. */
export const QUERY_PATHS = exactly([
  "teams.list",
  "teams.listPage",
  "teams.authorized",
  "teams.users",
  "teams.usersPage",
  "teams.authorizedPage",
  "teams.user",
  "manage.getTeam",
  "manage.authorizationHistory",
  "manage.teamHistory",
  "manage.members",
  "manage.membersPage",
  "manage.users",
  "manage.usersPage",
  "manage.managedUser",
  "manage.canAccess",
  "admin.events",
  "admin.webhooks",
  "admin.webhook",
  "admin.webhookDeliveries",
]);
