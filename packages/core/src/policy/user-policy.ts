import { Forbidden, Invalid, type TeamsError } from "../errors.js";
import { isDelegated, type Principal } from "../principal.js";
import { messages } from "./messages.js";

/** The caller's own user row, when it exists. */
export interface CallerFacts {
  managerId: string | null;
}

/**
 * Who may create managed users: a regular user acting for itself. A managed user has no login and
 * manages no one; a delegated token acts for someone else and must not enrol people in their name.
 */
export function decideCreateManagedUser(
  principal: Principal,
  caller: CallerFacts | undefined,
): TeamsError | null {
  if (isDelegated(principal) || (caller !== undefined && caller.managerId !== null)) {
    return new Forbidden(messages.managedCannotManage);
  }
  return null;
}

/** Administration belongs to the platform that owns the identities: tokens with the `admin` scope. */
export function decideAdmin(principal: Principal): TeamsError | null {
  return principal.scopes.includes("admin") ? null : new Forbidden(messages.adminRequired);
}

/**
 * Whether `userId` may be given `manager`: managers are regular users (one level, no cycles), and a
 * user who manages others cannot itself become managed.
 */
export function decideManagerAssignment(
  userId: string,
  manager: CallerFacts | undefined,
  userManagesOthers: boolean,
  managerId: string,
): TeamsError | null {
  const issue = (msg: string, type = "value_error") =>
    new Invalid([{ type, loc: ["manager_id"], msg, input: managerId }]);
  if (managerId === userId) return issue(`Value error, ${messages.managerIsSelf}`);
  if (!manager) return issue(`Value error, ${messages.userNotFound}: ${managerId}`);
  if (manager.managerId !== null) return issue(`Value error, ${messages.managerIsManaged}`);
  if (userManagesOthers) return issue(`Value error, ${messages.hasManagedUsers}`);
  return null;
}
