import type { Store } from "./context.js";
import { prepare } from "./prepared-query.js";
import type { RefreshTokenRow } from "./store-writes.js";

// Reads of refresh tokens (migration 7); the locked read of a write is `lockRefreshToken`.

const refreshTokenByHash = prepare(({ db }, tokenHash: string) =>
  db.selectFrom("refresh_tokens").selectAll().where("token_hash", "=", tokenHash),
);

/** A refresh token's row by the hash of the token; undefined when there is none. */
export async function findRefreshToken(
  s: Store,
  tokenHash: string,
): Promise<(RefreshTokenRow & { used_at: string | null }) | undefined> {
  return (await refreshTokenByHash(s, tokenHash)).rows[0];
}
