import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { resolve } from "node:path";
import type { BroadcastCommand } from "./bare-ws-server.js";
import { onShutdown } from "./cleanup.js";
import { processCpuSeconds } from "./cpu.js";
import type { MeteredServer } from "./meter.js";

/** The bare `ws` broadcast server (bare-ws-server.ts), in a child process of its own. */
export class BareWsServer implements MeteredServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly stop: () => Promise<void>,
  ) {}

  static async start(): Promise<BareWsServer> {
    // fork() runs the child with this process's flags: tsx's loader included.
    const child = fork(resolve(import.meta.dirname, "bare-ws-server.ts"), [], { stdio: "inherit" });
    const exited = once(child, "exit");
    const stop = onShutdown(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGTERM");
        await exited;
      },
      () => child.kill("SIGKILL"),
    );
    const [message] = (await once(child, "message")) as [{ type: string; port: number }];
    if (message.type !== "listening") throw new Error(`bare ws server: unexpected ${message.type}`);
    return new BareWsServer(child, `ws://127.0.0.1:${message.port}`, stop);
  }

  cpuSeconds(): number | undefined {
    return processCpuSeconds(this.child.pid);
  }

  /** Sends every message to every connected socket, `perSecond` messages a second; resolves when all went. */
  async broadcast(messages: string[], perSecond: number): Promise<void> {
    const done = once(this.child, "message");
    this.child.send({ messages, perSecond } satisfies BroadcastCommand);
    await done;
  }
}
