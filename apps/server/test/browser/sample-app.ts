import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

// A stand-in for the app that sends a person to the consent page: it serves the team's logo and
// pages, receives the person back (`/done`), and hosts a page that forges a form post to Teams.
// It listens on 127.0.0.2, another site than the Teams server on 127.0.0.1.

const logo = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">
<rect width="64" height="64" rx="12" fill="#0b5cad"/>
<path d="M8 42c8-6 16-6 24 0s16 6 24 0" stroke="#fff" stroke-width="5" fill="none" stroke-linecap="round"/>
<path d="M20 30l12-14 12 14" stroke="#ffbf47" stroke-width="5" fill="none" stroke-linecap="round"/>
</svg>`;

export interface SampleApp {
  origin: string;
  /** Points the forged form at this Teams address. */
  forgeTarget(url: string): void;
  close(): Promise<void>;
}

export async function startSampleApp(): Promise<SampleApp> {
  let target = "";
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://sample.invalid");
    const page = (body: string) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><meta charset="utf-8"><title>Sample app</title>${body}`);
    };
    if (url.pathname === "/logo.svg") {
      res.writeHead(200, { "content-type": "image/svg+xml" });
      res.end(logo);
    } else if (url.pathname === "/done") {
      page(
        `<h1>Back at the app</h1><p id="consent">${url.searchParams.get("consent") === "granted" ? "granted" : "declined"}</p>`,
      );
    } else if (url.pathname === "/forge") {
      page(`<h1>You won a prize</h1>
<form method="post" action="${target}"><input type="hidden" name="csrf_token" value="forged">
<button type="submit">Claim it</button></form>`);
    } else {
      page(`<h1>Harbour Rowing Club</h1><p>${url.pathname}</p>`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.2", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.2:${port}`,
    forgeTarget(url) {
      target = url;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
