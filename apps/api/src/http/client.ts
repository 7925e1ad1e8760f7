import type { IncomingMessage } from "node:http";
import type { SessionMeta } from "../kernel/viewer.js";

/** Who is calling, as far as the network tells: the proxy's X-Forwarded-For only when it is trusted. */
export function clientOf(req: IncomingMessage, trustProxy: boolean): SessionMeta {
  const forwarded = trustProxy ? req.headers["x-forwarded-for"] : undefined;
  const ip =
    (typeof forwarded === "string" ? forwarded.split(",")[0]?.trim() : undefined) ?? req.socket.remoteAddress;
  const userAgent = req.headers["user-agent"];
  return { ip, userAgent };
}
