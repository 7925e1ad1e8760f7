// The processes `pnpm start` runs. Each is the leader of its own process group, so a Ctrl-C in the
// terminal reaches only `pnpm start`, which then stops them in order (web and API before the databases
// they use) instead of every process dying at once and complaining about the others.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  type WriteStream,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { note, StepFailure } from "./progress.js";

/** How many of a process's last output lines a failure shows. */
const TAIL_LINES = 40;

export interface ChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Output goes to `<logDir>/<name>.log`; lines for which this is true are also shown in the terminal. */
  show?: (line: string) => boolean;
  /** An IPC channel (`process.send` in the child). */
  ipc?: boolean;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class Child {
  readonly exited: Promise<Exit>;
  private readonly tail: string[] = [];
  private readonly log: WriteStream;
  running = true;
  private stopping = false;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
    logFile: string,
    show: (line: string) => boolean,
  ) {
    this.log = createWriteStream(logFile, { flags: "a" });
    for (const stream of [process.stdout, process.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
        this.log.write(`${line}\n`);
        this.tail.push(line);
        if (this.tail.length > TAIL_LINES) this.tail.shift();
        if (show(line) && !this.stopping) note(`${name} │ ${line}`);
      });
    }
    this.exited = new Promise((resolve) => {
      // "close" comes after the last output has been read, so the log is complete.
      process.once("close", (code, signal) => {
        this.running = false;
        resolve({ code, signal });
      });
      process.once("error", (error) => {
        this.tail.push(String(error));
        this.running = false;
        resolve({ code: null, signal: null });
      });
    });
  }

  /** The last lines it printed, for a failure message. */
  lastOutput(): string {
    return this.tail.length ? this.tail.map((line) => `    ${line}`).join("\n") : "    (no output)";
  }

  failure(what: string): StepFailure {
    return new StepFailure(`${this.name} ${what}. Its last output:\n${this.lastOutput()}`);
  }

  /** Signals the whole process group: the child and whatever it started. */
  signal(signal: NodeJS.Signals): void {
    if (this.running && this.process.pid !== undefined) signalGroup(this.process.pid, signal);
  }

  /** From now on its output goes to the log only (what a process says about its own shutdown). */
  mute(): void {
    this.stopping = true;
  }

  /** Asks it to stop (`signal`), waits up to `graceMs`, then kills its group. Resolves once it is gone. */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 15_000): Promise<void> {
    this.mute();
    this.signal(signal);
    const stopped = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!stopped) {
      this.signal("SIGKILL");
      await this.exited;
    }
    // A child's own children may outlive it by a moment (e.g. a server's workers); none must stay.
    this.signal("SIGKILL");
    await new Promise<void>((resolve) => this.log.end(resolve));
  }

  /** Resolves when `ready()` says so; fails if the process exits first or `timeoutMs` passes. */
  async waitUntil(what: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw this.failure(`exited before ${what} (${describeExit(await this.exited)})`);
      if (await ready().catch(() => false)) return;
      await sleep(200);
    }
    throw this.failure(`was not ${what} after ${timeoutMs / 1000} s`);
  }
}

function signalGroup(leader: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-leader, signal);
  } catch {
    // Already gone.
  }
}

/** When the process started, as `ps` tells it (null when it is not running). */
function startTime(pid: number): string | null {
  try {
    return execFileSync("ps", ["-o", "lstart=", "-p", String(pid)], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

export function describeExit({ code, signal }: Exit): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

/** Every process started, so that one call stops them all, the latest first. */
export class Children {
  private readonly started: Child[] = [];

  /** Output goes to `logDir`; with `pidDir`, each running process's pid and start time (see stopLeftovers). */
  constructor(
    private readonly logDir: string,
    private readonly pidDir?: string,
  ) {
    mkdirSync(logDir, { recursive: true });
    if (pidDir) mkdirSync(pidDir, { recursive: true });
  }

  /**
   * Stops what an earlier run that could not clean up (killed, its terminal gone) left running, so that
   * it neither holds the ports nor writes to the same data. A pid counts only with the start time that
   * was recorded for it, never a process that reused the number. Returns their names.
   */
  static async stopLeftovers(pidDir: string): Promise<string[]> {
    const stopped: string[] = [];
    for (const file of existsSync(pidDir) ? readdirSync(pidDir) : []) {
      const [pid, ...recordedStart] = readFileSync(join(pidDir, file), "utf8").trim().split(" ");
      const group = Number(pid);
      if (recordedStart.length > 0 && startTime(group) === recordedStart.join(" ")) {
        signalGroup(group, "SIGTERM");
        for (let waited = 0; startTime(group) !== null && waited < 15_000; waited += 100) await sleep(100);
        signalGroup(group, "SIGKILL");
        stopped.push(file.replace(/\.pid$/, ""));
      }
      rmSync(join(pidDir, file), { force: true });
    }
    return stopped;
  }

  spawn(name: string, command: string, args: string[], options: ChildOptions = {}): Child {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe", ...(options.ipc ? (["ipc"] as const) : [])],
    });
    const handle = new Child(name, child, join(this.logDir, `${name}.log`), options.show ?? (() => false));
    this.started.push(handle);
    const pidFile = this.pidFile(name);
    if (pidFile && child.pid !== undefined)
      writeFileSync(pidFile, `${child.pid} ${startTime(child.pid) ?? ""}`);
    return handle;
  }

  /** Runs a command to completion (its output in the log); fails with its last output if it fails. */
  async run(name: string, command: string, args: string[], options: ChildOptions = {}): Promise<void> {
    const child = this.spawn(name, command, args, options);
    const exit = await child.exited;
    this.forget(child);
    if (exit.code !== 0) throw child.failure(`failed (${describeExit(exit)})`);
  }

  forget(child: Child): void {
    this.started.splice(this.started.indexOf(child), 1);
    const pidFile = this.pidFile(child.name);
    if (pidFile) rmSync(pidFile, { force: true });
  }

  private pidFile(name: string): string | null {
    return this.pidDir ? join(this.pidDir, `${name}.pid`) : null;
  }

  /** Stops every process still known, the latest first: web and API before the services they use. */
  async stopAll(): Promise<{ name: string; seconds: number }[]> {
    const report: { name: string; seconds: number }[] = [];
    for (const child of this.started) child.mute();
    for (const child of [...this.started].reverse()) {
      const started = Date.now();
      await child.stop();
      this.forget(child);
      report.push({ name: child.name, seconds: (Date.now() - started) / 1000 });
    }
    return report;
  }

  get running(): Child[] {
    return this.started.filter((child) => child.running);
  }
}
