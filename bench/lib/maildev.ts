// A maildev (npm) of the run's own: the real SMTP server a bench's API mails to.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../../scripts/services/service.js";
import { onShutdown } from "./cleanup.js";

export interface BenchMaildev {
  smtpUrl: string;
  webUrl: string;
  stop(): Promise<void>;
}

export async function startMaildev(): Promise<BenchMaildev> {
  const cli = createRequire(import.meta.url).resolve("maildev/bin/maildev");
  const [smtpPort, webPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [cli, "--smtp", String(smtpPort), "--web", String(webPort), "--ip", "127.0.0.1", "--silent"],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = onShutdown(
    async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    () => child.kill("SIGKILL"),
  );
  const webUrl = `http://127.0.0.1:${webPort}`;
  // A loaded machine may take a while to boot it (10 s was not always enough on the shared one).
  for (let attempt = 0; attempt < 300; attempt++) {
    const ok = await fetch(`${webUrl}/email`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, webUrl, stop };
    await sleep(100);
  }
  await stop();
  throw new Error("maildev did not start");
}
