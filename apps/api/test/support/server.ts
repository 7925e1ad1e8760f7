import { type ChildProcess, spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { type Config, generateSecrets, loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/infra/logger.js";
import { createServer, type FrontrowServer, type ServerOverrides } from "../../src/server.js";
import { testRedisPrefix } from "./redis-prefix.js";

export interface TestServer {
  server: FrontrowServer;
  url: string;
  origin: string;
  close(): Promise<void>;
}

/** What a test may set of a server besides its environment (test hooks). */
export type ServerOptions = Omit<ServerOverrides, "log">;

/** A real API server on a free port, with its own Redis key prefix so runs never collide. */
export async function startTestServer(
  databaseUrl: string,
  env: Record<string, string> = {},
  options: ServerOptions = {},
): Promise<TestServer> {
  const config: Config = loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    REDIS_KEY_PREFIX: testRedisPrefix(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    SHUTDOWN_GRACE_MS: "2000",
    // Few job workers (and Postgres connections) per test server: many run at once on one Postgres.
    JOBS_CONCURRENCY: "2",
    // Every test's requests come from 127.0.0.1, often on one session: the request budget is lifted
    // (rate-limit-headers.test.ts sets its own).
    REQUEST_BUDGET_PER_IP_PER_MINUTE: "1000000000",
    REQUEST_BUDGET_PER_SESSION_PER_MINUTE: "1000000000",
    // Production refuses the development secrets; every test server gets its own.
    ...generateSecrets(),
    // Production needs SMTP_URL: mail is off unless a test points it at its maildev (support/maildev.ts).
    SMTP_URL: "off",
    ...env,
  });
  const server = await createServer(config, { ...options, log: createLogger(config.LOG_LEVEL) });
  const { port } = await server.listen();
  const origin = `http://127.0.0.1:${port}`;
  return { server, origin, url: `${origin}/graphql`, close: () => server.close() };
}

/** The built API's entry point, as production starts it. */
export const API_MAIN = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/main.js");

export interface ApiProcess {
  child: ChildProcess;
  origin: string;
  url: string;
}

/** The built API as a process of its own on `port`, once /healthz answers. */
export async function spawnApi(port: number, env: Record<string, string>): Promise<ApiProcess> {
  const child = spawn(process.execPath, [API_MAIN], {
    env: {
      ...process.env,
      REQUEST_BUDGET_PER_IP_PER_MINUTE: "1000000000",
      REQUEST_BUDGET_PER_SESSION_PER_MINUTE: "1000000000",
      ...env,
      PORT: String(port),
      HOST: "127.0.0.1",
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const origin = `http://127.0.0.1:${port}`;
  // A loaded machine may take a while to boot a process.
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`API process exited with ${child.exitCode}`);
    const healthy = await fetch(`${origin}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return { child, origin, url: `${origin}/graphql` };
    await sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error("API process did not start");
}

export interface GraphQLResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResult<T>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResult<T>, "status" | "headers">;
  return { status: response.status, headers: response.headers, ...body };
}

/** The data of a result that must have succeeded; fails with the errors otherwise. */
export function dataOf<T>(result: GraphQLResult<T>): T {
  if (result.errors?.length || !result.data) {
    throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  }
  return result.data;
}

/** The API's /metrics, read once: the value of a series such as `name{label="x"}` (0 when absent). */
export async function readMetrics(origin: string): Promise<(series: string) => number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return (series) => samples.get(series) ?? 0;
}
