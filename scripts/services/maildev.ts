// Mail, real: maildev (npm) catches every mail the API sends over SMTP and shows it in a web inbox
// (also a REST API: GET /email). Started when SMTP_URL is unset, so password resets and order
// confirmations of a local run can be read; its mails are kept in the state folder between runs.
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type EmbeddedService, freePort, type ServiceContext } from "./service.js";

const require = createRequire(import.meta.url);

export async function startEmbeddedMaildev({ state, children }: ServiceContext): Promise<EmbeddedService> {
  const packageDir = dirname(require.resolve("maildev/package.json"));
  const { version } = require("maildev/package.json") as { version: string };
  const dir = join(state.dir, "maildev");
  mkdirSync(dir, { recursive: true });
  const [smtpPort, webPort] = [await freePort(), await freePort()];
  const child = children.spawn(
    "maildev",
    process.execPath,
    [
      join(packageDir, "bin/maildev"),
      ["--smtp", String(smtpPort)],
      ["--web", String(webPort)],
      ["--ip", "127.0.0.1"],
      ["--mail-directory", dir],
    ].flat(),
  );
  const inbox = `http://localhost:${webPort}`;
  await child.waitUntil(
    "answering",
    async () => (await fetch(`http://127.0.0.1:${webPort}/email`, { signal: AbortSignal.timeout(2_000) })).ok,
    30_000,
  );
  return {
    url: `smtp://127.0.0.1:${smtpPort}`,
    description: `maildev ${version} on 127.0.0.1:${smtpPort} (SMTP), inbox ${inbox}, mails in ${state.shown}maildev`,
    link: { label: "mail inbox (maildev)", url: inbox },
  };
}
