import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { LATEST_SCHEMA_VERSION } from "@teams/core";
import type { Api } from "../http/api.js";
import { publicOrigin } from "../http/public-origin.js";
import { type ReadinessCheck, runReadiness } from "../http/readiness.js";
import { packageVersion } from "../package-version.js";

const swaggerDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

// The docs page loads only same-origin files: the machine may be offline, and the page allows no
// inline script.
const docsAssets: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
};

const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Teams API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>`;

// Swagger UI offers every security scheme of the components; the document keeps the reference's
// HTTPBasic, which only introspection accepts, so the page shows only the schemes some operation names.
const docsInit = `fetch("/openapi.json").then((r) => r.json()).then((spec) => {
  const used = new Set();
  for (const item of Object.values(spec.paths ?? {}))
    for (const op of Object.values(item))
      for (const requirement of op.security ?? []) for (const name of Object.keys(requirement)) used.add(name);
  const schemes = spec.components?.securitySchemes ?? {};
  for (const name of Object.keys(schemes)) if (!used.has(name)) delete schemes[name];
  window.ui = SwaggerUIBundle({ spec, dom_id: "#swagger-ui", deepLinking: true });
});`;

/** What `/version` and `/readyz` report beyond the core (the server passes its store's). */
export interface SystemOptions {
  /** The store's family and the schema version its database is at; default none (null). */
  about?: { store: "sqlite" | "postgres"; schemaVersion(): Promise<number> } | undefined;
  /** The checks `/readyz` runs (readiness.ts). */
  readiness: readonly ReadinessCheck[];
}

/** Health, readiness, version, the service's JWKS, /openapi.json and the interactive docs at /docs. */
export function systemRoutes({ app, authenticator }: Api, options: SystemOptions): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const report = await runReadiness(options.readiness);
    if (report.ready) return c.json({ status: "ready", checks: report.checks });
    return new Response(JSON.stringify({ detail: report.reason, checks: report.checks }), {
      status: 503,
      headers: { "content-type": "application/json", "retry-after": "1" },
    });
  });
  app.get("/version", async (c) => {
    const about = options.about;
    return c.json({
      version: packageVersion(),
      schema_version: about ? await about.schemaVersion() : null,
      latest_schema_version: LATEST_SCHEMA_VERSION,
      store: about?.store ?? null,
    });
  });

  // Read on every request: a previous key leaves the set when its grace ends.
  app.get(
    "/.well-known/jwks.json",
    () =>
      new Response(JSON.stringify(authenticator.publicJwks), {
        headers: { "content-type": "application/json" },
      }),
  );

  // OpenAPI 3.1's SPDX `identifier`; the generator's option type knows only 3.0's license.
  const license = { name: "MIT", identifier: "MIT" };
  let document: { openapi: string; info: unknown } | undefined;
  app.get("/openapi.json", (c) => {
    document ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "Teams",
        version: packageVersion(),
        license,
        description:
          "Share training data with teams: the Teams API, with management and administration.",
      },
    });
    // The URL people reach this server at (TEAMS_PUBLIC_URL, else as the request came), so that
    // "Try it out" and generated clients call this server, not a guess.
    const { openapi, info, ...rest } = document;
    const body = JSON.stringify({
      openapi,
      info,
      servers: [{ url: publicOrigin(c.req.raw) }],
      ...rest,
    });
    return new Response(body, { headers: { "content-type": "application/json" } });
  });

  const csp =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
  app.get(
    "/docs",
    () =>
      new Response(docsPage, {
        headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": csp },
      }),
  );
  app.get(
    "/docs/init.js",
    () => new Response(docsInit, { headers: { "content-type": "text/javascript; charset=utf-8" } }),
  );
  for (const [file, type] of Object.entries(docsAssets)) {
    let content: Buffer | undefined;
    app.get(`/docs/${file}`, () => {
      content ??= readFileSync(join(swaggerDir, file));
      return new Response(content, {
        headers: { "content-type": type, "cache-control": "public, max-age=86400" },
      });
    });
  }
}
