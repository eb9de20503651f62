import { describe, expect, it } from "vitest";
import { harness } from "./harness.js";

describe("CORS", () => {
  it("answers preflights for configured origins only", async () => {
    const h = await harness({ seed: false, corsOrigins: ["https://app.example"] });
    try {
      const preflight = (origin: string) =>
        h.request("/api/v1/teams/", {
          method: "OPTIONS",
          headers: {
            origin,
            "access-control-request-method": "GET",
            "access-control-request-headers": "authorization",
          },
        });
      const allowed = await preflight("https://app.example");
      expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
      expect(allowed.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
        "authorization",
      );
      const other = await preflight("https://evil.example");
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await h.close();
    }
  });

  it("sends no CORS headers when no origin is configured", async () => {
    const h = await harness({ seed: false });
    try {
      const res = await h.request("/api/v1/teams/", { headers: { origin: "https://app.example" } });
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await h.close();
    }
  });
});
