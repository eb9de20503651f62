// The packages as a user outside this repository gets them (issue 13): every package is built and
// packed, the tarballs are installed with npm into a new project in a temporary folder, and that
// project typechecks and runs a client app against `teams start` from the installed package, runs
// the README's embedding example, and calls the `teams` command. Run by .ci/run (node's test
// runner); about two minutes, most of it npm compiling better-sqlite3.
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { PACKAGES, packPackages } from "./pack-packages.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixtures = fileURLToPath(new URL("./install-test/", import.meta.url));
const port = 18_411;
const work = mkdtempSync(join(tmpdir(), "teams-install-"));
const project = join(work, "app");
const env = {
  ...process.env,
  HOST: "127.0.0.1",
  PORT: String(port),
  TEAMS_DATABASE: join(project, "data", "teams.db"),
};
for (const key of Object.keys(env))
  if (key.startsWith("TEAMS_") && key !== "TEAMS_DATABASE") delete env[key];
const teamsBin = join(project, "node_modules", ".bin", "teams");

/** Runs a command in the project; its output, exit code and stderr. */
function run(command, args, options = {}) {
  const r = spawnSync(command, args, { cwd: project, env, encoding: "utf8", ...options });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let server;
before(
  () => {
    const files = packPackages(join(work, "tarballs"));
    // TEAMS_DATABASE names this folder: a configured database folder must exist.
    mkdirSync(join(project, "data"), { recursive: true });
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "an-app", private: true, type: "module" }),
    );
    execFileSync(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        ...files,
        "typescript@5.9.3",
        "@types/node@20.19.8",
      ],
      { cwd: project, stdio: "inherit", env },
    );
  },
  { timeout: 900_000 },
);

after(async () => {
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((resolve) => server.once("exit", resolve));
  }
  rmSync(work, { recursive: true, force: true });
});

describe("the packed packages", () => {
  it("carry compiled JavaScript, declarations, exports and a license, and no workspace: range", () => {
    for (const dir of PACKAGES) {
      const name = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")).name;
      const installed = join(project, "node_modules", ...name.split("/"));
      const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
      assert.equal(manifest.license, "MIT", name);
      assert.ok(readFileSync(join(installed, "LICENSE"), "utf8").startsWith("MIT License"), name);
      const { dependencies, peerDependencies, exports } = manifest;
      assert.doesNotMatch(JSON.stringify({ dependencies, peerDependencies }), /workspace:/, name);
      assert.doesNotMatch(JSON.stringify(exports), /@teams\/source|src\//, name);
      for (const entry of Object.values(manifest.exports)) {
        assert.ok(
          readFileSync(join(installed, entry.default), "utf8").length > 0,
          `${name} ${entry.default}`,
        );
        assert.ok(
          readFileSync(join(installed, entry.types), "utf8").length > 0,
          `${name} ${entry.types}`,
        );
      }
      assert.throws(
        () => readdirSync(join(installed, "src")),
        `${name} ships no TypeScript sources`,
      );
    }
  });

  it("give a client whose JavaScript imports no server code and whose types stand alone", () => {
    const client = join(project, "node_modules", "@teams", "client", "dist");
    const js = readFileSync(join(client, "index.js"), "utf8");
    assert.deepEqual(
      [...js.matchAll(/from "([^"]+)"/g)].map((m) => m[1]),
      ["@trpc/client"],
    );
    const types = readFileSync(join(client, "index.d.ts"), "utf8");
    const imported = [...types.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(imported)].sort(), ["@trpc/client", "@trpc/server", "zod"]);
  });
});

describe("a TypeScript app using the installed client", () => {
  before(() => {
    for (const file of ["client-app.ts", "tsconfig.json"])
      copyFileSync(join(fixtures, file), join(project, file));
  });

  for (const skipLibCheck of [false, true]) {
    it(`typechecks with skipLibCheck ${skipLibCheck}: right calls compile, every wrong one is refused`, () => {
      const r = run(join(project, "node_modules", ".bin", "tsc"), [
        "-p",
        ".",
        "--noEmit",
        "--skipLibCheck",
        String(skipLibCheck),
      ]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      // Each @ts-expect-error is needed: without them, exactly those lines fail.
      const unchecked = readFileSync(join(project, "client-app.ts"), "utf8").replaceAll(
        "// @ts-expect-error",
        "// (expected error)",
      );
      writeFileSync(join(project, "client-app-unchecked.ts"), unchecked);
      const bad = run(join(project, "node_modules", ".bin", "tsc"), [
        "-p",
        ".",
        "--noEmit",
        "--skipLibCheck",
        String(skipLibCheck),
      ]);
      rmSync(join(project, "client-app-unchecked.ts"));
      const errors = bad.stdout
        .split("\n")
        .filter((line) => line.startsWith("client-app-unchecked.ts("));
      assert.equal(errors.length, 5, bad.stdout);
    });
  }

  it("runs against `teams start` from the installed package", async () => {
    // With JSON logs (the default) standard output holds the log lines, the banner is on stderr.
    server = spawn(teamsBin, ["start"], {
      cwd: project,
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let banner = "";
    await new Promise((resolve, reject) => {
      server.stderr.on("data", (chunk) => {
        banner += chunk;
        if (banner.includes("listening on")) resolve();
      });
      server.once("exit", (code) =>
        reject(new Error(`teams start exited with ${code}: ${banner}`)),
      );
    });
    assert.match(banner, new RegExp(`Teams is listening on http://127\\.0\\.0\\.1:${port}`));
    assert.match(banner, /teams demo/);
    const token = run(teamsBin, ["token", "--sub", "alice"]).stdout.trim();
    assert.ok(run("npx", ["tsc", "-p", "."]).status === 0);
    const r = run(process.execPath, [join(project, "out", "client-app.js")], {
      env: { ...env, TEAMS_TOKEN: token, TEAMS_URL: `http://127.0.0.1:${port}` },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      created: "Installed Rowing Club",
      names: ["Installed Rowing Club"],
      role: "owner",
      authorized: 0,
      refused: 404,
    });
  });
});

describe("the README's embedding example", () => {
  it("runs from the installed @teams/core and @teams/sqlite", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Embedding the core"));
    const example = section.slice(
      section.indexOf("```ts\n") + 6,
      section.indexOf("\n```", section.indexOf("```ts\n")),
    );
    assert.match(example, /from "@teams\/core"/);
    writeFileSync(join(project, "embed.ts"), `${example}\nconsole.log("embedded: ok");\n`);
    const compiled = run(join(project, "node_modules", ".bin", "tsc"), ["-p", "."]);
    assert.equal(compiled.status, 0, compiled.stdout);
    const r = run(process.execPath, [join(project, "out", "embed.js")], { env: { ...env } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /embedded: ok/);
  });
});

describe("the installed `teams` command", () => {
  const version = JSON.parse(readFileSync(join(root, "apps/server/package.json"), "utf8")).version;

  it("prints its version and its help", () => {
    const v = run("npx", ["teams", "--version"]);
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout, `${version}\n`);
    const h = run("npx", ["teams", "--help"]);
    assert.equal(h.status, 0, h.stderr);
    assert.match(h.stdout, /^teams: .*\n\nUsage: teams <command>/);
    for (const command of ["start", "token", "demo", "migrate", "user", "team", "member"])
      assert.match(h.stdout, new RegExp(`\\n  ${command} `));
  });

  it("answers a wrong flag or command with one line on stderr and exit code 2", () => {
    for (const args of [["token", "--frobnicate"], ["frobnicate"], ["token"]]) {
      const r = run("npx", ["teams", ...args]);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^teams: [^\n]+\n$/);
    }
  });

  it("refuses `teams demo` in a configuration that verifies tokens issued elsewhere, writing nothing", () => {
    const elsewhere = join(work, "elsewhere");
    mkdirSync(elsewhere);
    const r = run("npx", ["teams", "demo"], {
      env: {
        ...env,
        TEAMS_DATABASE: join(elsewhere, "teams.db"),
        TEAMS_JWT_SECRET: "s".repeat(40),
      },
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^teams: teams demo works in development mode only[^\n]*\n$/);
    assert.deepEqual(readdirSync(elsewhere), [], "no database was created");
  });

  it("loads the demo and prints tokens that the running server accepts", async () => {
    const r = run("npx", ["teams", "demo"]);
    assert.equal(r.status, 0, r.stderr);
    const coach = /export TOKEN_COACH=(\S+)/.exec(r.stdout)?.[1];
    assert.ok(coach, r.stdout);
    const answer = await fetch(`http://127.0.0.1:${port}/api/v1/teams/club/users`, {
      headers: { authorization: `Bearer ${coach}` },
    });
    assert.equal(answer.status, 200);
    assert.ok((await answer.json()).length > 0);
  });
});
