// The end-to-end stack shared by the browser tests: a fresh database, the built API and the built web app
// on free ports, and Chromium. Needs `pnpm build` at the root first, Postgres and Redis running, psql and
// /usr/bin/chromium installed.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { freePort } from "../../../../scripts/services/service.ts";
import { generateSecrets } from "../../../api/src/config.ts";
import { chromiumPath } from "./chromium.mjs";

const webDir = fileURLToPath(new URL("../..", import.meta.url));
const rootDir = fileURLToPath(new URL("../../../..", import.meta.url));
export const resultsDir = fileURLToPath(new URL("../../test-results/", import.meta.url));
const apiEntry = `${rootDir}apps/api/dist/src/main.js`;
const migrateCli = `${rootDir}apps/api/dist/src/infra/migrate.cli.js`;
const seedCli = `${rootDir}apps/api/dist/src/seed/seed.cli.js`;
const nextCli = `${webDir}node_modules/next/dist/bin/next`;
// The SMTP server the API mails to (the root's dev dependency): its REST API shows what was sent.
const maildevCli = createRequire(import.meta.url).resolve("maildev/bin/maildev");

const runId = `e2e${process.pid}`;
const databaseName = `frontrow_e2e_${process.pid}`;
const serverUrl = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/frontrow");
const adminDatabaseUrl = withDatabase(serverUrl, "postgres");

/** Everything this process starts, so `after` can stop it whatever failed. */
const started = { processes: [], databaseCreated: false, browser: null };

function withDatabase(url, name) {
  const copy = new URL(url);
  copy.pathname = `/${name}`;
  return copy.toString();
}

/** Runs SQL with psql against `databaseUrlToUse`, throwing on any error. */
export function psql(databaseUrlToUse, sql) {
  const result = spawnSync("psql", [databaseUrlToUse, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], {
    encoding: "utf8",
  });
  if (result.error) throw new Error(`psql could not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`psql failed (${sql}): ${result.stderr}`);
  return result.stdout;
}

/** A child process in its own process group (so its children stop with it), with its recent output kept. */
function startProcess(name, args, options) {
  const child = spawn(process.execPath, args, {
    ...options,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = [];
  const keep = (chunk) => {
    output.push(...chunk.toString().split("\n").filter(Boolean));
    output.splice(0, Math.max(0, output.length - 80));
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const handle = { name, child, output, exited, running: true };
  exited.then(() => {
    handle.running = false;
  });
  started.processes.push(handle);
  return handle;
}

function describeOutput(handle) {
  return `--- last output of ${handle.name} ---\n${handle.output.join("\n")}`;
}

/** Prints the recent output of the API and the web app: what a failed test needs to be understood. */
export function printServerOutput() {
  for (const handle of started.processes) console.log(describeOutput(handle));
}

async function runToCompletion(name, args, env) {
  const handle = startProcess(name, args, { cwd: rootDir, env });
  const { code, signal } = await handle.exited;
  if (code !== 0) throw new Error(`${name} failed (exit ${code ?? signal})\n${describeOutput(handle)}`);
}

async function migrateAndSeed(env) {
  await runToCompletion("migrate", [migrateCli], env);
  await runToCompletion("seed", [seedCli], env);
}

/** Names the migrated and seeded database that each test file's database is cloned from. */
export const E2E_TEMPLATE_ENV = "FRONTROW_E2E_TEMPLATE";

/**
 * Migrates and seeds `name` once for a whole run (test/run.mjs): cloning it takes a second, where each
 * file's own migration and seed took about 13.
 */
export async function createE2eTemplate(name) {
  psql(adminDatabaseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  psql(adminDatabaseUrl, `CREATE DATABASE ${name}`);
  await migrateAndSeed({ ...process.env, DATABASE_URL: withDatabase(serverUrl, name), LOG_LEVEL: "warn" });
}

export function dropE2eTemplate(name) {
  psql(adminDatabaseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

async function waitUntilAnswering(handle, url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = "no answer yet";
  while (Date.now() < deadline) {
    if (!handle.running) throw new Error(`${handle.name} exited before answering\n${describeOutput(handle)}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `${handle.name} did not answer ${url} within ${timeoutMs} ms (${lastProblem})\n${describeOutput(handle)}`,
  );
}

async function stopProcess(handle) {
  if (!handle.running) return;
  const signalGroup = (signal) => {
    try {
      process.kill(-handle.child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  signalGroup("SIGTERM");
  const stopped = await Promise.race([
    handle.exited.then(() => true),
    new Promise((resolve) => setTimeout(() => resolve(false), 8_000)),
  ]);
  if (!stopped) signalGroup("SIGKILL");
}

// An interrupted run still stops its servers and drops its database.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    for (const handle of started.processes) {
      if (handle.running) {
        try {
          process.kill(-handle.child.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    }
    if (started.databaseCreated) {
      spawnSync("psql", [
        adminDatabaseUrl,
        "-q",
        "-c",
        `DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`,
      ]);
    }
    process.exit(130);
  });
}

/**
 * Registers `before`/`after` hooks that start the stack for this test file and stop it afterwards. The
 * returned object gets `apiUrl` and `webUrl` once `before` has run; `databaseUrl` is known at once.
 * `apiEnv` adds to the API's environment.
 */
export function startE2eStack({ apiEnv: extraApiEnv = {} } = {}) {
  const stack = { apiUrl: "", webUrl: "", mailUrl: "", databaseUrl: withDatabase(serverUrl, databaseName) };

  before(
    async () => {
      const missing = [
        [apiEntry, "the built API (run `pnpm build` at the root)"],
        [migrateCli, "the API's migrate CLI (run `pnpm build` at the root)"],
        [seedCli, "the API's seed CLI (run `pnpm build` at the root)"],
        [`${webDir}.next/BUILD_ID`, "the built web app (run `pnpm build` at the root)"],
        [chromiumPath, "Chromium (apt-get install -y chromium, or set CHROMIUM_PATH)"],
      ].filter(([path]) => !existsSync(path));
      assert.deepEqual(
        missing.map(([path, what]) => `${what}: ${path}`),
        [],
        "end-to-end prerequisites are missing",
      );

      // test/run.mjs seeds one template for the whole run; a file run on its own migrates and seeds.
      const template = process.env[E2E_TEMPLATE_ENV];
      psql(adminDatabaseUrl, `DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
      psql(adminDatabaseUrl, `CREATE DATABASE ${databaseName}${template ? ` TEMPLATE ${template}` : ""}`);
      started.databaseCreated = true;

      const [apiPort, webPort, smtpPort, mailPort] = [
        await freePort(),
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      stack.apiUrl = `http://127.0.0.1:${apiPort}/graphql`;
      stack.webUrl = `http://127.0.0.1:${webPort}`;
      stack.mailUrl = `http://127.0.0.1:${mailPort}`;
      const maildev = startProcess(
        "maildev",
        [maildevCli, "--smtp", String(smtpPort), "--web", String(mailPort), "--ip", "127.0.0.1"],
        { cwd: rootDir },
      );
      const apiEnv = {
        ...process.env,
        NODE_ENV: "production",
        ...generateSecrets(),
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        // Links in mails point at this web app.
        WEB_APP_URL: stack.webUrl,
        DATABASE_URL: stack.databaseUrl,
        REDIS_KEY_PREFIX: `${runId}:`,
        LOG_LEVEL: "warn",
        ...extraApiEnv,
      };

      if (!template) await migrateAndSeed(apiEnv);

      const api = startProcess("api", [apiEntry], {
        cwd: rootDir,
        // The browser calls the API from the web app's origin.
        env: { ...apiEnv, PORT: String(apiPort), HOST: "127.0.0.1", CORS_ORIGINS: stack.webUrl },
      });
      const web = startProcess(
        "web",
        [nextCli, "start", "--port", String(webPort), "--hostname", "127.0.0.1"],
        {
          cwd: webDir,
          // Read by the server at request time, so the build made by `pnpm build` can point at this API.
          env: {
            ...process.env,
            NODE_ENV: "production",
            NEXT_PUBLIC_API_URL: stack.apiUrl,
            NEXT_TELEMETRY_DISABLED: "1",
          },
        },
      );
      await waitUntilAnswering(api, `http://127.0.0.1:${apiPort}/readyz`, 60_000);
      await waitUntilAnswering(maildev, `${stack.mailUrl}/email`, 30_000);
      await waitUntilAnswering(web, `${stack.webUrl}/`, 60_000);
    },
    { timeout: 300_000 },
  );

  after(
    async () => {
      await started.browser?.close().catch(() => {});
      await Promise.all(started.processes.map(stopProcess));
      if (started.databaseCreated)
        psql(adminDatabaseUrl, `DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
      // The API's Redis keys for this run share a prefix; remove them when redis-cli is available.
      const scan = spawnSync("redis-cli", ["--scan", "--pattern", `${runId}:*`], { encoding: "utf8" });
      const keys = scan.status === 0 ? scan.stdout.split("\n").filter(Boolean) : [];
      if (scan.status !== 0)
        console.log(`note: Redis keys with prefix ${runId}: were not cleaned (redis-cli unavailable)`);
      if (keys.length > 0) spawnSync("redis-cli", ["del", ...keys]);
    },
    { timeout: 60_000 },
  );

  return stack;
}

/** A GraphQL request, as a signed-in fan when `cookie` (their session cookie) is given; fails on any error. */
export async function graphqlRequest(apiUrl, query, variables, cookie) {
  const response = await fetch(apiUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (!response.ok || body.errors)
    throw new Error(`GraphQL request failed: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

/** The session cookie ("frontrow_session=…") of an account, logged in through the API. */
export async function sessionCookie(apiUrl, { email, password }) {
  const response = await fetch(apiUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: "mutation ($e: String!, $p: String!) { logIn(email: $e, password: $p) { id } }",
      variables: { e: email, p: password },
    }),
  });
  const cookie = response.headers.getSetCookie().find((value) => value.startsWith("frontrow_session="));
  assert.ok(cookie, `logged in as ${email}`);
  return cookie.split(";")[0];
}

/** The on-sale event in the smallest venue without a waiting room: a theatre, whose seats are big enough to click. */
export async function findTheatreEvent(apiUrl) {
  const events = await findOnSaleEvents(apiUrl);
  assert.ok(events[0], "the seeded database has no on-sale event without a waiting room");
  return events[0];
}

/** The on-sale events without a waiting room, smallest venue first. */
export async function findOnSaleEvents(apiUrl) {
  const data = await graphqlRequest(
    apiUrl,
    `query E2EOnSaleEvents {
      events(first: 100, filter: { onSale: true }) {
        edges { node { id name queueEnabled maxTicketsPerAccount venue { capacity } } }
      }
    }`,
  );
  const candidates = data.events.edges.map(({ node }) => node).filter((event) => !event.queueEnabled);
  return candidates.sort((a, b) => a.venue.capacity - b.venue.capacity);
}

/** A 390 px phone with touch, as the phone checks open pages. */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

export async function launchBrowser() {
  started.browser ??= await chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  return started.browser;
}

/** Logs in through the login page, which then returns to `returnTo`. */
export async function logInThroughUi(page, webUrl, email, password, returnTo) {
  await page.goto(`${webUrl}/login?next=${encodeURIComponent(returnTo)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await page.waitForURL(`${webUrl}${returnTo}`, { timeout: 15_000 });
  await page.locator(`[data-viewer-email="${email}"]`).waitFor({ timeout: 15_000 });
}
