import { readFileSync } from "node:fs";
import type { Api } from "../http/api.js";
import { accountRoutes } from "./account-routes.js";
import { consentRoutes } from "./consent-routes.js";
import { STYLESHEET_PATH } from "./html.js";
import { createPageKit, type PageKitOptions } from "./page-kit.js";
import { signInRoutes } from "./sign-in-routes.js";

export type ConsentPagesOptions = PageKitOptions;

/** The stylesheet, read once at start; `tsc` does not copy it to dist/, so fall back to the source. */
function readStylesheet(): string {
  for (const candidate of ["./styles.css", "../../src/pages/styles.css"]) {
    try {
      return readFileSync(new URL(candidate, import.meta.url), "utf8");
    } catch {
      // try the next place
    }
  }
  throw new Error("pages/styles.css is missing");
}

/**
 * The browser pages where a person authorizes teams for their own data and takes it back
 * (DESIGN §4): `GET`/`POST /teams/{team_id}/authorize`, `GET /account/teams`,
 * `POST /account/teams/{team_id}/revoke`, `POST /account/sign-out`, in development mode
 * `GET /dev/sign-in`, and their stylesheet. They answer HTML, errors included, and call the same
 * core as the API.
 */
export function consentPages(api: Api, options: ConsentPagesOptions): void {
  const stylesheet = readStylesheet();
  api.app.get(
    STYLESHEET_PATH,
    () =>
      new Response(stylesheet, {
        headers: {
          "content-type": "text/css; charset=utf-8",
          "cache-control": "public, max-age=3600",
          "x-content-type-options": "nosniff",
        },
      }),
  );
  const kit = createPageKit(api, options);
  consentRoutes(kit);
  accountRoutes(kit);
  signInRoutes(kit);
}
