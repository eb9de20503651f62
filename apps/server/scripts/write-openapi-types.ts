// Writes the TypeScript types of the app's /openapi.json (test/generated/openapi.ts) from the kept
// document (test/openapi-document.json, itself checked equal to the served one).
import { readFileSync, writeFileSync } from "node:fs";
import { openapiTypes, openapiTypesFile } from "../test/support/openapi-types.js";

const document = JSON.parse(
  readFileSync(new URL("../test/openapi-document.json", import.meta.url), "utf8"),
);
writeFileSync(openapiTypesFile, await openapiTypes(document));
