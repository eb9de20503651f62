import { readFileSync } from "node:fs";
import type { Api } from "../http/api.js";
import { accountRoutes } from "./account-routes.js";
import { authRoutes } from "./auth-routes.js";
import { consentRoutes } from "./consent-routes.js";
import { STYLESHEET_PATH } from "./html.js";
import { createPageKit, type PageKitOptions } from "./page-kit.js";
import { signInRoutes } from "./sign-in-routes.js";

export type ConsentPagesOptions = PageKitOptions;

/** The stylesheet, read once at start (the build copies it beside the compiled pages). */
function readStylesheet(): string {
  return readFileSync(new URL("./styles.css", import.meta.url), "utf8");
}

/**
 * The browser pages where a person authorizes teams for their own data and takes it back
 * (DESIGN §4): `GET`/`POST /teams/{team_id}/authorize`, `GET /account/teams`,
 * `POST /account/teams/{team_id}/revoke`, `POST /auth/sign-out`, with a provider the sign-in
 * through it (`/auth/sign-in`, `/auth/callback`, `/auth/signed-out`), in development mode only
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
  authRoutes(kit);
  // The route exists only in development mode: elsewhere there is no such address at all.
  if (kit.development) signInRoutes(kit);
}
