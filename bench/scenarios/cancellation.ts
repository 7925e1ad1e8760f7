// `pnpm bench cancellation`: cancelling an event with many paid orders (docs/organizers.md): how fast the
// durable refund job refunds them through the payment provider, and that it refunds each exactly once.

import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { httpRequest, parseGraphQL, postGraphQL } from "../lib/http.js";
import { integer, table } from "../lib/report.js";
import { openBench, withApi } from "../lib/scenario.js";

const FULL = { orders: 10_000 };
const QUICK = { orders: 500 };
const DRAIN_TIMEOUT_MS = 600_000;
const ORGANIZER = { email: "organizer@frontrow.test", password: "organizer-password" };

export const usage = `Usage: pnpm bench cancellation [--quick] [--orders N]

Takes a seeded stadium event, sells ${integer(FULL.orders)} of its seats (--quick ${QUICK.orders}; --orders N) as paid
one-ticket orders written straight into the bench database (captured in the fake gateway's ledger), then
starts the built API, cancels the event as its organizer (cancelEvent) and polls eventCancellation until
the refund job has refunded every order. Prints orders refunded per second and checks that the gateway
refunded each order exactly once. The event is cancelled for good: the next run takes another one.`;

interface Progress {
  totalOrders: number;
  refundedOrders: number;
  finishedAt: string | null;
}

export async function run(args: string[]): Promise<number> {
  const quick = args.includes("--quick");
  const ordersFlag = args.indexOf("--orders");
  const orders = ordersFlag >= 0 ? Number(args[ordersFlag + 1]) : quick ? QUICK.orders : FULL.orders;
  if (!Number.isInteger(orders) || orders < 1) throw new Error("--orders takes a positive whole number");
  const bench = await openBench("cancellation", "Cancelling an event with many orders", quick);
  try {
    const [event] = (
      await bench.db.query<{ id: number }>(
        `SELECT e.id FROM event e
         WHERE e.status = 'ON_SALE' AND e.starts_at > now()
           AND (SELECT count(*) FROM event_seat es WHERE es.event_id = e.id AND es.status = 'AVAILABLE') >= $1
         ORDER BY e.id LIMIT 1`,
        [orders],
      )
    ).rows;
    if (!event) throw new Error(`no event on sale with ${orders} free seats is left in the bench database`);
    process.stdout.write(`Selling ${integer(orders)} seats of event ${event.id}… `);
    const setupStarted = performance.now();
    await sellSeats(bench.db, event.id, orders);
    console.log(`done in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

    return await withApi(bench, {}, async ({ api }) => {
      const cookie = await logIn(api.graphqlUrl);
      const call = async <T>(query: string, variables: Record<string, unknown>) =>
        parseGraphQL<T>(
          await httpRequest(api.graphqlUrl, {
            method: "POST",
            headers: { "content-type": "application/json", cookie },
            body: JSON.stringify({ query, variables }),
          }),
        );
      const started = performance.now();
      await call('mutation ($id: ID!) { cancelEvent(eventId: $id, reason: "bench") { totalOrders } }', {
        id: String(event.id),
      });
      const cancelMs = performance.now() - started;
      let progress: Progress | undefined;
      const deadline = Date.now() + DRAIN_TIMEOUT_MS;
      while (Date.now() < deadline) {
        progress = (
          await call<{ eventCancellation: Progress }>(
            "query ($id: ID!) { eventCancellation(eventId: $id) { totalOrders refundedOrders finishedAt } }",
            { id: String(event.id) },
          )
        ).eventCancellation;
        if (progress.finishedAt) break;
        await sleep(200);
      }
      const seconds = (performance.now() - started) / 1000;
      const [ledger] = (
        await bench.db.query<{ refunds: number; orders: number; twice: number }>(
          `SELECT count(*)::int AS refunds, count(DISTINCT r.reference)::int AS orders,
                  (SELECT count(*)::int FROM (SELECT reference FROM fake_gateway_refund r2
                     JOIN "order" o2 ON o2.id::text = r2.reference WHERE o2.event_id = $1
                     GROUP BY reference HAVING count(*) > 1) t) AS twice
           FROM fake_gateway_refund r JOIN "order" o ON o.id::text = r.reference WHERE o.event_id = $1`,
          [event.id],
        )
      ).rows;
      const refunded = progress?.refundedOrders ?? 0;
      console.log(
        table(
          [
            "orders",
            "cancelEvent",
            "all refunded in",
            "orders refunded/s",
            "provider refunds",
            "twice",
            "missed",
          ],
          [
            [
              integer(orders),
              `${cancelMs.toFixed(0)} ms`,
              progress?.finishedAt ? `${seconds.toFixed(1)} s` : "not finished",
              integer(refunded / seconds),
              integer(ledger?.refunds ?? 0),
              integer(ledger?.twice ?? 0),
              integer(orders - (ledger?.orders ?? 0)),
            ],
          ],
        ),
      );
      const ok = Boolean(progress?.finishedAt) && ledger?.twice === 0 && ledger?.orders === orders;
      console.log(`Every order refunded exactly once: ${ok ? "yes" : "NO"}`);
      return ok ? 0 : 1;
    });
  } finally {
    await bench.close();
  }
}

/** Paid one-seat orders of one fan for `count` free seats of the event, as checkout leaves them. */
async function sellSeats(db: Awaited<ReturnType<typeof openBench>>["db"], eventId: number, count: number) {
  await db.query(
    `WITH fan AS (SELECT id FROM user_account WHERE role = 'FAN' ORDER BY created_at LIMIT 1),
     seats AS (
       SELECT es.seat_id, pt.price_minor, gen_random_uuid() AS hold_id, gen_random_uuid() AS order_id
       FROM event_seat es JOIN price_tier pt ON pt.id = es.price_tier_id
       WHERE es.event_id = $1 AND es.status = 'AVAILABLE'
       ORDER BY es.seat_id LIMIT $2
     ), holds AS (
       INSERT INTO hold (id, user_id, event_id, state, seat_ids, seat_prices, total_minor, currency, expires_at, ended_at)
       SELECT s.hold_id, fan.id, $1, 'CONVERTED', ARRAY[s.seat_id], ARRAY[s.price_minor], s.price_minor, 'EUR', now(), now()
       FROM seats s, fan
     ), orders AS (
       INSERT INTO "order" (id, user_id, event_id, hold_id, status, payment_state, subtotal_minor, fees_minor,
                            total_minor, currency, idempotency_key, request_hash, updated_at)
       SELECT s.order_id, fan.id, $1, s.hold_id, 'CONFIRMED', 'CAPTURED', s.price_minor, 0, s.price_minor, 'EUR',
              'bench-' || s.order_id, 'bench', now()
       FROM seats s, fan
     ), sold AS (
       UPDATE event_seat es SET status = 'SOLD', order_id = s.order_id, hold_id = s.hold_id, version = es.version + 1
       FROM seats s WHERE es.event_id = $1 AND es.seat_id = s.seat_id
     ), tickets AS (
       INSERT INTO ticket (id, order_id, event_id, seat_id, price_minor, secret)
       SELECT gen_random_uuid(), s.order_id, $1, s.seat_id, s.price_minor,
              decode(md5(random()::text) || md5(random()::text), 'hex') FROM seats s
     )
     INSERT INTO fake_gateway_charge (reference, token, amount_minor, currency, state)
     SELECT s.order_id::text, 'tok_visa', s.price_minor, 'EUR', 'CAPTURED' FROM seats s`,
    [eventId, count],
  );
  // The demo organizer organizes it (cancelEvent is theirs to call).
  await db.query(
    "UPDATE event SET organizer_id = (SELECT id FROM user_account WHERE email = $2) WHERE id = $1",
    [eventId, ORGANIZER.email],
  );
}

async function logIn(url: URL): Promise<string> {
  const response = await postGraphQL(url, {
    query: "mutation ($e: String!, $p: String!) { logIn(email: $e, password: $p) { id } }",
    variables: { e: ORGANIZER.email, p: ORGANIZER.password },
  });
  parseGraphQL(response);
  const cookies = response.headers["set-cookie"] ?? [];
  const session = cookies.find((value) => value.startsWith("frontrow_session="));
  if (!session) throw new Error("the organizer's log-in set no session cookie");
  return session.split(";")[0] as string;
}
