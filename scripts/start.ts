// `pnpm start` (the built product) and `pnpm dev` (watch mode): PostgreSQL, Redis and an SMTP server (the
// configured ones, the ones on the default ports, or embedded ones of our own: maildev for mail), the builds that changed, migrations
// and demo data, then the API on :4000 and the web app on :3000 until Ctrl-C or SIGTERM, which stop
// everything in order and leave nothing running. Each step says what it does and how long it took.
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { buildApps } from "./lib/builds.js";
import { type Child, Children, describeExit } from "./lib/children.js";
import { note, StepFailure, seconds, step } from "./lib/progress.js";
import { installSecrets, lockState, openState, repoRoot, type State } from "./lib/state.js";
import { MANAGED_SERVICES } from "./services/index.js";
import { portFree, provide, type ServiceLink } from "./services/service.js";

const dev = process.argv.includes("--dev");
const API_PORT = process.env.PORT ?? "4000";
const WEB_PORT = process.env.WEB_PORT ?? "3000";
const READY_TIMEOUT_MS = 180_000;
const apiDir = join(repoRoot, "apps/api");
const webDir = join(repoRoot, "apps/web");

const startedAt = performance.now();
const state = openState();
const children = new Children(state.logs, state.pids);
let release = () => {};
let stopping: Promise<void> | null = null;

/** Stops everything this run started, the latest first, then exits with `code`. */
function shutDown(code: number, why?: string): Promise<void> {
  stopping ??= (async () => {
    if (why) console.log(`\n${why}`);
    const report = await children.stopAll();
    if (report.length > 0)
      console.log(
        `Stopped ${report.map(({ name, seconds }) => `${name} (${seconds.toFixed(1)} s)`).join(", ")}.`,
      );
    release();
    if (code === 0) console.log(`Data kept in ${state.shown} for the next start.`);
    process.exit(code);
  })();
  return stopping;
}

// A terminal or pipe that went away (`pnpm start | tee log`, then Ctrl-C) must not end the shutdown halfway.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});

// Node runs this file directly (no wrapper process that might relay the terminal's signal a second
// time); a Ctrl-C pressed again a second or more later does not wait for graceful stops.
let firstSignalAt = 0;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (firstSignalAt === 0) {
      firstSignalAt = Date.now();
      void shutDown(0, "Stopping Frontrow …");
    } else if (Date.now() - firstSignalAt >= 1_000) {
      for (const child of children.running) child.signal("SIGKILL");
    }
  });
}

function apiLogLine(line: string): boolean {
  // The API logs JSON lines (pino): the terminal gets warnings and errors, the log file everything.
  const level = /"level":"?(\w+)/.exec(line)?.[1];
  return level === undefined
    ? line.trim().length > 0
    : ["warn", "error", "fatal", "40", "50", "60"].includes(level);
}

async function answersOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000), redirect: "manual" });
  await response.body?.cancel();
  return response.status === 200;
}

/** The services' URLs for the API, and the pages they offer a person (listed when Frontrow is ready). */
async function provideServices(): Promise<{ env: Record<string, string>; links: ServiceLink[] }> {
  const env: Record<string, string> = {};
  const links: ServiceLink[] = [];
  for (const service of MANAGED_SERVICES) {
    const choice = await step(
      service.name,
      () => provide(service, { state, children }),
      (it) => it.description,
    );
    env[service.envVar] = choice.url;
    if (choice.link) links.push(choice.link);
  }
  return { env, links };
}

async function prepareDatabase(env: NodeJS.ProcessEnv): Promise<void> {
  const cli = (path: string) => ["--enable-source-maps", join(apiDir, "dist/src", path)];
  await step("Migrating the database", () =>
    children.run("migrate", process.execPath, cli("infra/migrate.cli.js"), { env }),
  );
  await step("Loading the demo data (idempotent)", () =>
    children.run("seed", process.execPath, cli("seed/seed.cli.js"), { env }),
  );
}

/** The API and the web app, built (`pnpm start`) or in watch mode (`pnpm dev`). */
function serve(apiEnv: NodeJS.ProcessEnv): Child[] {
  const webEnv = {
    ...process.env,
    NEXT_PUBLIC_API_URL: `http://localhost:${API_PORT}/graphql`,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  const next = join(webDir, "node_modules/next/dist/bin/next");
  if (dev) {
    const everything = () => true;
    return [
      children.spawn("api", "pnpm", ["run", "dev"], { cwd: apiDir, env: apiEnv, show: everything }),
      children.spawn("web", "pnpm", ["run", "dev"], { cwd: webDir, env: webEnv, show: everything }),
    ];
  }
  const api = children.spawn(
    "api",
    process.execPath,
    ["--enable-source-maps", join(apiDir, "dist/src/main.js")],
    {
      env: { ...apiEnv, NODE_ENV: "production" },
      show: apiLogLine,
    },
  );
  const web = children.spawn("web", process.execPath, [next, "start", "--port", WEB_PORT], {
    cwd: webDir,
    env: { ...webEnv, NODE_ENV: "production" },
    // Next.js prints its banner and requests on stdout; problems come as ⚠ or ⨯ lines.
    show: (line) => /⚠|⨯|error/i.test(line),
  });
  return [api, web];
}

/** Fails at once, before any build, when another program holds a port the apps need. */
async function checkPortsFree(): Promise<void> {
  for (const [port, variable] of [
    [API_PORT, "PORT"],
    [WEB_PORT, "WEB_PORT"],
  ] as const) {
    if (!(await portFree(Number(port)))) {
      throw new StepFailure(
        `Port ${port} is in use by another program: stop it, or set ${variable} to another port.`,
      );
    }
  }
}

async function main(state: State): Promise<void> {
  release = lockState(state, "start.ts");
  console.log(`Frontrow ${dev ? "dev" : "start"}: logs in ${state.shown}logs/, Ctrl-C stops everything\n`);
  const leftovers = await Children.stopLeftovers(state.pids);
  if (leftovers.length > 0) note(`Stopped what an earlier run left running: ${leftovers.join(", ")}.`);
  await checkPortsFree();
  // The web app's build needs neither the services nor the API (its schema is schema.graphql), and it is
  // the longest step of a first start: it runs alongside the services, the API's build, the migrations
  // and the seed. `pnpm dev` builds nothing but the API, once, for the migrations and the seed.
  const webBuilt = dev
    ? Promise.resolve()
    : buildApps(children, {
        onlyChanged: true,
        showOutput: false,
        only: ["@frontrow/web"],
        alongside: true,
      });
  let webBuildDone = false;
  webBuilt.then(() => {
    webBuildDone = true;
  }, fail);
  const { env: serviceEnv, links } = await provideServices();
  const apiEnv = { ...process.env, ...serviceEnv, ...installSecrets(state), PORT: API_PORT };
  await buildApps(children, { onlyChanged: true, showOutput: false, only: ["@frontrow/api"] });
  await prepareDatabase(apiEnv);
  // A live timer while nothing else is left to do, so that a first start never looks stuck.
  if (!webBuildDone) await step("Waiting for the web app's build", () => webBuilt);
  const [api, web] = serve(apiEnv) as [Child, Child];
  await step(
    dev ? "Starting the API and the web app in watch mode" : "Starting the API and the web app",
    async () => {
      await api.waitUntil(
        "answering",
        () => answersOk(`http://127.0.0.1:${API_PORT}/readyz`),
        READY_TIMEOUT_MS,
      );
      await web.waitUntil("answering", () => answersOk(`http://127.0.0.1:${WEB_PORT}/`), READY_TIMEOUT_MS);
    },
  );
  console.log(`\nFrontrow is ready in ${seconds(startedAt)}:`);
  console.log(
    `  web app                http://localhost:${WEB_PORT}   (demo accounts: README, "Demo accounts")`,
  );
  console.log(`  API and playground     http://localhost:${API_PORT}/graphql`);
  for (const link of links) console.log(`  ${link.label.padEnd(22)} ${link.url}`);
  console.log("Ctrl-C stops it.\n");
  for (const child of [api, web]) {
    void child.exited.then((exit) => {
      if (!stopping)
        void shutDown(1, `${child.name} stopped unexpectedly (${describeExit(exit)}); stopping the rest.`);
    });
  }
}

/** Says what went wrong (a StepFailure's message is the whole story) and stops everything, once. */
function fail(error: unknown): void {
  if (stopping) return;
  const message = error instanceof StepFailure || error instanceof Error ? error.message : String(error);
  console.error(`\n${message}`);
  if (!(error instanceof StepFailure) && error instanceof Error && error.stack) console.error(error.stack);
  void shutDown(1);
}

main(state).catch(fail);
