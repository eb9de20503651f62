import { html } from "./html.js";
import { problem } from "./page-errors.js";
import { ACCOUNT_PATH, isSecure, ownOrigin, type PageKit } from "./page-kit.js";
import { seeOther } from "./page-response.js";
import { sessionCookieHeader } from "./page-session.js";
import { allowedReturnTo } from "./return-to.js";

/**
 * `GET /dev/sign-in?token=&next=`, development mode only: the link `teams token --link` prints. It
 * checks the token, sets it as the session cookie and opens the teams page (or `next`, a path here).
 * Registered in development mode only: a token in a URL is a credential left in browser history.
 */
export function signInRoutes(kit: PageKit): void {
  kit.app.get(
    "/dev/sign-in",
    kit.page(async (c) => {
      const token = c.req.query("token")?.trim();
      try {
        if (!token) throw new Error("no token");
        await kit.authenticator.authenticate({ authorization: `Bearer ${token}` });
      } catch {
        throw problem(
          400,
          "This sign-in link does not work",
          html`<p>It is incomplete, expired, or was made for another server. Get a new one:</p>
<pre><code>npx -y pnpm@12.4.2 teams token --sub YOUR_USER_ID --link</code></pre>`,
        );
      }
      const next = allowedReturnTo(c.req.query("next"), ownOrigin(c), []);
      return seeOther(next?.startsWith("/") ? next : ACCOUNT_PATH, {
        "set-cookie": sessionCookieHeader(isSecure(c), token, undefined),
        // The token is in this URL: it must not travel on as a Referer.
        "referrer-policy": "no-referrer",
      });
    }),
  );
}
