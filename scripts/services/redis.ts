// Redis, real: the machine's redis-server started as a child on a free port with its files in the state
// folder. Where none is installed, redis-memory-server builds one from Redis' source into its cache,
// once; where that cannot work, the message says what to install.
import { execFileSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { delimiter, join } from "node:path";
import { note, StepFailure } from "../lib/progress.js";
import { type EmbeddedService, freePort, type ServiceContext } from "./service.js";

function onPath(command: string, path = process.env.PATH ?? ""): string | null {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** What to install so that `pnpm start` finds a redis-server, for this kind of machine. */
export function redisInstallHint(platform: NodeJS.Platform, osRelease = ""): string {
  const ids = /^ID(?:_LIKE)?=(.*)$/gm;
  const family = new Set(
    [...osRelease.matchAll(ids)].flatMap((match) => (match[1] ?? "").replace(/"/g, "").split(" ")),
  );
  let install: string;
  if (platform === "darwin") install = "brew install redis";
  else if (platform === "win32")
    install = "Redis has no Windows build: run Frontrow in WSL 2 (then: sudo apt-get install redis-server)";
  else if (family.has("debian") || family.has("ubuntu")) install = "sudo apt-get install redis-server";
  else if (family.has("fedora") || family.has("rhel") || family.has("centos"))
    install = "sudo dnf install redis";
  else if (family.has("arch")) install = "sudo pacman -S redis";
  else if (family.has("alpine")) install = "sudo apk add redis";
  else if (family.has("suse") || family.has("opensuse")) install = "sudo zypper install redis";
  else install = "your system's redis (or valkey) package, so that redis-server is on the PATH";
  return [
    "No redis-server is installed and none could be built here.",
    `Install one: ${install}`,
    "then run `pnpm start` again. Or set REDIS_URL to a Redis you run, or run the whole product with",
    "`docker compose up --build` (README, Quick start).",
  ].join("\n");
}

function osRelease(): string {
  return existsSync("/etc/os-release") ? readFileSync("/etc/os-release", "utf8") : "";
}

/** The redis-server to run: the installed one, else one built once by redis-memory-server. */
async function redisServerBinary(): Promise<string> {
  const installed = onPath("redis-server");
  if (installed) return installed;
  const hint = redisInstallHint(process.platform, osRelease());
  const missingTools = ["make", "cc"].filter((tool) => !onPath(tool));
  if (process.platform === "win32" || missingTools.length > 0) {
    throw new StepFailure(
      `${hint}\n(Building it would need ${missingTools.join(" and ") || "a Unix system"}.)`,
    );
  }
  note(
    "No redis-server installed: building one from Redis' source, once, into node_modules/.cache (a few minutes)",
  );
  try {
    const { RedisBinary } = await import("redis-memory-server");
    return await RedisBinary.getPath();
  } catch (error) {
    throw new StepFailure(
      `${hint}\n(The build failed: ${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/** Whether a Redis answers PING on the port. */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, timeout: 1_000 });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
}

export async function startEmbeddedRedis({ state, children }: ServiceContext): Promise<EmbeddedService> {
  const binary = await redisServerBinary();
  const dir = join(state.dir, "redis");
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  // Saved to dump.rdb on a clean stop (and every minute with changes), so sessions and waiting rooms
  // survive a restart like the database does.
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir];
  const child = children.spawn("redis", binary, [
    ...args,
    "--save",
    "60 1",
    "--appendonly",
    "no",
    "--daemonize",
    "no",
  ]);
  await child.waitUntil("answering", () => pong(port), 30_000);
  const version = /v=([\d.]+)/.exec(execFileSync(binary, ["--version"], { encoding: "utf8" }))?.[1] ?? "";
  return {
    url: `redis://127.0.0.1:${port}`,
    description: `redis-server ${version} (${binary}) on 127.0.0.1:${port}, files in ${state.shown}redis`,
  };
}
