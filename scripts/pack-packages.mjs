// Builds every package and packs each into a tarball that npm installs outside this workspace
// (`workspace:` ranges become versions, exports point at dist/): `npx -y pnpm@12.4.2 packages`
// writes them to ./tarballs, or to the folder given as the first argument.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The packages a user installs, in dependency order. */
export const PACKAGES = [
  "packages/core",
  "packages/sqlite",
  "packages/postgres",
  "packages/auth",
  "packages/client",
  "apps/server",
];

const root = fileURLToPath(new URL("..", import.meta.url));
const pnpm = ["-y", "pnpm@12.4.2"];

/** Builds and packs every package into `destination`; the tarballs' paths. */
export function packPackages(destination) {
  const into = resolve(destination);
  mkdirSync(into, { recursive: true });
  execFileSync("npx", [...pnpm, "build"], { cwd: root, stdio: "inherit" });
  for (const dir of PACKAGES) {
    execFileSync("npx", [...pnpm, "pack", "--pack-destination", into], {
      cwd: join(root, dir),
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  return readdirSync(into)
    .filter((file) => file.endsWith(".tgz"))
    .map((file) => join(into, file));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const tarball of packPackages(process.argv[2] ?? join(root, "tarballs")))
    console.log(tarball);
}
