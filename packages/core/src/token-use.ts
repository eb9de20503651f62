import { type Context, requirePrincipal } from "./context.js";
import { NotAuthenticated } from "./errors.js";
import {
  decideTokenUse,
  type EndpointKind,
  needsSubjectFacts,
  type SubjectFacts,
} from "./policy/token-policy.js";
import type { Principal } from "./principal.js";
import { findUser } from "./user-queries.js";

/** A principal past the token table's 401, with the table's 403 kept for the rule's turn. */
export interface TokenUse {
  principal: Principal;
  /**
   * Throws the token table's refusal for this endpoint, if any. Called where the use case decides
   * who may act, after the request's shape (DESIGN §3's order: 401, 422, 403, 404).
   */
  permit(): void;
}

/**
 * The first step of every use case: there is a principal (401), and its token may be used on
 * this kind of endpoint (DESIGN §2's table). Only a delegated token reads its subject's manager,
 * so a person's request costs no query here; a token that can never be valid is a 401 at once.
 */
export async function useToken(
  ctx: Context,
  principal: Principal | null | undefined,
  kind: EndpointKind,
): Promise<TokenUse> {
  const p = requirePrincipal(principal);
  const subject = needsSubjectFacts(p) ? await subjectFacts(ctx, p.userId) : undefined;
  const refusal = decideTokenUse(p, subject, kind);
  if (refusal instanceof NotAuthenticated) throw refusal;
  return {
    principal: p,
    permit() {
      if (refusal) throw refusal;
    },
  };
}

async function subjectFacts(ctx: Context, userId: string): Promise<SubjectFacts | undefined> {
  const user = await findUser(ctx.store, userId);
  return user && { managerId: user.manager_id };
}
