import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { sessionTokenFrom } from "../../http/session-cookie.js";
import { sendGraphQLError } from "../../http/util.js";
import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import type { SqlPool } from "../../infra/sql.js";
import { AppError, ErrorCode } from "../../kernel/errors.js";
import { parseIntId } from "../../kernel/ids.js";
import type { Viewer } from "../../kernel/viewer.js";
import { requireEventManager } from "../events/event-access.js";
import { type AttendeeRow, forEachAttendeeBatch } from "./sales-store.js";

// The attendee export (docs/sales.md): GET /exports/attendees.csv?eventId=<id> with the organizer's
// session cookie. Every ticket of the event with its order, seat and buyer, streamed as CSV: rows come
// from a server-side cursor a batch at a time, each batch is one chunk, and the next batch is read only
// once the socket took the last one, so memory stays flat for 50,000 tickets and a slow download holds
// the query back instead of piling rows up.

export const ATTENDEE_EXPORT_PATH = "/exports/attendees.csv";
const BATCH = 1_000;
/**
 * How long a download may take nothing before it is cut off: it holds a Postgres connection and a
 * snapshot meanwhile. A slow phone still gets the whole file; a client that stopped reading does not.
 */
const EXPORT_STALL_MS = 30_000;
/** Writing a batch into the socket's buffer is immediate: the stall limit is the reader's whole time. */
const MAX_READER_MS = EXPORT_STALL_MS + 5_000;

const HEADER = [
  "order_id",
  "order_status",
  "ordered_at",
  "buyer_email",
  "buyer_name",
  "ticket_id",
  "ticket_status",
  "checked_in_at",
  "section",
  "row",
  "seat",
  "price_minor",
  "currency",
] as const satisfies readonly (keyof AttendeeRow)[];

/** One CSV field: quoted when needed; text a spreadsheet would run as a formula is defused with a quote. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Waits until the socket takes more (or closes), leaving no listener behind; throws after a stall. */
async function drained(res: ServerResponse): Promise<void> {
  const done = new AbortController();
  try {
    await Promise.race([
      once(res, "drain", { signal: done.signal }),
      once(res, "close", { signal: done.signal }),
      sleep(EXPORT_STALL_MS, undefined, { signal: done.signal }).then(() => {
        throw new Error(`the client took nothing for ${EXPORT_STALL_MS / 1000} s`);
      }),
    ]);
  } finally {
    done.abort();
  }
}

const csvLine = (fields: readonly unknown[]) => `${fields.map(csvField).join(",")}\r\n`;

export interface AttendeeExportDependencies {
  db: Db;
  pool: SqlPool;
  log: Logger;
  viewerFor(token: string | undefined): Promise<Viewer | null>;
}

const STATUS_OF: Partial<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BAD_USER_INPUT]: 400,
};

export function attendeeExportRoute({ db, pool, log, viewerFor }: AttendeeExportDependencies) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let eventId: number;
    try {
      if (req.method !== "GET") throw new AppError(ErrorCode.BAD_USER_INPUT, "Use GET", { field: "method" });
      const url = new URL(req.url ?? "/", "http://localhost");
      eventId = parseIntId(url.searchParams.get("eventId") ?? "", "eventId");
      const viewer = await viewerFor(sessionTokenFrom(req));
      if (!viewer) throw new AppError(ErrorCode.UNAUTHENTICATED, "Sign in to export attendees");
      await requireEventManager(db, viewer, eventId);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const code = String(error.extensions.code);
      sendGraphQLError(res, STATUS_OF[code] ?? 400, code, error.message, { ...error.extensions });
      return;
    }
    res.writeHead(200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="event-${eventId}-attendees.csv"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
    res.write(`\uFEFF${csvLine(HEADER)}`);
    try {
      const rows = await forEachAttendeeBatch(
        pool,
        eventId,
        { batch: BATCH, maxReaderMs: MAX_READER_MS },
        async (batch) => {
          if (res.destroyed) throw new Error("the client went away");
          const chunk = batch.map((row) => csvLine(HEADER.map((field) => row[field]))).join("");
          if (!res.write(chunk)) await drained(res);
        },
      );
      res.end();
      log.info({ eventId, rows }, "attendee export");
    } catch (error) {
      log.warn({ err: error, eventId }, "attendee export stopped");
      res.destroy();
    }
  };
}
