// Builds of the API and the web app, each skipped when its sources are what its last build was made
// from: a SHA-256 of every input file, written beside the build output when a build succeeds (so the
// record goes away with the output it describes).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Children } from "./children.js";
import { step, stepAlongside } from "./progress.js";
import { repoRoot } from "./state.js";

export interface AppBuild {
  /** As shown to a person: "the API". */
  name: string;
  /** The workspace package whose `build` script builds it. */
  workspace: string;
  /** Files and folders (relative to the repository) the build reads. */
  inputs: string[];
  /** A file of the output that only a finished build leaves (the hash is written beside it). */
  output: string;
  record: string;
}

/** What every build reads besides its own folder: the dependency tree and the shared settings. */
const SHARED_INPUTS = ["package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", "tsconfig.base.json"];
/** Folders that are outputs, caches or tests, never inputs of a build. */
const NOT_INPUTS = new Set(["node_modules", "dist", ".next", "generated", "gql", "test", "test-results"]);
/** Whether a path is an input: not under one of those folders, and not documentation. */
const isInput = (path: string) =>
  !path.endsWith(".md") && !path.split("/").some((part) => NOT_INPUTS.has(part));

export const APP_BUILDS: AppBuild[] = [
  {
    name: "the API",
    workspace: "@frontrow/api",
    // The playground shows the web app's operations (packages/operations), and the persisted queries
    // register them as the web app sends them (its codegen: schema.graphql, codegen.ts, apps/web/scripts).
    inputs: [
      "apps/api",
      "packages",
      "prisma",
      "prisma.config.ts",
      "schema.graphql",
      "codegen.ts",
      "apps/web/scripts",
      ...SHARED_INPUTS,
    ],
    output: "apps/api/dist/src/main.js",
    record: "apps/api/dist/.frontrow-build",
  },
  {
    name: "the web app",
    workspace: "@frontrow/web",
    inputs: ["apps/web", "packages", "schema.graphql", "codegen.ts", ...SHARED_INPUTS],
    output: "apps/web/.next/BUILD_ID",
    record: "apps/web/.next/.frontrow-build",
  },
];

/** Every file under `path` except outputs and tests, by walking the folders (where git cannot say). */
function walk(path: string): string[] {
  const absolute = join(repoRoot, path);
  if (!existsSync(absolute)) return [];
  if (!statSync(absolute).isDirectory()) return [path];
  return readdirSync(absolute, { withFileTypes: true })
    .filter((entry) => isInput(entry.name))
    .flatMap((entry) => walk(relative(repoRoot, join(absolute, entry.name))));
}

/**
 * The source files of a build: those git tracks or would track (what .gitignore leaves out, e.g. files a
 * build writes such as next-env.d.ts, is not a source), less tests; a copy without git is walked.
 */
function inputFiles(paths: string[]): string[] {
  try {
    const listed = execFileSync(
      "git",
      ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ...paths],
      {
        cwd: repoRoot,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    const files = [...new Set(listed.split("\0").filter(Boolean))];
    return files.filter((file) => existsSync(join(repoRoot, file)) && isInput(file));
  } catch {
    return paths.flatMap(walk);
  }
}

export function sourceHash(build: AppBuild): string {
  const hash = createHash("sha256");
  for (const file of inputFiles(build.inputs).sort()) {
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(repoRoot, file)))
      .update("\0");
  }
  return hash.digest("hex");
}

/** Whether the output on disk was built from exactly the current sources. */
export function upToDate(build: AppBuild, hash = sourceHash(build)): boolean {
  const record = join(repoRoot, build.record);
  return (
    existsSync(join(repoRoot, build.output)) && existsSync(record) && readFileSync(record, "utf8") === hash
  );
}

export interface BuildOptions {
  /** Skip the apps whose sources have not changed since their last build. */
  onlyChanged: boolean;
  /** Show the builds' output as it comes (otherwise it is in the logs, and a failure shows its end). */
  showOutput: boolean;
  /** Only these workspaces (all by default). */
  only?: string[];
  /** Run as a step alongside the ones that follow (see `stepAlongside`) instead of before them. */
  alongside?: boolean;
}

/** Builds the apps, one step each. */
export async function buildApps(
  children: Children,
  { onlyChanged, showOutput, only, alongside = false }: BuildOptions,
): Promise<void> {
  const runStep = alongside ? stepAlongside : step;
  for (const build of APP_BUILDS.filter((app) => !only || only.includes(app.workspace))) {
    const hash = sourceHash(build);
    if (onlyChanged && upToDate(build, hash)) {
      console.log(`✓ Building ${build.name} (skipped: nothing changed since its last build)`);
      continue;
    }
    await runStep(`Building ${build.name}`, async () => {
      await children.run(
        `build-${build.workspace.split("/")[1]}`,
        "pnpm",
        ["--filter", build.workspace, "build"],
        {
          cwd: repoRoot,
          env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
          show: () => showOutput,
        },
      );
      writeFileSync(join(repoRoot, build.record), hash);
    });
  }
}
