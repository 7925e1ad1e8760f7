import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { type Histogram, latencyHistogram, recordMs } from "./latency.js";
import type { PgClient } from "./pg.js";

// A partner's server in the bench process (on a thread of its own), and webhook endpoints pointing at it (pnpm bench webhooks,
// pnpm bench checkout's step with endpoints registered).

export interface WebhookReceiver {
  /** When each delivery arrived, by `<endpoint path>:<webhook-id>`. */
  arrivals: Map<string, number>;
  /** Requests for a delivery that had already arrived. */
  duplicates(): number;
  /**
   * Registers `count` endpoints of the bench database's admin (every event) for `topic`, at this
   * receiver. The API must run with WEBHOOK_ALLOW_PRIVATE_URLS=true.
   */
  register(db: PgClient, count: number, topic: string): Promise<string[]>;
  /**
   * Delivery latencies of the endpoints' deliveries that arrived: from `since(outboxEventId)` (ms since
   * the epoch; by default the outbox row's created_at) to arrival; of these, from the outbox row to its
   * relay (`relay`) and to its delivery rows (the relay and the fan-out: `fanOut`). Also the number that
   * did not arrive.
   */
  latencies(
    db: PgClient,
    endpointIds: string[],
    since?: (outboxEventId: string) => number | undefined,
  ): Promise<{ histogram: Histogram; relay: Histogram; fanOut: Histogram; missing: number }>;
  /** Deletes the endpoints it registered (and so their deliveries), and stops. */
  close(db: PgClient): Promise<void>;
}

// The receiving server runs on a thread of its own: on the load generator's event loop, its thousands
// of requests a second would delay the generator's own sends and its clock, and show up as API latency.
// The thread reports arrivals in batches (every FLUSH_MS, and when asked).
const FLUSH_MS = 100;
const RECEIVER_THREAD = `
  const { createServer } = require("node:http");
  const { parentPort } = require("node:worker_threads");
  const seen = new Set();
  let batch = [];
  let duplicates = 0;
  const flush = (asked) => {
    parentPort.postMessage({ arrivals: batch, duplicates, asked });
    batch = [];
  };
  const server = createServer((req, res) => {
    const id = req.url + ":" + req.headers["webhook-id"];
    req.resume();
    req.on("end", () => {
      if (seen.has(id)) duplicates++;
      else {
        seen.add(id);
        batch.push([id, Date.now()]);
      }
      res.writeHead(204).end();
    });
  });
  const timer = setInterval(() => flush(false), ${FLUSH_MS});
  parentPort.on("message", (message) => {
    if (message === "flush") return flush(true);
    clearInterval(timer);
    server.closeAllConnections();
    server.close(() => parentPort.close());
  });
  server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }));
`;

interface ReceiverMessage {
  port?: number;
  arrivals?: [string, number][];
  duplicates?: number;
  /** The answer to a "flush": every arrival until then has been reported. */
  asked?: boolean;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const arrivals = new Map<string, number>();
  let duplicates = 0;
  const thread = new Worker(RECEIVER_THREAD, { eval: true });
  const flushed: (() => void)[] = [];
  thread.on("message", (message: ReceiverMessage) => {
    for (const [id, at] of message.arrivals ?? []) arrivals.set(id, at);
    if (message.duplicates !== undefined) duplicates = message.duplicates;
    if (message.asked) flushed.shift()?.();
  });
  const [{ port }] = (await once(thread, "message")) as [Required<Pick<ReceiverMessage, "port">>];
  /** Every arrival the thread has seen so far, in `arrivals`. */
  const flush = () =>
    new Promise<void>((resolve) => {
      flushed.push(resolve);
      thread.postMessage("flush");
    });
  const base = `http://127.0.0.1:${port}`;
  const paths = new Map<string, string>();
  return {
    arrivals,
    duplicates: () => duplicates,
    async register(db, count, topic) {
      const [admin] = (
        await db.query<{ id: string }>("SELECT id FROM user_account WHERE role = 'ADMIN' LIMIT 1")
      ).rows;
      if (!admin) throw new Error("the bench database has no admin account");
      const ids: string[] = [];
      for (let index = 0; index < count; index++) {
        const id = randomUUID();
        const path = `/e${paths.size}`;
        await db.query(
          `INSERT INTO webhook_endpoint (id, owner_id, url, event_types, secret)
           VALUES ($1, $2, $3, ARRAY[$4], $5)`,
          [id, admin.id, `${base}${path}`, topic, "whsec_YmVuY2gtc2VjcmV0"],
        );
        paths.set(id, path);
        ids.push(id);
      }
      return ids;
    },
    async latencies(db, endpointIds, since) {
      await flush();
      const { rows } = await db.query<{
        delivery: string;
        outbox: string;
        endpoint: string;
        at: Date;
        relayed: Date;
        fannedOut: Date;
      }>(
        `SELECT d.id AS delivery, d.outbox_event_id::text AS outbox, d.endpoint_id AS endpoint, o.created_at AS at,
                o.delivered_at AS relayed, d.created_at AS "fannedOut"
         FROM webhook_delivery d JOIN outbox_event o ON o.id = d.outbox_event_id
         WHERE d.endpoint_id = ANY($1::uuid[])`,
        [endpointIds],
      );
      const histogram = latencyHistogram();
      const fanOut = latencyHistogram();
      const relay = latencyHistogram();
      let missing = 0;
      for (const row of rows) {
        const arrived = arrivals.get(`${paths.get(row.endpoint)}:${row.delivery}`);
        const from = since ? since(row.outbox) : row.at.getTime();
        if (arrived === undefined || from === undefined) missing++;
        else recordMs(histogram, arrived - from);
        recordMs(relay, row.relayed.getTime() - row.at.getTime());
        recordMs(fanOut, row.fannedOut.getTime() - row.at.getTime());
      }
      return { histogram, relay, fanOut, missing };
    },
    async close(db) {
      await db.query("DELETE FROM webhook_endpoint WHERE id = ANY($1::uuid[])", [[...paths.keys()]]);
      thread.postMessage("close");
      await once(thread, "exit");
    },
  };
}
