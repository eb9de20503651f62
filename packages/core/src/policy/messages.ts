// The `detail` texts clients see; kept in one place so REST and tRPC say the same thing.
export const messages = {
  delegatedTokenRequired: "This operation requires a delegated token",
  // A delegated token whose acting user is not the subject's manager can never be valid: the
  // same 401 as any other bad credential.
  couldNotValidate: "Could not validate credentials",
  delegatedTokenNotHere: "A delegated token cannot be used for this operation",
  teamTokenNotHere: "A token delegated through a team can only be exchanged for a principal token",
  scopesNotHeld: (scopes: readonly string[]) =>
    `The token cannot grant scopes it does not hold: ${scopes.join(", ")}`,
  noAccessToUser: "You don't have access to this user",
  scopesNotDelegable: (scopes: readonly string[]) =>
    `These scopes cannot be delegated for this user: ${scopes.join(", ")}`,
  nothingToDelegate: "There is no scope that can be delegated for this user",
  principalTokenNeedsDelegation:
    "Only a delegated token this service issued can be exchanged for a principal token",
  refreshTokenInvalid: "The refresh token is invalid, expired or revoked",
  refreshTokenReused: "The refresh token was already used; every token of its family is revoked",
  refreshBasisGone: "The access this refresh token was issued for has ended",
  teamNotFound: "Team not found",
  userNotFound: "User not found",
  memberNotFound: "Member not found",
  authorizationNotFound: "Authorization not found",
  ownerRequired: "Only a team owner can do this",
  lastOwner: "A team must keep at least one owner",
  consentNeedsOwnToken: "Only a regular user acting for itself can authorize a team this way",
  adminRequired: "This operation requires the admin scope",
  managedCannotManage: "Managed users and delegated tokens cannot create managed users",
  managerIsManaged: "A managed user cannot manage other users",
  managerIsSelf: "A user cannot manage itself",
  hasManagedUsers: "A user who manages other users cannot become a managed user",
} as const;
