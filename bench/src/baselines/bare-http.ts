// Baseline: a bare node:http server answering a small JSON, the ceiling of HTTP on this machine.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const body = JSON.stringify({ status: "ok" });
const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(body) };

const server = createServer((_request, response) => {
  response.writeHead(200, headers);
  response.end(body);
});
server.listen(0, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
