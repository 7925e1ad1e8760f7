// The README's `pnpm start` on a machine where nothing answers on the default ports: it runs in a network
// namespace of its own (only loopback up), so the machine's PostgreSQL and Redis are out of reach and
// it must start embedded ones. A fan signs in, keeps a hold and buys a seat; Ctrl-C (through a real
// terminal, as a person presses it) must stop everything and leave no process and no port; a second
// start must find the same hold, order and session, and SIGTERM must stop it as cleanly.
// Needs root (`ip netns`); skipped elsewhere, except in CI (CI=true), where it must run.
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { repoRoot } from "../lib/state.js";

const namespace = `frontrow-start-${process.pid}`;
let stateDir = "";
/** First starts may build the apps when `pnpm build` did not run before: generous. */
const READY_TIMEOUT_MS = 600_000;
const STOP_TIMEOUT_MS = 60_000;
/** What a clean start and stop must never print. */
/** How `pnpm start` may exit after a Ctrl-C: see `Start.stoppedBy`. */
const CTRL_C_EXIT_CODES = [0, 130];
const ALARMING = /ERR_PNPM|ELIFECYCLE|Error:|^\s+at .+:\d+:\d+\)?$|unexpectedly/m;

function unavailable(): string | null {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return "needs root on Linux (ip netns)";
  for (const tool of ["ip", "script", "ss"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    } catch {
      return `needs ${tool} (iproute2, util-linux)`;
    }
  }
  return null;
}

const skipReason = unavailable();
if (skipReason && process.env.CI === "true")
  throw new Error(`The embedded start test cannot run in CI: ${skipReason}`);
if (skipReason) console.log(`Skipping the embedded start test: ${skipReason}.`);

function inNamespace(command: string, args: string[]): string {
  return execFileSync("ip", ["netns", "exec", namespace, command, ...args], {
    cwd: repoRoot,
    encoding: "utf8",
  });
}

function client<T>(...args: string[]): T {
  const output = inNamespace(process.execPath, [
    "--import",
    "tsx",
    "scripts/test/support/demo-client.ts",
    ...args,
  ]);
  return JSON.parse(output.trim().split("\n").pop() ?? "") as T;
}

/** What still runs or listens in the namespace. */
function leftovers(): { processes: string[]; listening: string[] } {
  const pids = execFileSync("ip", ["netns", "pids", namespace], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  const processes = pids.map((pid) => {
    try {
      return execFileSync("ps", ["-o", "pid=,command=", "-p", pid], { encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  });
  const listening = inNamespace("ss", ["-Htln"]).split("\n").filter(Boolean);
  return { processes: processes.filter(Boolean), listening };
}

class Start {
  readonly process: ChildProcessWithoutNullStreams;
  output = "";
  readonly exited: Promise<number | null>;

  constructor() {
    const env: NodeJS.ProcessEnv = { ...process.env, FRONTROW_STATE_DIR: stateDir, TERM: "dumb" };
    for (const name of ["DATABASE_URL", "REDIS_URL", "PORT", "WEB_PORT"]) delete env[name];
    // `script` gives `pnpm start` a terminal, so that a Ctrl-C typed into it is delivered as a person's is.
    this.process = spawn("ip", ["netns", "exec", namespace, "script", "-qfec", "pnpm start", "/dev/null"], {
      cwd: repoRoot,
      env,
      detached: true,
    });
    for (const stream of [this.process.stdout, this.process.stderr]) {
      stream.on("data", (chunk: Buffer) => {
        this.output += chunk.toString().replace(/\r/g, "");
      });
    }
    this.exited = new Promise((resolve) => this.process.once("exit", (code) => resolve(code)));
  }

  async waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output)) {
      if (this.process.exitCode !== null)
        assert.fail(`pnpm start exited (${this.process.exitCode}):\n${this.output}`);
      if (Date.now() > deadline) assert.fail(`no ${pattern} within ${timeoutMs / 1000} s:\n${this.output}`);
      await sleep(250);
    }
  }

  /**
   * `stop` stops the start; `codes` are the exit codes that mean a clean stop. A Ctrl-C reaches pnpm as
   * well as the script, and pnpm then answers 130 (128 + SIGINT, the shell's convention for "stopped by
   * Ctrl-C") or 0, depending on which of the two sees the signal first; either way nothing alarming is printed.
   */
  async stoppedBy(stop: () => void, codes: readonly number[] = [0]): Promise<void> {
    stop();
    const code = await Promise.race([this.exited, sleep(STOP_TIMEOUT_MS, "timeout", { ref: false })]);
    assert.ok(
      typeof code === "number" && codes.includes(code),
      `pnpm start did not stop with exit ${codes.join(" or ")} (${code}):\n${this.output}`,
    );
    assert.match(
      this.output,
      /Stopped web \([\d.]+ s\), api \([\d.]+ s\), maildev \([\d.]+ s\), redis \([\d.]+ s\), postgres/,
    );
    assert.doesNotMatch(this.output, ALARMING, this.output);
    assert.deepEqual(leftovers(), { processes: [], listening: [] });
  }
}

let running: Start | null = null;

/** The pid of the running `pnpm start` script itself (it records it to keep a second one out). */
function startPid(): number {
  return Number(readFileSync(join(stateDir, "start.pid"), "utf8"));
}

function cleanUp(): void {
  if (running?.process.pid && running.process.exitCode === null) {
    try {
      process.kill(-running.process.pid, "SIGKILL");
    } catch {
      // Gone.
    }
  }
  try {
    for (const pid of execFileSync("ip", ["netns", "pids", namespace], { encoding: "utf8" }).split("\n")) {
      if (pid) process.kill(Number(pid), "SIGKILL");
    }
    execFileSync("ip", ["netns", "del", namespace]);
  } catch {
    // No namespace (the test was skipped or it is already gone).
  }
  if (!stateDir) return;
  rmSync(stateDir, { recursive: true, force: true });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

describe("pnpm start with nothing configured and nothing on the default ports", {
  skip: skipReason ?? false,
}, () => {
  let cookie = "";
  let holdId = "";
  let orderId = "";

  before(() => {
    // Private to root (mkdtemp makes it 0700), as a clone under a home folder (or CI's mktemp folder) is.
    stateDir = mkdtempSync(join(tmpdir(), "frontrow-start-"));
    execFileSync("ip", ["netns", "add", namespace]);
    execFileSync("ip", ["-n", namespace, "link", "set", "lo", "up"]);
  });
  after(cleanUp);
  // A test that failed half-way leaves its start running: stop it as a person would, so the next test
  // starts from a stopped product rather than failing on the first one's lock.
  afterEach(async () => {
    const start = running;
    if (!start || start.process.exitCode !== null) return;
    start.process.stdin.write("\x03");
    const stopped = await Promise.race([
      start.exited.then(() => true),
      sleep(STOP_TIMEOUT_MS, false, { ref: false }),
    ]);
    if (!stopped && start.process.pid) process.kill(-start.process.pid, "SIGKILL");
  });

  test("starts embedded PostgreSQL and Redis, serves the product, and Ctrl-C stops everything", async () => {
    running = new Start();
    await running.waitFor(/Frontrow is ready in [\d.]+ s/, READY_TIMEOUT_MS);
    assert.match(running.output, /PostgreSQL \([\d.]+ s, embedded PostgreSQL \d+ .*on 127\.0\.0\.1:\d+/);
    assert.match(running.output, /Redis \([\d.]+ s, redis-server [\d.]+ .* on 127\.0\.0\.1:\d+/);
    // As root (as this test runs), PostgreSQL runs in a user namespace, reaching the private folder.
    assert.match(running.output, /embedded PostgreSQL \d+ \(as root: in a user namespace\)/);
    assert.deepEqual(client("serving"), { web: 200, api: "Query" });
    ({ cookie, holdId, orderId } = client<{ cookie: string; holdId: string; orderId: string }>("buy"));
    const start = running;
    await start.stoppedBy(() => start.process.stdin.write("\x03"), CTRL_C_EXIT_CODES);
  });

  test("a second start finds the same data and session; SIGTERM stops it as cleanly", async () => {
    running = new Start();
    await running.waitFor(/Frontrow is ready in [\d.]+ s/, READY_TIMEOUT_MS);
    assert.match(running.output, /Building the API \(skipped/);
    const mine = client<{ holdIds: string[]; orderIds: string[] }>("mine", cookie);
    assert.ok(mine.holdIds.includes(holdId), `the hold ${holdId} is gone: ${JSON.stringify(mine)}`);
    assert.ok(mine.orderIds.includes(orderId), `the order ${orderId} is gone: ${JSON.stringify(mine)}`);
    const start = running;
    await start.stoppedBy(() => process.kill(startPid(), "SIGTERM"));
  });

  test("a start that was killed leaves processes that the next start stops before starting", async () => {
    const killed = new Start();
    running = killed;
    await killed.waitFor(/Frontrow is ready in [\d.]+ s/, READY_TIMEOUT_MS);
    process.kill(startPid(), "SIGKILL");
    await killed.exited;
    assert.notDeepEqual(leftovers().processes, [], "the API and the web app outlive a killed start");
    running = new Start();
    await running.waitFor(/Frontrow is ready in [\d.]+ s/, READY_TIMEOUT_MS);
    assert.match(running.output, /Stopped what an earlier run left running: api, .*web/);
    assert.ok(client<{ orderIds: string[] }>("mine", cookie).orderIds.includes(orderId));
    const start = running;
    await start.stoppedBy(() => start.process.stdin.write("\x03"), CTRL_C_EXIT_CODES);
  });
});
