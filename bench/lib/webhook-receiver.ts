import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Histogram, latencyHistogram, recordMs } from "./latency.js";
import type { PgClient } from "./pg.js";

// A partner's server in the bench process, and webhook endpoints pointing at it (pnpm bench webhooks,
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

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const arrivals = new Map<string, number>();
  let duplicates = 0;
  const server = createServer((req, res) => {
    const id = `${req.url}:${req.headers["webhook-id"]}`;
    req.resume();
    req.on("end", () => {
      if (arrivals.has(id)) duplicates++;
      else arrivals.set(id, Date.now());
      res.writeHead(204).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
      server.closeAllConnections();
      server.close();
    },
  };
}
