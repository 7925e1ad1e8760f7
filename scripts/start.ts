// `pnpm start`: the whole product on one machine with no setup. Checks Postgres and Redis, builds the
// workspace, migrates and seeds the database (both idempotent), then serves the API on :4000 and the
// web app on :3000 until Ctrl-C, stopping both together.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { connect } from "node:net";

const API_PORT = process.env.PORT ?? "4000";
const WEB_PORT = process.env.WEB_PORT ?? "3000";
const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/frontrow";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || defaultPort), timeout: 2_000 });
    socket.once("connect", () => resolve(true)).once("error", () => resolve(false));
    socket.once("timeout", () => resolve(false));
    socket.once("close", () => socket.destroy());
  });
}

function run(step: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  console.log(`\n▶ ${step}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`✖ ${step} failed`);
    process.exit(result.status ?? 1);
  }
}

const missing: string[] = [];
if (!(await reachable(DATABASE_URL, 5432))) missing.push(`PostgreSQL at ${DATABASE_URL}`);
if (!(await reachable(REDIS_URL, 6379))) missing.push(`Redis at ${REDIS_URL}`);
if (missing.length) {
  console.error(`Cannot reach ${missing.join(" and ")}.`);
  console.error("Start them (see README, 'Services'), or point DATABASE_URL / REDIS_URL elsewhere.");
  process.exit(1);
}

const serviceEnv = { DATABASE_URL, REDIS_URL };
run("Building the API and the web app", "pnpm", ["build"]);
run("Migrating the database", "node", ["apps/api/dist/src/infra/migrate.cli.js"], serviceEnv);
run("Seeding demo data", "node", ["apps/api/dist/src/seed/seed.cli.js"], serviceEnv);

const apiUrl = `http://localhost:${API_PORT}/graphql`;
const children: ChildProcess[] = [
  spawn("node", ["--enable-source-maps", "apps/api/dist/src/main.js"], {
    stdio: "inherit",
    env: { ...process.env, ...serviceEnv, PORT: API_PORT, NODE_ENV: "production" },
  }),
  spawn("pnpm", ["--filter", "@frontrow/web", "exec", "next", "start", "--port", WEB_PORT], {
    stdio: "inherit",
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_PUBLIC_API_URL: apiUrl,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  }),
];
console.log(`\nFrontrow: web app http://localhost:${WEB_PORT} · API and playground ${apiUrl}\n`);

let stopping = false;
function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 12_000).unref();
  Promise.all(children.map((child) => new Promise((resolve) => child.once("exit", resolve)))).then(() =>
    process.exit(code),
  );
}
for (const child of children) {
  child.once("exit", (code) => {
    if (!stopping) console.error(`A Frontrow process stopped (exit ${code}); stopping the others.`);
    stopAll(code ?? 1);
  });
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));
