import { randomFillSync } from "node:crypto";

// A refresh token is 32 bytes of the system's CSPRNG. Drawn one by one, `randomBytes` went to
// OpenSSL for each token: 3 % of a refresh's time in the running server. They are drawn 64 at a
// time instead, as Node draws the bytes of `randomUUID`; a token's bytes are zeroed in the pool as
// soon as it is taken, so the pool never holds a token that was handed out.

const TOKEN_BYTES = 32;
const POOL_TOKENS = 64;
const pool = Buffer.alloc(TOKEN_BYTES * POOL_TOKENS);
let next = pool.length;

/** What a refresh token looks like: 32 random bytes, base64url (43 characters). */
export const REFRESH_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** A new refresh token (`REFRESH_TOKEN`'s form). */
export function newRefreshToken(): string {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const token = pool.toString("base64url", next, next + TOKEN_BYTES);
  pool.fill(0, next, next + TOKEN_BYTES);
  next += TOKEN_BYTES;
  return token;
}
