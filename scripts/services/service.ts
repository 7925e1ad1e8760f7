// What `pnpm start` and `pnpm dev` need running besides the API and the web app, and how each is found
// or started. Adding one (e.g. maildev for SMTP_URL) is one more entry in MANAGED_SERVICES.
import { connect, createServer } from "node:net";
import type { Children } from "../lib/children.js";
import type { State } from "../lib/state.js";

export interface ServiceContext {
  state: State;
  children: Children;
}

/** A page a person may open, listed when Frontrow is ready (e.g. maildev's inbox). */
export interface ServiceLink {
  label: string;
  url: string;
}

export interface EmbeddedService {
  url: string;
  /** Shown after the step, e.g. "embedded PostgreSQL 16 on 127.0.0.1:41234, data in .frontrow/postgres". */
  description: string;
  link?: ServiceLink;
}

export interface ManagedService {
  /** As shown to a person: "PostgreSQL". */
  name: string;
  /** The variable that points the API at one already running; `pnpm start` sets it for the API. */
  envVar: string;
  /** Where one usually runs on a developer's machine: used when something answers there. */
  defaultUrl: string;
  /** Its page when the one on the default port is used (e.g. maildev's inbox on :1080). */
  defaultLink?: ServiceLink;
  /**
   * Starts one of our own as a child of `pnpm start` (through `context.children`, which stops it last,
   * with SIGTERM to its process group) and resolves once it answers.
   */
  startEmbedded(context: ServiceContext): Promise<EmbeddedService>;
}

export interface Choice {
  url: string;
  description: string;
  link?: ServiceLink;
}

/** Whether something accepts TCP connections at the URL's host and port. */
export function answers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({
      host: hostname.replace(/^\[|\]$/g, ""),
      port: Number(port),
      timeout: timeoutMs,
    });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
}

/** The URL as it may be printed: without a password. */
export function shownUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

/** The one configured, else the one on the default port, else one of our own. */
export async function provide(service: ManagedService, context: ServiceContext): Promise<Choice> {
  const configured = process.env[service.envVar];
  if (configured)
    return {
      url: configured,
      description: `${service.envVar} from the environment: ${shownUrl(configured)}`,
    };
  if (await answers(service.defaultUrl)) {
    const { host } = new URL(service.defaultUrl);
    return {
      url: service.defaultUrl,
      description: `the one answering on ${host}`,
      link: service.defaultLink,
    };
  }
  return service.startEmbedded(context);
}

/** Whether nothing listens on the port (on any address, as the API and Next.js bind). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}
