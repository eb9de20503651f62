import { describe, expect, it } from "vitest";
import { bearer, type Harness, harness } from "./harness.js";
import { bothStores } from "./support/both-stores.js";

// Issue 14, point 3: a team's links are stored and answered as the WHATWG URL serializer writes
// them (so every answer is the `format: uri` it is documented as), alike on both stores.

const { stores, cleanup } = bothStores();

const typed = {
  name: "Links",
  url: " https://a..b/",
  image: "HTTPS://例え.テスト/logo.png",
  privacy_statement: "https://links.example",
};
const normalised = {
  url: "https://a..b/",
  image: "https://xn--r8jz45g.xn--zckzah/logo.png",
  privacy_statement: "https://links.example/",
};

describe.each(stores)("team links on %s", (_, skip, open) => {
  async function app(): Promise<Harness> {
    const h = await harness({ open });
    cleanup(() => h.close());
    return h;
  }

  it.skipIf(skip)("are answered normalised after a create, a patch and an admin put", async () => {
    const h = await app();
    const carl = await bearer({ sub: "carl" });
    const created = await h.request("/api/v1/teams/", {
      method: "POST",
      headers: carl,
      json: typed,
    });
    expect(created.status).toBe(201);
    const body = await created.json();
    expect(body).toMatchObject(normalised);
    const path = `/api/v1/teams/${body.id}`;
    expect(await (await h.request(path, { headers: carl })).json()).toMatchObject(normalised);

    const patched = await h.request(path, {
      method: "PATCH",
      headers: carl,
      json: { url: "HTTP://Track.Example:80/a/../b c|d" },
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ url: "http://track.example/b%20c%7Cd" });

    const admin = await bearer({ sub: "platform", scope: "admin" });
    const put = await h.request("/api/v1/admin/teams/club", {
      method: "PUT",
      headers: admin,
      json: { ...typed, name: "Club" },
    });
    expect(put.status, JSON.stringify(await put.clone().json())).toBeLessThan(300);
    const club = await h.request("/api/v1/teams/club", { headers: await bearer({ sub: "coach" }) });
    expect(await club.json()).toMatchObject(normalised);
  });

  it.skipIf(skip)("refuse credentials and other schemes with a 422, changing nothing", async () => {
    const h = await app();
    const coach = await bearer({ sub: "coach" });
    const before = await (await h.request("/api/v1/teams/club", { headers: coach })).json();
    for (const [url, type, msg] of [
      [
        "https://coach:secret@club.example/",
        "value_error",
        "Value error, URL must not contain a username or password",
      ],
      ["ftp://club.example/", "url_scheme", "URL scheme should be 'http' or 'https'"],
    ] as const) {
      const res = await h.request("/api/v1/teams/club", {
        method: "PATCH",
        headers: coach,
        json: { url },
      });
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual({
        detail: [{ type, loc: ["body", "url"], msg, input: url }],
      });
    }
    expect(await (await h.request("/api/v1/teams/club", { headers: coach })).json()).toEqual(
      before,
    );
  });
});
