import { type Html, html, layout } from "./html.js";

/** A page that says one thing: an error, a refusal, or what to do next. */
export function messagePage(page: {
  title: string;
  body: Html;
  signedIn?: boolean;
  /** Marks the message as an alert for assistive technology. */
  alert?: boolean;
}): Html {
  return layout({
    title: page.title,
    signedIn: page.signedIn ?? false,
    main: html`<section class="card message"${page.alert ? html` role="alert"` : ""}>
<h1>${page.title}</h1>
${page.body}
</section>`,
  });
}

/**
 * What someone without a valid session sees: why they must sign in and how. In development mode the
 * command line prints a link that signs this browser in; otherwise the service that sent them here
 * signs them in (it sets the `token` cookie for this site).
 */
export function signInPage(view: {
  development: boolean;
  /** A cookie was sent but did not verify (expired, or signed by someone else). */
  expired: boolean;
  /** The page they wanted, to come back to. */
  here: string;
}): Html {
  const how = view.development
    ? html`<p>This server runs in development mode. Get a sign-in link from its command line:</p>
<pre><code>npx -y pnpm@12.4.2 teams token --sub YOUR_USER_ID --link</code></pre>
<p>Open the link it prints in this browser, then <a href="${view.here}">come back to this page</a>.</p>`
    : html`<p>Sign in through the service that sent you here: it signs you in to Teams as well.
Then <a href="${view.here}">try this page again</a>.</p>`;
  return messagePage({
    title: "Sign in to continue",
    body: html`${view.expired ? html`<p class="notice warning">Your session has expired or is not valid any more.</p>` : ""}
<p>This page shows and changes which teams may see your data, so it needs to know who you are.</p>
${how}`,
  });
}
