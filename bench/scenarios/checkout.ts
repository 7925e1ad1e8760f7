// `pnpm bench checkout`: fans hold seats, then pay for their holds at a fixed arrival rate.

import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { SetupError } from "../lib/api-build.js";
import { seededEvents } from "../lib/api-modules.js";
import type { RunningApi, WorkerUsage } from "../lib/api-process.js";
import { onShutdown } from "../lib/cleanup.js";
import { eventSeatIds, overrideEvent } from "../lib/event-settings.js";
import { deleteFans, domainEmails, type Fan, signedInCrowd } from "../lib/fans.js";
import { GraphQLClient } from "../lib/http.js";
import {
  describeViolations,
  holdInvariants,
  intact,
  orderInvariants,
  saleInvariants,
  type Violations,
} from "../lib/invariants.js";
import { latencyHistogram, type Percentiles, percentilesMs, recordMs } from "../lib/latency.js";
import { type BenchMaildev, startMaildev } from "../lib/maildev.js";
import { type Meter, type StepCost, serverAndPostgresMs } from "../lib/meter.js";
import { integerOption, loadOptionsUsage, parseRatedOptions } from "../lib/options.js";
import { type PgClient, vacuumAnalyze } from "../lib/pg.js";
import { withoutRateLimits } from "../lib/rate-limits.js";
import {
  type HttpAndPostgresReferences,
  measureHttpAndPostgresReferences,
  ratio,
  ratiosText,
  referenceOutcome,
  referenceTable,
} from "../lib/reference.js";
import {
  costCells,
  costHeader,
  costLegend,
  costLine,
  integer,
  milliseconds,
  perOperation,
  table,
} from "../lib/report.js";
import { type Bench, openBench, runPassword, withApi } from "../lib/scenario.js";
import { cpuTarget, finish, rateTarget, shareOf, type Target, withTargetRates } from "../lib/verdict.js";
import { startWebhookReceiver } from "../lib/webhook-receiver.js";

const FULL_RATES = [100, 250, 500];
const QUICK_RATES = [50];
const FULL_FANS = 200;
const QUICK_FANS = 20;
/** The targets (docs/benchmarks.md): checkouts/s at p99 < 200 ms ≥ 0.06 × { __typename } req/s… */
const TARGET_P99_MS = 200;
const TARGET_SHARE_OF_TYPENAME = 0.06;
/** …with ≤ 1.5 ms of CPU per checkout, API and Postgres together. */
const CPU_TARGET_MS = 1.5;
const SEATS_PER_HOLD = 2;
/** Holds are taken before each step with this many requests in flight (not measured). */
const HOLD_CONCURRENCY = 32;
/** Sockets the checkout generator may open: enough that an open loop never waits for one at the target. */
const MAX_SOCKETS = 512;
const REQUEST_TIMEOUT_MS = 30_000;
/** Beyond this p99 (or below 80% of the rate answered) the API is overloaded: higher rates are skipped. */
const OVERLOAD_P99_MS = 2_000;
/**
 * The API settles payments a checkout left half-done (a capture that failed under overload…) after this
 * long; the invariants are checked once it has, as they are guaranteed only then.
 */
const RECOVERY_STALE_MS = 3_000;
const SETTLE_TIMEOUT_MS = 60_000;
const FAN_DOMAIN = "checkout.bench.invalid";
/** The last step's endpoints (issue 19: checkout's p99 unchanged with ten registered). */
const WEBHOOK_ENDPOINTS = 10;
const WEBHOOK_DRAIN_TIMEOUT_MS = 60_000;

export const usage = `Usage: pnpm bench checkout [options]

Prepares the database frontrow_bench (BENCH_DATABASE_URL overrides), opens the stadium event
"taca-atlantica-final-lisbon" for sale without its waiting room (its settings are restored at the end),
starts the built API (NODE_ENV=production), creates N fan accounts (sharing the password hash of one
account made through signUp) and logs them in. It measures the references, { __typename } (closed loop)
and the raw conditional UPDATE of a seat (32 pg clients, prepared), then for each arrival rate:
  (1) holds      rate × duration holds of ${SEATS_PER_HOLD} adjacent seats, through holdSeats (not measured)
  (2) checkout   one checkout per hold (tok_visa, a fresh idempotency key), open loop at the rate: requests
                 go at their scheduled times and latency counts from then (no coordinated omission)
  (3) invariants in SQL, once the API's payment recovery (run every second here, for orders unmoved for
                 ${RECOVERY_STALE_MS / 1000} s) has settled what overloaded requests left half-done: every answered order is
                 CONFIRMED and captured exactly once in the gateway's ledger, no failed order keeps an
                 authorization, every sold seat has one valid ticket of its order, every paid hold is
                 converted, no double holds
Last, at the first rate, the same step twice in a row: without webhook endpoints, then with
${WEBHOOK_ENDPOINTS} endpoints registered (an admin's, order.confirmed, at a receiver in this process): checkout's p50/p99
both times, and how long each order.confirmed took to reach every endpoint (p50/p99, from the order's
transaction). --webhook-endpoints 0 leaves it out. Each step prints its CPU per checkout by process, its rate over the references' and the API's event-loop
delay. After the warm-up the sales tables are analyzed, as autovacuum does in a running database: plans
cached while they were empty would otherwise scan them whole. Rates above a step where the API is
overloaded (p99 > ${OVERLOAD_P99_MS / 1000} s or < 80% answered) are skipped. Bench orders, tickets, payments, ledger rows,
holds and fans are deleted at the end.

Targets, judged at the rate they name and at every step below it (not in --quick, a step at that rate is
added to the list): checkouts/s at p99 < ${TARGET_P99_MS} ms ≥ ${TARGET_SHARE_OF_TYPENAME} × the run's { __typename } req/s, with
≤ ${CPU_TARGET_MS} ms of CPU per checkout (API + Postgres) at that rate; exactly once (the invariants).

  --rates LIST            BENCH_CHECKOUT_RATES   checkouts/s (${FULL_RATES.join(",")}; --quick ${QUICK_RATES.join(",")})
  --fans N                BENCH_CHECKOUT_FANS    fan accounts (${FULL_FANS}; --quick ${QUICK_FANS})
  --webhook-endpoints N                          endpoints of the last step (${WEBHOOK_ENDPOINTS}; 0: no such step)
  --cpu-prof              profile the API (node --cpu-prof) over the whole run, into bench/results/
${loadOptionsUsage}
(--duration is per step; --connections and --pipelining apply to the { __typename } reference only.)`;

function parseCheckoutOptions(args: string[]) {
  const options = parseRatedOptions(args, {
    env: "BENCH_CHECKOUT",
    rates: { full: FULL_RATES, quick: QUICK_RATES, max: 5_000 },
    fans: { full: FULL_FANS, quick: QUICK_FANS, max: 5_000 },
    values: ["webhook-endpoints"],
  });
  const webhookEndpoints = integerOption(
    "--webhook-endpoints",
    options.values["webhook-endpoints"],
    WEBHOOK_ENDPOINTS,
    { min: 0, max: 100 },
  );
  return { ...options, webhookEndpoints };
}
type CheckoutOptions = ReturnType<typeof parseCheckoutOptions>;

// ---------------------------------------------------------------------------------------------------
// The event and its sales

interface BenchEvent {
  id: number;
  name: string;
  seatIds: number[];
}

/** What a checkout writes to (the sales counters' deltas too: appended, then deleted by the fold). */
const SALES_TABLES =
  'event_seat, hold, "order", ticket, payment, fake_gateway_charge, outbox_event, sales_count_delta';

/** Deletes everything bench fans bought or held (and the fans), frees their seats, vacuums. */
async function deleteBenchSales(db: PgClient): Promise<void> {
  await deleteFans(db, domainEmails(FAN_DOMAIN));
  await vacuumAnalyze(db, SALES_TABLES);
}

/** Waits until the recovery job has settled every bench order; returns how many it had to settle. */
async function waitUntilSettled(db: PgClient): Promise<number> {
  const unsettled = async () =>
    (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "order" o JOIN user_account u ON u.id = o.user_id
         WHERE u.email LIKE $1 AND (o.status = 'PENDING' OR o.payment_state IN ('AUTHORIZING', 'AUTHORIZED'))`,
        [domainEmails(FAN_DOMAIN)],
      )
    ).rows[0]?.n ?? 0;
  const first = await unsettled();
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while ((await unsettled()) > 0 && Date.now() < deadline) await sleep(500);
  return first;
}

async function checkInvariants(db: PgClient, eventId: number, answered: string[]): Promise<Violations> {
  return {
    ...(await orderInvariants(db, domainEmails(FAN_DOMAIN), answered)),
    ...(await saleInvariants(db, eventId)),
    ...(await holdInvariants(db, eventId)),
  };
}

// ---------------------------------------------------------------------------------------------------
// One step: holds, then checkouts at the rate

const HOLD_SEATS = "mutation ($e: ID!, $s: [ID!]!) { holdSeats(eventId: $e, seatIds: $s) { id } }";
const CHECKOUT = `mutation ($h: ID!, $k: String!) {
  checkout(holdId: $h, paymentToken: "tok_visa", idempotencyKey: $k) { id status total { amount } tickets { id code seat { id } } } }`;

interface StepResult {
  rate: number;
  /** What sets the step apart from the ladder's at the same rate (e.g. "10 webhook endpoints"); "" for those. */
  variant: string;
  durationS: number;
  checkouts: number;
  confirmed: number;
  ordersPerSecond: number;
  latencyMs: Percentiles;
  errors: number;
  errorExamples: string[];
  /** Orders whose payment the request left half-done, settled by the API's recovery job before the check. */
  leftToRecovery: number;
  /** CPU per checkout sent, by process, and the API's event loop. */
  cost: StepCost;
  invariants: Violations;
  pass: boolean;
}

interface Context {
  api: RunningApi;
  meter: Meter;
  db: PgClient;
  client: GraphQLClient;
  fans: Fan[];
  event: BenchEvent;
}

async function takeHolds({ db, client, fans, event }: Context, count: number) {
  const { rows } = await db.query<{ seatId: number }>(
    `SELECT seat_id AS "seatId" FROM event_seat WHERE event_id = $1 AND status = 'AVAILABLE' ORDER BY seat_id`,
    [event.id],
  );
  if (rows.length < count * SEATS_PER_HOLD) throw new SetupError(`Not enough free seats for ${count} holds`);
  const holds: { fan: Fan; holdId: string }[] = [];
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const fan = fans[index % fans.length] as Fan;
      const seats = rows
        .slice(index * SEATS_PER_HOLD, (index + 1) * SEATS_PER_HOLD)
        .map((row) => String(row.seatId));
      const answer = await client.send<{ holdSeats: { id: string } }>(
        HOLD_SEATS,
        { e: String(event.id), s: seats },
        fan.cookie,
      );
      if (answer.ok && answer.data) holds.push({ fan, holdId: answer.data.holdSeats.id });
      else if (++failures > 10)
        throw new Error(`holdSeats keeps failing: ${answer.code} ${answer.errors[0]?.message}`);
    }
  };
  await Promise.all(Array.from({ length: HOLD_CONCURRENCY }, worker));
  return holds;
}

async function step(context: Context, rate: number, durationS: number, variant = ""): Promise<StepResult> {
  const { db, client, meter, event } = context;
  const count = Math.ceil(rate * durationS);
  process.stdout.write(`  ${integer(count)} holds… `);
  const holds = await takeHolds(context, count);
  process.stdout.write(`checkouts at ${integer(rate)}/s for ${durationS} s… `);
  const histogram = latencyHistogram();
  const answered: string[] = [];
  const errors: string[] = [];
  const mark = await meter.start();
  const started = performance.now();
  await Promise.all(
    holds.map(async ({ fan, holdId }, index) => {
      const scheduled = started + (index * 1000) / rate;
      const wait = scheduled - performance.now();
      if (wait > 0) await sleep(wait);
      const answer = await client.send<{ checkout: { id: string; status: string } }>(
        CHECKOUT,
        { h: holdId, k: `bench-${holdId}` },
        fan.cookie,
      );
      recordMs(histogram, performance.now() - scheduled);
      const order = answer.data?.checkout;
      if (answer.ok && order?.status === "CONFIRMED") answered.push(order.id);
      else errors.push(`${answer.code}: ${answer.errors[0]?.message ?? `status ${order?.status}`}`);
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  const cost = await meter.stop(mark, holds.length);
  const leftToRecovery = await waitUntilSettled(db);
  const invariants = await checkInvariants(db, event.id, answered);
  const latencyMs = percentilesMs(histogram);
  const ordersPerSecond = answered.length / elapsedS;
  return {
    rate,
    variant,
    durationS,
    checkouts: holds.length,
    confirmed: answered.length,
    ordersPerSecond,
    latencyMs,
    errors: errors.length,
    errorExamples: [...new Set(errors)].slice(0, 5),
    leftToRecovery,
    cost,
    invariants,
    pass:
      intact(invariants) &&
      errors.length === 0 &&
      latencyMs.p99 < TARGET_P99_MS &&
      ordersPerSecond >= 0.98 * rate,
  };
}

// ---------------------------------------------------------------------------------------------------

/** The same step without and with webhook endpoints registered, and the deliveries of the second. */
interface WebhookComparison {
  endpoints: number;
  without: StepResult;
  with: StepResult;
  delivery: Percentiles;
  undelivered: number;
  duplicates: number;
}

interface Measurements {
  references: HttpAndPostgresReferences;
  steps: StepResult[];
  webhooks?: WebhookComparison;
}

const ms = (value: number) => (Number.isNaN(value) ? "–" : milliseconds(value));

async function measureAll(
  bench: Bench,
  api: RunningApi,
  meter: Meter,
  event: BenchEvent,
  options: CheckoutOptions,
): Promise<Measurements> {
  const { settings } = options;
  const crowd = { tag: `checkout-${bench.startedAt.getTime().toString(36)}`, domain: FAN_DOMAIN };
  const fans = await signedInCrowd(api, bench.db, crowd, options.fans, runPassword(bench));
  const references = await measureHttpAndPostgresReferences(api, meter, settings, bench.databaseUrl, event);
  const typename = references.typename.reference;
  const targetRate = shareOf(typename, TARGET_SHARE_OF_TYPENAME);
  const rates = withTargetRates(options.rates, [targetRate], settings.quick);
  console.log(
    `Checkout-rate target for this run: ${TARGET_SHARE_OF_TYPENAME} × ${integer(typename.value)} req/s = ` +
      `${integer(targetRate)}/s; steps: ${rates.map(integer).join(", ")}/s`,
  );

  const client = new GraphQLClient(api.graphqlUrl, {
    maxSockets: MAX_SOCKETS,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  const context: Context = { api, meter, db: bench.db, client, fans, event };
  const steps: StepResult[] = [];
  let webhooks: WebhookComparison | undefined;
  try {
    if (settings.warmupS > 0) {
      console.log(`Warm-up at ${rates[0]}/s for ${settings.warmupS} s:`);
      const warmup = await step(context, rates[0] ?? 50, settings.warmupS);
      console.log(`${integer(warmup.ordersPerSecond)} orders/s`);
    }
    // The run starts from tables emptied of bench sales; a running database has history, and autovacuum
    // analyzes it. Plans Postgres cached while the tables were empty (sequential scans) would otherwise
    // last into the steps, until autovacuum's next pass, and make the first step's figures a lottery.
    await bench.db.query(`ANALYZE ${SALES_TABLES}`);
    for (const rate of rates) {
      const previous = steps.at(-1);
      if (
        previous &&
        (previous.latencyMs.p99 > OVERLOAD_P99_MS || previous.ordersPerSecond < 0.8 * previous.rate)
      ) {
        console.log(`Step ${integer(rate)}/s skipped: the API was overloaded at ${integer(previous.rate)}/s`);
        continue;
      }
      console.log(`Step ${integer(rate)}/s:`);
      const result = await step(context, rate, settings.durationS);
      steps.push(result);
      printStep(result, references);
    }
    if (options.webhookEndpoints > 0) {
      webhooks = await compareWithWebhooks(context, rates[0] ?? 50, options, references);
    }
  } finally {
    client.close();
  }
  return { references, steps, webhooks };
}

/** A step's figures, its ratios to the references, its cost and its verdict, as it ends. */
function printStep(result: StepResult, references: HttpAndPostgresReferences): void {
  console.log(
    `${integer(result.ordersPerSecond)} orders/s (${ratiosText(result.ordersPerSecond, references)}), ` +
      `p50 ${ms(result.latencyMs.p50)} ms, ` +
      `p99 ${ms(result.latencyMs.p99)} ms, ${result.errors} errors, ${result.leftToRecovery} settled by recovery, ` +
      `invariants ${intact(result.invariants) ? "intact" : "BROKEN"}: ${result.pass ? "PASS" : "FAIL"}\n` +
      `    ${costLine(result.cost)}`,
  );
  if (result.errors) console.error(`  ERRORS: ${result.errorExamples.join("\n          ")}`);
}

/** The ladder's steps, then the steps run to compare variants (webhook endpoints…), in the order they ran. */
const allSteps = ({ steps, webhooks }: Measurements): StepResult[] => [
  ...steps,
  ...(webhooks ? [webhooks.without, webhooks.with] : []),
];

/** Checkout at `rate` without endpoints, then with `--webhook-endpoints` of them listening. */
async function compareWithWebhooks(
  context: Context,
  rate: number,
  options: CheckoutOptions,
  references: HttpAndPostgresReferences,
): Promise<WebhookComparison> {
  const { db } = context;
  const durationS = options.settings.durationS;
  const withLabel = `${options.webhookEndpoints} webhook endpoints`;
  console.log(`Step ${integer(rate)}/s without webhook endpoints, then with ${options.webhookEndpoints}:`);
  const without = await step(context, rate, durationS, "no webhook endpoints");
  printStep(without, references);
  const receiver = await startWebhookReceiver();
  try {
    const endpointIds = await receiver.register(db, options.webhookEndpoints, "order.confirmed");
    const withEndpoints = await step(context, rate, durationS, withLabel);
    printStep(withEndpoints, references);
    const expected = withEndpoints.confirmed * options.webhookEndpoints;
    const deadline = Date.now() + WEBHOOK_DRAIN_TIMEOUT_MS;
    while (receiver.arrivals.size < expected && Date.now() < deadline) await sleep(200);
    const { histogram, missing } = await receiver.latencies(db, endpointIds);
    const comparison: WebhookComparison = {
      endpoints: options.webhookEndpoints,
      without,
      with: withEndpoints,
      delivery: percentilesMs(histogram),
      undelivered: missing,
      duplicates: receiver.duplicates(),
    };
    console.log(
      `checkout p99 ${ms(without.latencyMs.p99)} ms without endpoints, ${ms(withEndpoints.latencyMs.p99)} ms with ` +
        `${comparison.endpoints}; order.confirmed delivered to each in p50 ${ms(comparison.delivery.p50)} ms, ` +
        `p99 ${ms(comparison.delivery.p99)} ms (${missing} undelivered, ${comparison.duplicates} duplicates)`,
    );
    return comparison;
  } finally {
    await receiver.close(db);
  }
}

function printReport(bench: Bench, measured: Measurements): void {
  const { references } = measured;
  console.log(
    `\n${table(
      [
        "rate",
        "orders/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "errors",
        "settled by recovery",
        "× typename",
        "× UPDATE",
        ...costHeader,
        "API+pg/checkout",
        "invariants",
        "step",
      ],
      allSteps(measured).map((s) => [
        `${integer(s.rate)}/s${s.variant ? `, ${s.variant}` : ""}`,
        integer(s.ordersPerSecond),
        ms(s.latencyMs.p50),
        ms(s.latencyMs.p90),
        ms(s.latencyMs.p99),
        ms(s.latencyMs.max),
        integer(s.errors),
        integer(s.leftToRecovery),
        ratio(s.ordersPerSecond, references.typename.reference).toFixed(3),
        ratio(s.ordersPerSecond, references.update).toFixed(3),
        ...costCells(s.cost),
        perOperation(serverAndPostgresMs(s.cost)),
        intact(s.invariants) ? "intact" : "BROKEN",
        s.pass ? "PASS" : "FAIL",
      ]),
    )}`,
  );
  if (measured.webhooks) {
    const w = measured.webhooks;
    console.log(
      `\n${table(
        [
          "webhook endpoints",
          "rate",
          "checkout p50 ms",
          "checkout p99 ms",
          "delivery p50 ms",
          "delivery p99 ms",
          "undelivered",
        ],
        [
          [
            "none",
            `${integer(w.without.rate)}/s`,
            ms(w.without.latencyMs.p50),
            ms(w.without.latencyMs.p99),
            "–",
            "–",
            "–",
          ],
          [
            String(w.endpoints),
            `${integer(w.with.rate)}/s`,
            ms(w.with.latencyMs.p50),
            ms(w.with.latencyMs.p99),
            ms(w.delivery.p50),
            ms(w.delivery.p99),
            integer(w.undelivered),
          ],
        ],
      )}`,
    );
  }
  console.log(`\n${referenceTable(references)}`);
  console.log(
    `\nCPU per checkout sent; the fake gateway keeps its ledger in the same Postgres, so "pg" includes the ` +
      `two statements a real provider would do on its side. ${costLegend(bench.machine)}`,
  );
}

function judge(measured: Measurements): { targets: Target[]; problems: string[] } {
  const { steps, references } = measured;
  const typename = references.typename.reference;
  // Every step counts for exactly once and errors; the rate and CPU targets are judged on the ladder's.
  const every = allSteps(measured);
  const broken = every.filter((s) => !intact(s.invariants));
  const named = (s: StepResult) => `${integer(s.rate)}/s${s.variant ? ` (${s.variant})` : ""}`;
  return {
    targets: [
      rateTarget("checkout rate", TARGET_P99_MS, TARGET_SHARE_OF_TYPENAME, typename, steps),
      cpuTarget(
        "CPU per checkout",
        CPU_TARGET_MS,
        "checkout",
        steps,
        shareOf(typename, TARGET_SHARE_OF_TYPENAME),
      ),
      {
        name: "exactly once",
        goal: "SQL invariants and the ledger, every step",
        measured: every.map((s) => `${named(s)} ${intact(s.invariants) ? "ok" : "BROKEN"}`).join(", "),
        pass: broken.length === 0,
      },
    ],
    problems: [
      ...broken.map((s) => `order invariants broken at ${named(s)}: ${describeViolations(s.invariants)}`),
      ...every
        .filter((s) => s.errors)
        .map(
          (s) => `${s.errors} checkouts answered with errors at ${named(s)}: ${s.errorExamples.join(" | ")}`,
        ),
      ...(measured.webhooks?.undelivered
        ? [`${measured.webhooks.undelivered} order.confirmed webhook deliveries never arrived`]
        : []),
      ...referenceOutcome(references).problems,
    ],
  };
}

/** With mail on: how many of the run's confirmations had left when it ended, and the sender's peak memory. */
async function mailSummary(db: PgClient, worker: WorkerUsage): Promise<string> {
  const { rows } = await db.query<{ sent: number; pending: number }>(
    `SELECT count(*) FILTER (WHERE m.status = 'SENT')::int AS sent,
            count(*) FILTER (WHERE m.status = 'PENDING')::int AS pending
     FROM mail_message m JOIN user_account u ON u.id = m.user_id
     WHERE u.email LIKE $1 AND m.template = 'order.confirmed'`,
    [domainEmails(FAN_DOMAIN)],
  );
  const { sent = 0, pending = 0 } = rows[0] ?? {};
  return (
    `Mail: ${integer(sent)} confirmations sent, ${integer(pending)} still pending at the end; mail worker ` +
    `CPU ${(worker.cpuSeconds() ?? Number.NaN).toFixed(1)} s, peak RSS ${worker.peakRssMb().toFixed(0)} MB`
  );
}

export async function run(args: string[]): Promise<number> {
  const options = parseCheckoutOptions(args);
  const { settings } = options;
  const bench = await openBench("checkout", "Checkout benchmark", settings.quick);
  const { db } = bench;
  const { slugs } = await seededEvents();
  const slug = slugs.stadiumQueueUpcoming;
  const row = (
    await db.query<{ id: number; name: string }>("SELECT id, name FROM event WHERE slug = $1", [slug])
  ).rows[0];
  if (!row) {
    await bench.close();
    throw new SetupError(`The seed has no event "${slug}"`);
  }
  const event: BenchEvent = { ...row, seatIds: await eventSeatIds(db, row.id) };
  let restoreEvent: () => Promise<void> = async () => undefined;
  const restore = onShutdown(
    async () => {
      try {
        await deleteBenchSales(db);
        await restoreEvent();
      } finally {
        await bench.close();
      }
    },
    () => undefined,
  );
  let measured: Measurements;
  let mail: BenchMaildev | undefined;
  try {
    await deleteBenchSales(db);
    // Open for sale now, without the waiting room, and no per-account limit in the way.
    restoreEvent = await overrideEvent(db, event.id, {
      status: "ON_SALE",
      queue_enabled: false,
      sale_starts_at: new Date(Date.now() - 3_600_000),
      max_tickets_per_account: 100_000,
    });
    console.log(`Event ${event.id} "${event.name}": ${integer(event.seatIds.length)} seats`);
    // BENCH_MAIL=on: every confirmation is mailed to a maildev of the run's own (mail on vs off, issue 17).
    mail = process.env.BENCH_MAIL === "on" ? await startMaildev() : undefined;
    console.log(
      `Mail: ${mail ? `on (confirmations to maildev at ${mail.smtpUrl})` : "off (BENCH_MAIL=on mails them)"}`,
    );
    measured = await withApi(
      bench,
      {
        cpuProfile: options.cpuProfile,
        env: {
          SMTP_URL: mail?.smtpUrl ?? "off",
          LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: String(options.fans + 100),
          // The whole crowd comes from 127.0.0.1: lift the request rate limits (docs/defences.md).
          RATE_LIMITS: withoutRateLimits([
            "Mutation.holdSeats",
            "Mutation.holdBestAvailable",
            "Mutation.checkout",
          ]),
          PAYMENT_RECOVERY_STALE_MS: String(RECOVERY_STALE_MS),
          PAYMENT_RECOVERY_INTERVAL_MS: "1000",
          // The last step's endpoints are on this machine.
          WEBHOOK_ALLOW_PRIVATE_URLS: "true",
        },
        // Mail on: the confirmations leave from a worker process of their own (API_ROLE=worker), as in
        // production; the API serves and plans them.
        mailWorkers: mail === undefined ? 0 : 1,
      },
      async ({ api, meter, worker }) => {
        const result = await measureAll(bench, api, meter, event, options);
        if (worker) console.log(await mailSummary(bench.db, worker));
        return result;
      },
    );
  } finally {
    await mail?.stop();
    await restore();
  }

  printReport(bench, measured);
  const { targets, problems } = judge(measured);
  return finish({
    scenario: "checkout",
    startedAt: bench.startedAt,
    quick: settings.quick,
    machine: bench.machine,
    references: referenceOutcome(measured.references).references,
    targets,
    problems,
    figures: {
      settings,
      options: { rates: options.rates, fans: options.fans },
      event: { id: event.id, name: event.name },
      seatsPerHold: SEATS_PER_HOLD,
      typename: measured.references.typename.load,
      update: measured.references.updates,
      steps: measured.steps,
      webhooks: measured.webhooks,
    },
  });
}
