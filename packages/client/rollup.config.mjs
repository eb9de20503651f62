// Bundles the client's declarations with the router's type inlined, so that an app installing
// @teams/client gets every procedure's input and output types without @teams/server (private).
import { dts } from "rollup-plugin-dts";

export default {
  input: "src/index.ts",
  output: { file: "dist/index.d.ts", format: "es" },
  external: [/^@trpc\//, "zod", /^zod\//],
  plugins: [dts({ respectExternal: true, tsconfig: "tsconfig.build.json" })],
};
