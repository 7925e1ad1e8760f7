import type { IncomingMessage, ServerResponse } from "node:http";
import type { Services } from "../../graphql/context.js";
import { sessionTokenFrom } from "../../http/session-cookie.js";
import { BodyTooLargeError, readBodyBytes, sendGraphQLError, sendJson } from "../../http/util.js";
import type { Logger } from "../../infra/logger.js";
import { AppError, ErrorCode } from "../../kernel/errors.js";
import { parseIntId } from "../../kernel/ids.js";
import type { Viewer } from "../../kernel/viewer.js";
import { requireKeyScope } from "../admin/api-keys.service.js";
import type { ModuleRoute } from "../module.js";
import { savedOf } from "./chart-answers.js";
import type { ChartFormat } from "./chart-check.js";

// The chart upload (docs/venues.md, "Uploading a chart"): POST /imports/seating-chart?venueId=<id>&name=<chart>
// with the chart as the body (Content-Type application/json or text/csv), for charts larger than one
// GraphQL request may carry (256 KB: ~8,000 seats of CSV). The same caller, rules, checks and answer as
// importSeatingChart: the session cookie or an API key (whose scopes must allow importSeatingChart), the
// venue's organizer or an admin, every problem with its line, nothing half-written.

export const CHART_UPLOAD_PATH = "/imports/seating-chart";
/**
 * A 60,000-seat chart is ~3 MB of CSV, ~4 MB of the JSON exportSeatingChart writes for rows, and ~11 MB
 * of pretty-printed JSON with one object per seat (a CSV import exported as JSON): 16 MiB holds each.
 */
export const CHART_UPLOAD_MAX_BYTES = 16 * 1024 * 1024;
/** The GraphQL field the route stands for (API-key scopes, audit): the same mutation, another transport. */
const FIELD = "Mutation.importSeatingChart";

const FORMATS: Record<string, ChartFormat> = { "application/json": "JSON", "text/csv": "CSV" };

const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: 415,
};

const tooLarge = () =>
  new AppError(
    ErrorCode.PAYLOAD_TOO_LARGE,
    `A chart upload is at most ${CHART_UPLOAD_MAX_BYTES / 1024 / 1024} MiB (about 60,000 seats of any format)`,
    { limitBytes: CHART_UPLOAD_MAX_BYTES },
  );

export interface ChartUploadDependencies {
  services: Pick<Services, "auth" | "apiKeys" | "requestBudget" | "venues">;
  clientIp(req: IncomingMessage): string | undefined;
  log: Logger;
}

export function chartUploadRoute({ services, clientIp, log }: ChartUploadDependencies): ModuleRoute {
  /** Who calls, as for /graphql: an API key acts as its owner whatever cookie it carries. */
  async function callerOf(req: IncomingMessage): Promise<Viewer> {
    const key = await services.apiKeys.authenticate(req.headers.authorization);
    if (key) {
      requireKeyScope(key.key, FIELD);
      return key.viewer;
    }
    const viewer = await services.auth.viewerFor(sessionTokenFrom(req));
    if (!viewer) throw new AppError(ErrorCode.UNAUTHENTICATED, "Sign in to import a seating chart");
    return viewer;
  }

  async function upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") {
      res.setHeader("allow", "POST, OPTIONS");
      throw new AppError(ErrorCode.BAD_USER_INPUT, "Upload a chart with POST", { field: "method" });
    }
    const admitted = services.requestBudget.take({ sessionToken: sessionTokenFrom(req), ip: clientIp(req) });
    if (admitted.retryAfterSeconds !== null) {
      res.setHeader("retry-after", String(admitted.retryAfterSeconds));
      throw new AppError(ErrorCode.RATE_LIMITED, "Too many requests: wait before sending more", {
        retryAfterSeconds: admitted.retryAfterSeconds,
      });
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const venueId = parseIntId(url.searchParams.get("venueId") ?? "", "venueId");
    // Only a type a cross-site form cannot send: a browser preflights these (the CSRF rule of /graphql).
    const mediaType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    const format = FORMATS[mediaType];
    if (!format) {
      throw new AppError(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        "Send the chart as Content-Type application/json (the chart shape) or text/csv (section,row,number,x,y,flags)",
        { field: "content-type" },
      );
    }
    if (Number(req.headers["content-length"] ?? 0) > CHART_UPLOAD_MAX_BYTES) throw tooLarge();
    const viewer = await callerOf(req);
    let body: Buffer;
    try {
      body = await readBodyBytes(req, CHART_UPLOAD_MAX_BYTES);
    } catch (error) {
      throw error instanceof BodyTooLargeError ? tooLarge() : error;
    }
    // The bytes go to the chart worker as they are (decoded there, off the event loop).
    const saved = await services.venues.importChart(
      viewer,
      venueId,
      format,
      body,
      url.searchParams.get("name"),
    );
    log.info(
      { venueId, chartId: saved.chart.id, seats: saved.chart.seats, bytes: body.length },
      "chart upload",
    );
    sendJson(res, 200, savedOf(saved));
  }

  return async (req, res) => {
    try {
      await upload(req, res);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const code = String(error.extensions.code);
      // Refused before the body was read: drop what is still coming, then close (it may be large).
      if (!req.readableEnded) {
        res.setHeader("connection", "close");
        req.resume();
      }
      sendGraphQLError(res, STATUS[code] ?? 400, code, error.message, { ...error.extensions });
    }
  };
}
