import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { freePort } from "./holds.js";
import { waitFor } from "./wait.js";

// A real SMTP server for tests: maildev (npm), on free ports of the test's own, read through its REST API
// (GET /email lists what it received). Nothing is mocked: the API sends with nodemailer over TCP.

export interface ReceivedMail {
  id: string;
  subject: string;
  messageId: string;
  to: { address: string; name: string }[];
  text: string;
  html: string;
  headers: Record<string, string>;
  attachments?: { fileName: string; contentType: string; length: number }[];
}

export interface TestMaildev {
  smtpPort: number;
  smtpUrl: string;
  webUrl: string;
  /** Every mail received so far (optionally only those to `address`). */
  messages(to?: string): Promise<ReceivedMail[]>;
  /** Waits until at least `count` mails to `to` match `where`, and returns those that match. */
  waitForMail(
    to: string,
    where?: (mail: ReceivedMail) => boolean,
    count?: number,
    timeoutMs?: number,
  ): Promise<ReceivedMail[]>;
  dispose(): Promise<void>;
}

const require = createRequire(import.meta.url);
export const MAILDEV_BIN = join(dirname(require.resolve("maildev/package.json")), "bin/maildev");

export async function startMaildev(): Promise<TestMaildev> {
  // A port found free can be taken before maildev binds it (tests run side by side): maildev then exits,
  // and starts again on two other ports.
  for (let attempt = 1; ; attempt++) {
    const started = await spawnMaildev();
    if (started) return started;
    if (attempt === 3) throw new Error("maildev exited at start three times (ports taken?)");
  }
}

/** maildev on two free ports, once it answers; null when it exited first. */
async function spawnMaildev(): Promise<TestMaildev | null> {
  const smtpPort = await freePort();
  let webPort = await freePort();
  while (webPort === smtpPort) webPort = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [MAILDEV_BIN, "--smtp", String(smtpPort), "--web", String(webPort), "--ip", "127.0.0.1", "--silent"],
    { stdio: "ignore" },
  );
  const webUrl = `http://127.0.0.1:${webPort}`;
  await waitFor(
    "maildev to answer",
    () =>
      child.exitCode !== null ||
      fetch(`${webUrl}/email`).then(
        (response) => response.ok,
        () => false,
      ),
    20_000,
  );
  if (child.exitCode !== null) return null;
  const messages = async (to?: string) => {
    const all = (await (await fetch(`${webUrl}/email`)).json()) as ReceivedMail[];
    return to ? all.filter((mail) => mail.to.some((r) => r.address.toLowerCase() === to.toLowerCase())) : all;
  };
  return {
    smtpPort,
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    webUrl,
    messages,
    async waitForMail(to, where = () => true, count = 1, timeoutMs = 15_000) {
      return waitFor(
        `${count} mail(s) to ${to}`,
        async () => {
          const found = (await messages(to)).filter(where);
          return found.length >= count && found;
        },
        timeoutMs,
      );
    },
    async dispose() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
  };
}
