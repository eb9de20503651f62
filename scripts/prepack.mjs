// Runs before `pnpm pack` of a package: the tarball carries the repository's LICENSE, and only
// compiled output, so a package whose `dist/` was not built is refused rather than packed empty.
import { copyFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

if (!existsSync("dist")) {
  console.error(`${process.cwd()}: dist/ is missing; run \`npx -y pnpm@12.4.2 build\` first`);
  process.exit(1);
}
copyFileSync(fileURLToPath(new URL("../LICENSE", import.meta.url)), "LICENSE");
