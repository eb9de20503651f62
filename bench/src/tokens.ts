import { SignJWT } from "jose";

/** Mints HS256 tokens the server under test accepts (it runs with the same secret). */
export function tokenMinter(secret: string) {
  const key = new TextEncoder().encode(secret);
  return (sub: string, azp?: string): Promise<string> =>
    new SignJWT({ scope: "data:read data:write profile", ...(azp ? { azp } : {}) })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime("2h")
      .sign(key);
}
