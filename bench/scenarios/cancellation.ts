// `pnpm bench cancellation`: cancelling an event with many paid orders (docs/organizers.md): how fast the
// durable refund job refunds them through the payment provider, and that it refunds each exactly once.

import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { SetupError } from "../lib/api-build.js";
import { seededEvents } from "../lib/api-modules.js";
import type { RunningApi } from "../lib/api-process.js";
import { logIn } from "../lib/fans.js";
import { queryGraphQL } from "../lib/http.js";
import type { Meter } from "../lib/meter.js";
import { integerOption, loadOptionsUsage, parseOptions } from "../lib/options.js";
import { type Reference, typenameReference } from "../lib/reference.js";
import { integer } from "../lib/report.js";
import { type Bench, openBench, withApi } from "../lib/scenario.js";
import { runSteps, type Step, type StepRun, stepsVerdict } from "../lib/steps.js";
import { finish } from "../lib/verdict.js";

const FULL = { orders: 10_000 };
const QUICK = { orders: 500 };
const DRAIN_TIMEOUT_MS = 600_000;
// The seeded admin may manage every event: the scenario copies, publishes and cancels as them.
const ADMIN = { email: "admin@frontrow.test", password: "admin-password" };

export const usage = `Usage: pnpm bench cancellation [--quick] [--orders N]

Starts the built API and, as the seeded admin, copies the seeded stadium event to a date two days ahead
(duplicateEvent) and publishes the copy (publishEvent). Sells ${integer(FULL.orders)} of the copy's seats (--quick ${QUICK.orders};
--orders N) as paid one-ticket orders written straight into the bench database (captured in the fake
gateway's ledger), then cancels the copy (cancelEvent) and polls eventCancellation until the refund job
has refunded every order. Prints orders refunded per second and checks that the gateway refunded each
order exactly once, with the CPU per refunded order by process, the API's event loop and the rate over
the run's { __typename } (measured first). The seeded events stay as they are, for the other scenarios;
each run leaves its cancelled copy behind.

${loadOptionsUsage}
  (the load options set the { __typename } reference's run)`;

interface Progress {
  totalOrders: number;
  refundedOrders: number;
  finishedAt: string | null;
}

interface CancellationContext {
  bench: Bench;
  api: RunningApi;
  meter: Meter;
  /** GraphQL calls as the seeded admin. */
  admin: AdminCall;
  eventId: number;
  orders: number;
}

/** cancelEvent, then the durable job refunds every order: polled through eventCancellation. */
const refundAll: Step<CancellationContext> = {
  name: "refund-every-order",
  header: [
    "step",
    "orders",
    "cancelEvent",
    "all refunded in",
    "orders refunded/s",
    "provider refunds",
    "twice",
    "missed",
  ],
  operation: "refunded order",
  async run({ bench, meter, admin: call, eventId, orders }) {
    const mark = await meter.start();
    const started = performance.now();
    await call('mutation ($id: ID!) { cancelEvent(eventId: $id, reason: "bench") { totalOrders } }', {
      id: String(eventId),
    });
    const cancelMs = performance.now() - started;
    let progress: Progress | undefined;
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (Date.now() < deadline) {
      progress = (
        await call<{ eventCancellation: Progress }>(
          "query ($id: ID!) { eventCancellation(eventId: $id) { totalOrders refundedOrders finishedAt } }",
          { id: String(eventId) },
        )
      ).eventCancellation;
      if (progress.finishedAt) break;
      await sleep(200);
    }
    const refunded = progress?.refundedOrders ?? 0;
    const cost = await meter.stop(mark, refunded);
    const seconds = (performance.now() - started) / 1000;
    const [ledger] = (
      await bench.db.query<{ refunds: number; orders: number; twice: number }>(
        `SELECT count(*)::int AS refunds, count(DISTINCT r.reference)::int AS orders,
                (SELECT count(*)::int FROM (SELECT reference FROM fake_gateway_refund r2
                   JOIN "order" o2 ON o2.id::text = r2.reference WHERE o2.event_id = $1
                   GROUP BY reference HAVING count(*) > 1) t) AS twice
         FROM fake_gateway_refund r JOIN "order" o ON o.id::text = r.reference WHERE o.event_id = $1`,
        [eventId],
      )
    ).rows;
    const finished = Boolean(progress?.finishedAt);
    const twice = ledger?.twice ?? 0;
    const missed = orders - (ledger?.orders ?? 0);
    return {
      cells: [
        this.name,
        integer(orders),
        `${cancelMs.toFixed(0)} ms`,
        finished ? `${seconds.toFixed(1)} s` : "not finished",
        integer(refunded / seconds),
        integer(ledger?.refunds ?? 0),
        integer(twice),
        integer(missed),
      ],
      cost,
      rate: refunded / seconds,
      targets: [
        {
          name: "every order refunded exactly once",
          goal: "the job finishes; the gateway refunded each order once",
          measured: `${finished ? "finished" : "not finished"}, ${integer(twice)} twice, ${integer(missed)} missed`,
          pass: finished && twice === 0 && missed === 0,
        },
      ],
      problems: [
        ...(finished ? [] : [`the refund job did not finish within ${DRAIN_TIMEOUT_MS / 1000} s`]),
        ...(twice ? [`${integer(twice)} orders refunded twice`] : []),
        ...(missed ? [`${integer(missed)} orders never refunded`] : []),
      ],
      figures: { orders, cancelMs, seconds, refunded, ledger },
    };
  },
};

/** Every step, in order; a team adding one appends it here. */
export const STEPS: Step<CancellationContext>[] = [refundAll];

export async function run(args: string[]): Promise<number> {
  const { settings, values } = parseOptions(args, { values: ["orders"] });
  const orders = integerOption("--orders", values.orders, settings.quick ? QUICK.orders : FULL.orders, {
    min: 1,
    max: 1_000_000,
  });
  const bench = await openBench("cancellation", "Cancelling an event with many orders", settings.quick);
  let runs: StepRun[] = [];
  let reference: Reference | undefined;
  try {
    await withApi(bench, {}, async ({ api, meter }) => {
      const setupStarted = performance.now();
      const admin = await logInAsAdmin(api);
      const eventId = await copyOfTheStadium(bench, admin);
      process.stdout.write(`Selling ${integer(orders)} seats of event ${eventId}, a copy of the stadium's… `);
      await sellSeats(bench.db, eventId, orders);
      console.log(`done in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);
      reference = (await typenameReference(api, settings, meter)).reference;
      runs = await runSteps(STEPS, { bench, api, meter, admin, eventId, orders }, reference);
    });
  } finally {
    await bench.close();
  }
  return finish({
    scenario: "cancellation",
    startedAt: bench.startedAt,
    quick: settings.quick,
    machine: bench.machine,
    references: reference ? [reference] : [],
    ...stepsVerdict(runs),
  });
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
}

/**
 * A new on-sale copy of the seeded stadium event, made through the API as an organizer would: the run
 * cancels it for good, so it must not be an event that other scenarios (holds, seatmap, fanout) use.
 */
async function copyOfTheStadium(bench: Bench, call: AdminCall): Promise<number> {
  const { slugs } = await seededEvents();
  const [stadium] = (
    await bench.db.query<{ id: number }>("SELECT id FROM event WHERE slug = $1", [slugs.stadiumOnSale])
  ).rows;
  if (!stadium) throw new SetupError(`The seed has no event "${slugs.stadiumOnSale}"`);
  // Two days ahead in any time zone; the copy's sale opens as long before it as the original's did.
  const date = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 16);
  const { duplicateEvent } = await call<{ duplicateEvent: { id: string }[] }>(
    "mutation ($id: ID!, $dates: [String!]!) { duplicateEvent(eventId: $id, dates: $dates) { id } }",
    { id: String(stadium.id), dates: [date] },
  );
  const copy = duplicateEvent[0]?.id;
  if (!copy) throw new Error("duplicateEvent returned no copy");
  await call("mutation ($id: ID!) { publishEvent(eventId: $id) { id } }", { id: copy });
  return Number(copy);
}

type AdminCall = <T>(query: string, variables: Record<string, unknown>) => Promise<T>;

/** Logs in as the seeded admin; the result calls the API with that session. */
async function logInAsAdmin(api: RunningApi): Promise<AdminCall> {
  const cookie = await logIn(api, ADMIN.email, ADMIN.password);
  return <T>(query: string, variables: Record<string, unknown>) =>
    queryGraphQL<T>(api.graphqlUrl, { query, variables }, cookie);
}
