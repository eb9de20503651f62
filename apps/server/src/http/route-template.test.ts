import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { routeTemplate, routeTemplates, UNMATCHED_ROUTE } from "./route-template.js";

function app(): Hono {
  const hono = new Hono();
  hono.use("/api/*", async (_c, next) => next());
  hono.get("/api/v1/teams/authorized", (c) => c.text("authorized"));
  hono.get("/api/v1/teams/:team_id", (c) => c.text("team"));
  hono.get("/api/v1/teams/:team_id/users", (c) => c.text("users"));
  hono.post("/api/v1/teams/:team_id/authorize", (c) => c.text("authorize"));
  return hono;
}

const request = (method: string, path: string) => new Request(`http://x${path}`, { method });

describe("routeTemplates", () => {
  const cases: [string, string, string][] = [
    ["GET", "/api/v1/teams/authorized", "/api/v1/teams/authorized"],
    ["HEAD", "/api/v1/teams/authorized", "/api/v1/teams/authorized"],
    ["GET", "/api/v1/teams/t1", "/api/v1/teams/:team_id"],
    ["GET", "/api/v1/teams/t1/users?limit=5", "/api/v1/teams/:team_id/users"],
    ["POST", "/api/v1/teams/t1/authorize", "/api/v1/teams/:team_id/authorize"],
    ["GET", "/api/v1/teams/t1/authorize", UNMATCHED_ROUTE],
    ["DELETE", "/api/v1/teams/t1", UNMATCHED_ROUTE],
    ["GET", "/nowhere", UNMATCHED_ROUTE],
    ["GET", `/api/v1/teams/${"x".repeat(300)}`, "/api/v1/teams/:team_id"],
  ];

  it("names the route as the router does, asked once or again", () => {
    const hono = app();
    const cached = routeTemplates(hono);
    for (let round = 0; round < 2; round++) {
      for (const [method, path, template] of cases) {
        expect(routeTemplate(hono, request(method, path))).toBe(template);
        expect(cached(request(method, path)), `${method} ${path}`).toBe(template);
      }
    }
  });

  it("stays right past its bound, with paths full of identifiers", () => {
    const hono = app();
    const cached = routeTemplates(hono);
    for (let i = 0; i < 3000; i++) {
      expect(cached(request("GET", `/api/v1/teams/t${i}/users`))).toBe(
        "/api/v1/teams/:team_id/users",
      );
      expect(cached(request("POST", `/api/v1/teams/t${i}/users`))).toBe(UNMATCHED_ROUTE);
    }
  });
});
