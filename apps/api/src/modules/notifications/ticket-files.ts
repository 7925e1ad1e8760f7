import type { IncomingMessage, ServerResponse } from "node:http";
import type { Services } from "../../graphql/context.js";
import { sessionTokenFrom } from "../../http/session-cookie.js";
import { type HttpRoute, sendGraphQLError } from "../../http/util.js";
import { AppError, ErrorCode } from "../../kernel/errors.js";
import type { Viewer } from "../../kernel/viewer.js";
import { TICKET_FILE_PATHS, type TicketDeliveryService } from "./ticket-delivery.service.js";

// The downloads of printed tickets: GET with the fan's session cookie (the same HttpOnly, SameSite=Lax
// cookie as /graphql), never a bearer link: the files carry entry credentials, and a URL that works
// without the session would admit whoever finds it in a history, a log or a forwarded email. Errors
// answer in GraphQL's shape, with the same codes as the API.

const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.STATIC_CODES_DISABLED]: 409,
  [ErrorCode.WALLET_NOT_CONFIGURED]: 501,
};

type Download = (viewer: Viewer, url: URL) => Promise<(res: ServerResponse) => void>;

/** Wraps a download: GET only, the session's viewer, and AppErrors as JSON with their status. */
function route(auth: Services["auth"], download: Download): HttpRoute {
  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      sendGraphQLError(res, 405, ErrorCode.BAD_USER_INPUT, "Use GET");
      return;
    }
    try {
      const viewer = await auth.viewerFor(sessionTokenFrom(req));
      if (!viewer) throw new AppError(ErrorCode.UNAUTHENTICATED, "Sign in to download your tickets");
      (await download(viewer, url))(res);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const code = String(error.extensions.code);
      sendGraphQLError(res, STATUS[code] ?? 400, code, error.message, { ...error.extensions });
    }
  };
}

function sendFile(res: ServerResponse, type: string, fileName: string, body: Buffer) {
  res.writeHead(200, {
    "content-type": type,
    "content-length": body.length,
    "content-disposition": `attachment; filename="${fileName}"`,
    "cache-control": "private, no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(body);
}

const param = (url: URL, name: string) => url.searchParams.get(name) ?? "";

export function ticketFileRoutes(
  auth: Services["auth"],
  delivery: TicketDeliveryService,
): Record<string, HttpRoute> {
  return {
    [TICKET_FILE_PATHS.pdf]: route(auth, async (viewer, url) => {
      const pdf = await delivery.orderPdf(viewer, param(url, "orderId"));
      return (res) => sendFile(res, "application/pdf", "tickets.pdf", pdf);
    }),
    [TICKET_FILE_PATHS.appleWallet]: route(auth, async (viewer, url) => {
      const pass = await delivery.applePass(viewer, param(url, "orderId"), param(url, "ticketId"));
      return (res) => sendFile(res, "application/vnd.apple.pkpass", "ticket.pkpass", pass);
    }),
    [TICKET_FILE_PATHS.googleWallet]: route(auth, async (viewer, url) => {
      const location = await delivery.googleSaveUrl(viewer, param(url, "orderId"), param(url, "ticketId"));
      return (res) => {
        res.writeHead(303, { location, "cache-control": "private, no-store" });
        res.end();
      };
    }),
  };
}
