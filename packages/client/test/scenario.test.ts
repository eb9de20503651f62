import { afterEach, describe, expect, it } from "vitest";
import { inProcessApp } from "./in-process-app.js";
import { restFace, story, trpcFace } from "./story.js";

// The story of story.ts on SQLite: both faces end the same way, and as the rules say.

let apps: Awaited<ReturnType<typeof inProcessApp>>[] = [];
afterEach(async () => {
  await Promise.all(apps.map((a) => a.close()));
  apps = [];
});

describe("the whole story, through REST and through the typed client", () => {
  it("ends with identical outcomes on both faces", async () => {
    const restApp = await inProcessApp();
    const trpcApp = await inProcessApp();
    apps.push(restApp, trpcApp);
    const viaRest = await story(restFace(restApp));
    const viaTrpc = await story(trpcFace(trpcApp));
    expect(viaTrpc).toEqual(viaRest);
    // And the story itself went as the rules say.
    expect(viaRest.map((o) => (o.ok ? "ok" : o.status))).toEqual([
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      422,
      422,
      403,
      401, // another party's delegation can never be valid (DESIGN §2)
      404,
      403,
      403,
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
    ]);
    expect(viaRest[6]).toEqual({
      ok: true,
      body: [
        {
          id: "<mia>",
          first_name: "Mia",
          last_name: "Managed",
          scopes: ["data:read", "profile"],
          display_name: "Mia Managed",
          is_managed: true,
        },
      ],
    });
    expect(viaRest.at(-1)).toEqual({ ok: true, body: [] });
  });
});
