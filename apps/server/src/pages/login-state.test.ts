import { describe, expect, it } from "vitest";
import { createLoginSeal, type LoginState } from "./login-state.js";

const login: LoginState = { state: "st", codeVerifier: "ver", nonce: "no", returnTo: "/x?y=1" };
const secret = new Uint8Array(32).fill(7);
const cookieOf = (setCookie: string) => setCookie.split(";")[0] ?? "";

describe("the signed cookie of a sign-in in progress", () => {
  it("gives back what it carried, only to the callback, HttpOnly, ten minutes, Secure over https", () => {
    const seal = createLoginSeal(secret);
    const set = seal.set(login, true);
    expect(set).toMatch(
      /^teams_login=[^;]+; Path=\/auth\/callback; HttpOnly; SameSite=Lax; Secure; Max-Age=600$/,
    );
    expect(seal.read(`a=b; ${cookieOf(set)}`)).toEqual(login);
    expect(seal.set(login, false)).not.toContain("Secure");
    expect(seal.clear(false)).toBe(
      "teams_login=; Path=/auth/callback; HttpOnly; SameSite=Lax; Max-Age=0",
    );
  });

  it("refuses a cookie changed, signed with another secret, expired, or absent", () => {
    let time = 1_000_000_000_000;
    const seal = createLoginSeal(secret, () => time);
    const value = cookieOf(seal.set(login, false));
    const [payload, mac] = value.slice("teams_login=".length).split(".");
    const forged = Buffer.from(JSON.stringify({ s: "other", v: "ver", n: "no", r: "/", e: 9e9 }));
    expect(seal.read(`teams_login=${forged.toString("base64url")}.${mac}`)).toBeUndefined();
    expect(seal.read(`teams_login=${payload}.${mac}x`)).toBeUndefined();
    expect(seal.read(`teams_login=${payload}`)).toBeUndefined();
    expect(createLoginSeal(new Uint8Array(32).fill(8)).read(value)).toBeUndefined();
    expect(seal.read(undefined)).toBeUndefined();
    time += 601_000;
    expect(seal.read(value)).toBeUndefined();
  });
});
