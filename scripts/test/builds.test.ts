import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, test } from "node:test";
import { APP_BUILDS, type AppBuild, sourceHash, upToDate } from "../lib/builds.js";
import { repoRoot } from "../lib/state.js";

const folder = mkdtempSync(join(tmpdir(), "frontrow-builds-"));
after(() => rmSync(folder, { recursive: true, force: true }));

test("a build is up to date until one of its inputs changes; outputs and dependencies do not count", () => {
  const at = (path: string) => join(folder, path);
  for (const dir of ["app/src", "app/node_modules/x", "app/dist", "app/test"])
    mkdirSync(at(dir), { recursive: true });
  writeFileSync(at("app/src/index.ts"), "export const a = 1;\n");
  writeFileSync(at("lockfile"), "v1\n");
  writeFileSync(at("app/dist/main.js"), "built\n");
  const build: AppBuild = {
    name: "the app",
    workspace: "app",
    inputs: [relative(repoRoot, at("app")), relative(repoRoot, at("lockfile"))],
    output: relative(repoRoot, at("app/dist/main.js")),
    record: relative(repoRoot, at("app/dist/.frontrow-build")),
  };
  const hash = sourceHash(build);
  assert.equal(upToDate(build), false, "never built from these sources");
  writeFileSync(at("app/dist/.frontrow-build"), hash);
  assert.equal(upToDate(build), true);

  for (const notAnInput of [
    "app/node_modules/x/index.js",
    "app/dist/other.js",
    "app/test/a.test.ts",
    "app/README.md",
  ]) {
    writeFileSync(at(notAnInput), String(Math.random()));
    assert.equal(upToDate(build), true, notAnInput);
  }
  writeFileSync(at("lockfile"), "v2\n");
  assert.equal(upToDate(build), false, "the lockfile changed");
  writeFileSync(at("lockfile"), "v1\n");
  writeFileSync(at("app/src/new.ts"), "export const b = 2;\n");
  assert.equal(upToDate(build), false, "a source file was added");
  rmSync(at("app/src/new.ts"));
  assert.equal(upToDate(build), true, "back to what was built");
  rmSync(at("app/dist/main.js"));
  assert.equal(upToDate(build), false, "the output is gone");
});

test("what git ignores (files builds write, such as next-env.d.ts) is not a source; a new file is", () => {
  const web = APP_BUILDS.find((build) => build.workspace === "@frontrow/web");
  assert.ok(web);
  const before = sourceHash(web);
  const written = join(repoRoot, "apps/web/frontrow-builds-test.tsbuildinfo");
  const added = join(repoRoot, "apps/web/src/frontrow-builds-test.ts");
  try {
    writeFileSync(written, "written by a build");
    assert.equal(sourceHash(web), before);
    writeFileSync(added, "export {};\n");
    assert.notEqual(sourceHash(web), before);
  } finally {
    rmSync(written, { force: true });
    rmSync(added, { force: true });
  }
  assert.equal(sourceHash(web), before);
});
