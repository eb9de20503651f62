// The first step of a package's build: an empty dist/, so that nothing a previous build wrote
// (a renamed or removed module) is packed with the new one.
import { rmSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
