// `pnpm bench webhooks`: how far behind the sale webhook deliveries run (docs/partners.md).

import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { percentilesMs } from "../lib/latency.js";
import type { Meter } from "../lib/meter.js";
import { integerOption, loadOptionsUsage, parseOptions } from "../lib/options.js";
import { vacuumAnalyze } from "../lib/pg.js";
import { type Reference, typenameReference } from "../lib/reference.js";
import { milliseconds } from "../lib/report.js";
import { type Bench, openBench, withApi } from "../lib/scenario.js";
import { runSteps, type Step, type StepRun, stepsVerdict } from "../lib/steps.js";
import { finish } from "../lib/verdict.js";
import { startWebhookReceiver, type WebhookReceiver } from "../lib/webhook-receiver.js";

const FULL = { rate: 500, seconds: 20 };
const QUICK = { rate: 100, seconds: 5 };
const ENDPOINTS = 10;
/** The target (issue 19): every order.confirmed reaches a local receiver within 5 s, p99. */
const TARGET_P99_MS = 5_000;
const DRAIN_TIMEOUT_MS = 120_000;
const TOPIC = "order.confirmed";

export const usage = `Usage: pnpm bench webhooks [--quick] [--rate N] [--seconds N] [--cpu-prof]

Starts the built API on the bench database with ${ENDPOINTS} webhook endpoints (an admin's, for every event)
pointing at a receiver in this process, then writes order.confirmed outbox events at a fixed rate, as
checkouts do (${FULL.rate}/s for ${FULL.seconds} s; --quick ${QUICK.rate}/s for ${QUICK.seconds} s; --rate and --seconds set them), and waits
until every event has reached every endpoint. Prints how long each took from its outbox row to its
arrival (p50, p99, max), how much of it passed before the relay took the event and before its delivery
rows existed (the fan-out),
deliveries lost (must be 0) and duplicates. Target: p99 < ${TARGET_P99_MS / 1000} s at ${FULL.rate}/s. The endpoints,
deliveries and events are deleted at the end. Checkout's own latency with and without endpoints
registered: pnpm bench checkout (its last step). Each step prints its CPU per delivery by process, the API's
event loop and its deliveries/s over the run's { __typename } (measured first). --cpu-prof profiles the
API (node --cpu-prof) into bench/results/ (pnpm bench:profile <file> summarizes it).

${loadOptionsUsage}
  (the load options set the { __typename } reference's run)`;

interface WebhookContext {
  bench: Bench;
  meter: Meter;
  receiver: WebhookReceiver;
  endpointIds: string[];
  eventId: number;
  marker: string;
  rate: number;
  seconds: number;
}

const header = [
  "step",
  "events",
  "deliveries",
  "p50",
  "p99",
  "max",
  "relayed p50/p99",
  "fanned out p50/p99",
  "lost",
  "duplicates",
];

/** Outbox events at a fixed rate, as checkouts write them, until each reached every endpoint. */
const deliveries: Step<WebhookContext> = {
  name: "order-confirmed-deliveries",
  header,
  operation: "delivery",
  async run({ bench, meter, receiver, endpointIds, eventId, marker, rate, seconds }) {
    const written = new Map<string, number>();
    const mark = await meter.start();
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
          [TOPIC, eventId, marker, orders],
        );
        for (const row of rows) written.set(row.id, row.at.getTime());
        sent += due;
      }
      await sleep(5);
    }
    const expected = total * endpointIds.length;
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (receiver.arrivals.size < expected && Date.now() < deadline) await sleep(200);
    const cost = await meter.stop(mark, receiver.arrivals.size);
    // Deliveries carry their own id; each is mapped back to its outbox event through the database.
    const { histogram, relay, fanOut } = await receiver.latencies(bench.db, endpointIds, (id) =>
      written.get(id),
    );
    const figures = percentilesMs(histogram);
    const relayed = percentilesMs(relay);
    const before = percentilesMs(fanOut);
    const lost = expected - figures.count;
    return {
      cells: [
        `${rate}/s × ${seconds} s, ${endpointIds.length} endpoints`,
        String(total),
        String(figures.count),
        milliseconds(figures.p50),
        milliseconds(figures.p99),
        milliseconds(figures.max),
        `${milliseconds(relayed.p50)} / ${milliseconds(relayed.p99)}`,
        `${milliseconds(before.p50)} / ${milliseconds(before.p99)}`,
        String(lost),
        String(receiver.duplicates()),
      ],
      cost,
      rate: figures.count / cost.seconds,
      targets: [
        {
          name: `order.confirmed delivery at ${rate}/s`,
          goal: `p99 < ${TARGET_P99_MS / 1000} s from the outbox row to the endpoint`,
          measured: `p99 ${milliseconds(figures.p99)} ms`,
          pass: figures.p99 < TARGET_P99_MS,
        },
      ],
      problems: lost === 0 ? [] : [`${lost} of ${expected} deliveries lost`],
      figures: { rate, seconds, events: total, expected, latencyMs: figures, relayed, fanOut: before, lost },
    };
  },
};

/** Every step, in order; a team adding one appends it here. */
export const STEPS: Step<WebhookContext>[] = [deliveries];

export async function run(args: string[]): Promise<number> {
  const { settings, values, flags } = parseOptions(args, {
    values: ["rate", "seconds"],
    flags: ["cpu-prof"],
  });
  const defaults = settings.quick ? QUICK : FULL;
  const rate = integerOption("--rate", values.rate, defaults.rate, { min: 1, max: 5_000 });
  const seconds = integerOption("--seconds", values.seconds, defaults.seconds, { min: 1, max: 600 });
  const bench = await openBench("webhooks", "Webhook delivery latency", settings.quick);
  const receiver = await startWebhookReceiver();
  const marker = randomUUID();
  let runs: StepRun[] = [];
  let reference: Reference | undefined;
  try {
    const [event] = (await bench.db.query<{ id: number }>("SELECT id FROM event ORDER BY id LIMIT 1")).rows;
    if (!event) throw new Error("the bench database has no event");
    const endpointIds = await receiver.register(bench.db, ENDPOINTS, TOPIC);
    await withApi(
      bench,
      { env: { WEBHOOK_ALLOW_PRIVATE_URLS: "true" }, cpuProfile: flags["cpu-prof"] === true },
      async ({ api, meter }) => {
        reference = (await typenameReference(api, settings, meter)).reference;
        const context = { bench, meter, receiver, endpointIds, eventId: event.id, marker, rate, seconds };
        runs = await runSteps(STEPS, context, reference);
      },
    );
  } finally {
    await receiver.close(bench.db);
    await bench.db.query("DELETE FROM outbox_event WHERE payload->>'bench' = $1", [marker]);
    // The next run starts without this one's dead rows (100,000 dead deliveries slowed the next run's drains).
    await vacuumAnalyze(bench.db, "webhook_delivery, webhook_attempt, outbox_event");
    await bench.close();
  }
  return finish({
    scenario: "webhooks",
    startedAt: bench.startedAt,
    quick: settings.quick,
    machine: bench.machine,
    references: reference ? [reference] : [],
    ...stepsVerdict(runs),
  });
}
