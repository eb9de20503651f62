// Sums the vitest JSON reports every package wrote and prints one line: "N passed, M failed".
// A package whose tests crashed before reporting counts as one failure, and so does each failed CI
// check (argv[3], their number: typecheck, lint, cycles), so a red run never reads green.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const exitCode = Number(process.argv[2] ?? 0);
const failedChecks = Number(process.argv[3] ?? 0);
let passed = 0;
let failed = failedChecks;
for (const group of ["packages", "apps", "examples"]) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const dir = join(group, name);
    const manifest = join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    if (!JSON.parse(readFileSync(manifest, "utf8")).scripts?.test) continue;
    const report = join(dir, "test-results", "vitest.json");
    if (!existsSync(report)) {
      console.log(`${dir}: no test report (the test run did not finish)`);
      failed += 1;
      continue;
    }
    const r = JSON.parse(readFileSync(report, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numFailedTestSuites ?? 0) + (r.numRuntimeErrorTestSuites ?? 0);
  }
}
// node's test runner (scripts/install-test.mjs) reports in TAP: "# pass N" and "# fail N".
const tap = join("test-results", "install-test.tap");
if (existsSync(tap)) {
  const text = readFileSync(tap, "utf8");
  const count = (word) => Number(new RegExp(`^# ${word} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  passed += count("pass");
  failed += count("fail") + count("cancelled");
} else {
  console.log("scripts/install-test.mjs: no test report (the install test did not run)");
  failed += 1;
}
if (exitCode !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
