// `pnpm bench webhooks`: how far behind the sale webhook deliveries run (docs/partners.md).

import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { latencyHistogram, percentilesMs, recordMs } from "../lib/latency.js";
import { milliseconds, table } from "../lib/report.js";
import { openBench, withApi } from "../lib/scenario.js";

const FULL = { rate: 500, seconds: 20 };
const QUICK = { rate: 100, seconds: 5 };
const ENDPOINTS = 10;
/** The target (issue 19): every order.confirmed reaches a local receiver within 5 s, p99. */
const TARGET_P99_MS = 5_000;
const DRAIN_TIMEOUT_MS = 120_000;
const TOPIC = "order.confirmed";

export const usage = `Usage: pnpm bench webhooks [--quick]

Starts the built API on the bench database with ${ENDPOINTS} webhook endpoints (an admin's, for every event)
pointing at a receiver in this process, then writes order.confirmed outbox events at a fixed rate, as
checkouts do (${FULL.rate}/s for ${FULL.seconds} s; --quick ${QUICK.rate}/s for ${QUICK.seconds} s), and waits until every
event has reached every endpoint. Prints how long each took from its outbox row to its arrival (p50, p99,
max), deliveries lost (must be 0) and duplicates. Target: p99 < ${TARGET_P99_MS / 1000} s. The endpoints, deliveries and
events are deleted at the end. Checkout's own latency with endpoints registered: pnpm bench checkout
(deliveries are jobs outside the checkout's transaction; only Postgres is shared).`;

export async function run(args: string[]): Promise<number> {
  const quick = args.includes("--quick");
  const { rate, seconds } = quick ? QUICK : FULL;
  const bench = await openBench("webhooks", "Webhook delivery latency", quick);
  const arrivals = new Map<string, number>();
  let duplicates = 0;
  const receiver = createServer((req, res) => {
    const id = `${req.url}:${req.headers["webhook-id"]}`;
    req.resume();
    req.on("end", () => {
      if (arrivals.has(id)) duplicates++;
      else arrivals.set(id, Date.now());
      res.writeHead(204).end();
    });
  });
  receiver.listen(0, "127.0.0.1");
  await once(receiver, "listening");
  const port = (receiver.address() as AddressInfo).port;
  const marker = randomUUID();
  try {
    const [admin] = (
      await bench.db.query<{ id: string }>("SELECT id FROM user_account WHERE role = 'ADMIN' LIMIT 1")
    ).rows;
    const [event] = (await bench.db.query<{ id: number }>("SELECT id FROM event ORDER BY id LIMIT 1")).rows;
    if (!admin || !event) throw new Error("the bench database has no admin account or no event");
    const endpointIds: string[] = Array.from({ length: ENDPOINTS }, () => randomUUID());
    for (const [index, id] of endpointIds.entries()) {
      await bench.db.query(
        `INSERT INTO webhook_endpoint (id, owner_id, url, event_types, secret)
         VALUES ($1, $2, $3, ARRAY[$4], $5)`,
        [id, admin.id, `http://127.0.0.1:${port}/e${index}`, TOPIC, "whsec_YmVuY2gtc2VjcmV0"],
      );
    }
    return await withApi(bench, { env: { WEBHOOK_ALLOW_PRIVATE_URLS: "true" } }, async () => {
      const written = new Map<string, number>();
      const started = performance.now();
      const total = rate * seconds;
      for (let sent = 0; sent < total; ) {
        // Open loop: as many events as the schedule says are due, in one statement per tick.
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate)) - sent;
        if (due > 0) {
          const orders = Array.from({ length: due }, () => randomUUID());
          const { rows } = await bench.db.query<{ id: string; at: Date }>(
            `INSERT INTO outbox_event (topic, payload)
             SELECT $1, jsonb_build_object('orderId', o, 'eventId', $2::int, 'bench', $3::text)
             FROM unnest($4::uuid[]) AS o
             RETURNING id::text, created_at AS at`,
            [TOPIC, event.id, marker, orders],
          );
          for (const row of rows) written.set(row.id, row.at.getTime());
          sent += due;
        }
        await sleep(5);
      }
      // Deliveries carry their own id; map each back to its outbox event through the database.
      const expected = total * ENDPOINTS;
      const deadline = Date.now() + DRAIN_TIMEOUT_MS;
      while (arrivals.size < expected && Date.now() < deadline) await sleep(200);
      const { rows } = await bench.db.query<{ delivery: string; outbox: string; endpoint: string }>(
        `SELECT d.id AS delivery, d.outbox_event_id::text AS outbox, d.endpoint_id AS endpoint
         FROM webhook_delivery d WHERE d.endpoint_id = ANY($1::uuid[])`,
        [endpointIds],
      );
      const histogram = latencyHistogram();
      for (const row of rows) {
        const arrived = arrivals.get(`/e${endpointIds.indexOf(row.endpoint)}:${row.delivery}`);
        const writtenAt = written.get(row.outbox);
        if (arrived !== undefined && writtenAt !== undefined) recordMs(histogram, arrived - writtenAt);
      }
      const figures = percentilesMs(histogram);
      const lost = expected - figures.count;
      console.log(
        table(
          ["step", "events", "deliveries", "p50", "p99", "max", "lost", "duplicates"],
          [
            [
              `${rate}/s × ${seconds} s, ${ENDPOINTS} endpoints`,
              String(total),
              String(figures.count),
              milliseconds(figures.p50),
              milliseconds(figures.p99),
              milliseconds(figures.max),
              String(lost),
              String(duplicates),
            ],
          ],
        ),
      );
      const met = lost === 0 && figures.p99 < TARGET_P99_MS;
      console.log(`Target: none lost and p99 < ${TARGET_P99_MS / 1000} s: ${met ? "met" : "MISSED"}`);
      return met || quick ? 0 : 1;
    });
  } finally {
    await bench.db.query("DELETE FROM webhook_endpoint WHERE url LIKE $1", [`http://127.0.0.1:${port}/e%`]);
    await bench.db.query("DELETE FROM outbox_event WHERE payload->>'bench' = $1", [marker]);
    receiver.close();
    await bench.close();
  }
}
