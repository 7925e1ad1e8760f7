// `pnpm bench organizer`: what an organizer's pages cost during an on-sale. A list of steps, each
// measured on its own (another team adds the cancellation of a 10,000-order event as a step of its own):
//   sales-under-holds  eventSales p50/p99 (closed loop, one organizer) while fans hold seats of the
//                      stadium at a fixed arrival rate (open loop), beside { __typename } read the same
//                      way under the same load (the floor any request meets on this machine)
//   attendee-export    GET /exports/attendees.csv of a 50,000-ticket event: time, rows, bytes, and the
//                      API process's peak RSS over its RSS before the download (flat memory)

import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { seededEvents } from "../lib/api-modules.js";
import type { RunningApi } from "../lib/api-process.js";
import { eventSeatIds, overrideEvent } from "../lib/event-settings.js";
import { deleteFans, domainEmails, type Fan, logIn, signedInCrowd } from "../lib/fans.js";
import { GraphQLClient } from "../lib/http.js";
import { latencyHistogram, percentilesMs, recordMs } from "../lib/latency.js";
import type { Meter, StepCost } from "../lib/meter.js";
import { integerOption, type LoadSettings, loadOptionsUsage, parseOptions } from "../lib/options.js";
import type { PgClient } from "../lib/pg.js";
import { withoutRateLimits } from "../lib/rate-limits.js";
import { type Reference, typenameReference } from "../lib/reference.js";
import { bytes, integer, milliseconds } from "../lib/report.js";
import { type Bench, openBench, runPassword, withApi } from "../lib/scenario.js";
import { runSteps, type Step, type StepRun, stepsVerdict } from "../lib/steps.js";
import { finish } from "../lib/verdict.js";

const FAN_DOMAIN = "organizer.bench.invalid";
const ORGANIZER = { email: "organizer@frontrow.test", password: "organizer-password" };
/** The issue's target: eventSales p99 under 20 ms while 2,000 holds/s run. */
const TARGET_P99_MS = 20;
const TARGET_HOLDS_PER_SECOND = 2_000;
const EXPORT_TICKETS = 50_000;
const EXPORT_TAG = "bench-export-";

export const usage = `Usage: pnpm bench organizer [options]

Steps (each prints its own figures; --steps picks some):
  sales-under-holds   fans hold 1–4 random stadium seats at --rate holds/s (open loop) while the organizer
                      reads eventSales in a closed loop: eventSales p50/p99 (target p99 < ${TARGET_P99_MS} ms at
                      ${integer(TARGET_HOLDS_PER_SECOND)} holds/s); the reference: { __typename }, read the same way on a
                      socket of its own during the same step
  attendee-export     a ${integer(EXPORT_TICKETS)}-ticket event (orders written in SQL, removed after) exported as CSV
                      through /exports/attendees.csv: time, rows, bytes, the API's peak RSS growth

  --rate N            BENCH_ORGANIZER_RATE   holds/s during sales-under-holds (${integer(TARGET_HOLDS_PER_SECOND)}; --quick 50)
  --fans N            BENCH_ORGANIZER_FANS   fan accounts (200; --quick 50)
  --steps LIST        sales-under-holds,attendee-export
${loadOptionsUsage}`;

interface StepContext {
  bench: Bench;
  api: RunningApi;
  /** The API's meter: each step measures its own part. */
  meter: Meter;
  organizer: string;
  options: OrganizerOptions;
}

export type OrganizerStep = Step<StepContext>;

interface OrganizerOptions {
  settings: LoadSettings;
  quick: boolean;
  durationS: number;
  rate: number;
  fans: number;
  steps: string[];
}

function parseOrganizerOptions(args: string[]): OrganizerOptions {
  const { settings, values } = parseOptions(args, { values: ["rate", "fans", "steps"] });
  const pick = (full: number, quick: number) => (settings.quick ? quick : full);
  return {
    settings,
    quick: settings.quick,
    durationS: settings.durationS,
    rate: integerOption(
      "rate",
      values.rate ?? process.env.BENCH_ORGANIZER_RATE,
      pick(TARGET_HOLDS_PER_SECOND, 50),
      {
        min: 1,
        max: 5_000,
      },
    ),
    fans: integerOption("fans", values.fans ?? process.env.BENCH_ORGANIZER_FANS, pick(200, 50), {
      min: 1,
      max: 5_000,
    }),
    steps: values.steps ? values.steps.split(",") : STEPS.map((step) => step.name),
  };
}

async function eventIdBySlug(db: PgClient, slug: string): Promise<number> {
  const { rows } = await db.query<{ id: number }>("SELECT id FROM event WHERE slug = $1", [slug]);
  if (!rows[0]) throw new Error(`no seeded event ${slug}`);
  return rows[0].id;
}

/** The API process's resident memory now, in bytes (Linux). */
function rssBytes(pid: number | undefined): number {
  if (!pid) return 0;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}

// ---------------------------------------------------------------------------------------------------
// Steps

const salesUnderHolds: OrganizerStep = {
  name: "sales-under-holds",
  header: [
    "step",
    "holds/s asked",
    "holds answered",
    "eventSales reads",
    "p50",
    "p99",
    "max",
    "{ __typename } reads",
    "p50",
    "p99",
  ],
  operation: "request (holds and reads)",
  async run({ bench, api, meter, organizer, options }) {
    const { slugs } = await seededEvents();
    const eventId = await eventIdBySlug(bench.db, slugs.stadiumOnSale);
    const seatIds = await eventSeatIds(bench.db, eventId);
    await bench.db.query(
      "UPDATE event SET organizer_id = (SELECT id FROM user_account WHERE email = $2) WHERE id = $1",
      [eventId, ORGANIZER.email],
    );
    const restore = await overrideEvent(bench.db, eventId, { max_tickets_per_account: seatIds.length });
    const fans: Fan[] = await signedInCrowd(
      api,
      bench.db,
      { tag: `o${bench.startedAt.getTime().toString(36)}`, domain: FAN_DOMAIN },
      options.fans,
      runPassword(bench),
    );
    const client = new GraphQLClient(api.graphqlUrl, { maxSockets: 64 });
    const latency = latencyHistogram();
    const reference = latencyHistogram();
    let answered = 0;
    /** Holds that failed for another reason than taken seats: that many fewer holds loaded the API. */
    let failedHolds = 0;
    let reads = 0;
    let referenceReads = 0;
    const errors = new Map<string, number>();
    const endAt = performance.now() + options.durationS * 1000;
    const holds: Promise<void>[] = [];
    const mark = await meter.start();
    let cost: StepCost | undefined;
    try {
      /** One closed loop on a socket of its own, until the step ends; how many reads it made. */
      const readLoop = async (
        name: string,
        query: string,
        variables: Record<string, unknown>,
        histogram: typeof latency,
      ) => {
        const reader = new GraphQLClient(api.graphqlUrl, { maxSockets: 1 });
        let count = 0;
        while (performance.now() < endAt) {
          const started = performance.now();
          const answer = await reader.send(query, variables, organizer);
          recordMs(histogram, performance.now() - started);
          count++;
          if (!answer.ok)
            errors.set(`${name} ${answer.code}`, (errors.get(`${name} ${answer.code}`) ?? 0) + 1);
        }
        return count;
      };
      const readLoops = Promise.all([
        readLoop(
          "eventSales",
          "query ($id: ID!) { eventSales(eventId: $id) { seats { sold held available } gross { amount } salesPerMinute { tickets } } }",
          { id: String(eventId) },
          latency,
        ),
        readLoop("{ __typename }", "{ __typename }", {}, reference),
      ]);
      const total = Math.floor(options.rate * options.durationS);
      const start = performance.now();
      for (let i = 0; i < total; i++) {
        const due = start + (i * 1000) / options.rate;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        const fan = fans[i % fans.length] as Fan;
        const first = Math.floor(Math.random() * (seatIds.length - 4));
        const count = 1 + Math.floor(Math.random() * 4);
        holds.push(
          client
            .send(
              "mutation ($e: ID!, $s: [ID!]!) { holdSeats(eventId: $e, seatIds: $s) { id } }",
              { e: String(eventId), s: seatIds.slice(first, first + count).map(String) },
              fan.cookie,
            )
            .then((answer) => {
              answered++;
              if (answer.ok || answer.code === "SEATS_UNAVAILABLE") return;
              failedHolds++;
              errors.set(`holdSeats ${answer.code}`, (errors.get(`holdSeats ${answer.code}`) ?? 0) + 1);
            }),
        );
      }
      await Promise.all(holds);
      [reads, referenceReads] = await readLoops;
      cost = await meter.stop(mark, answered + reads + referenceReads);
    } finally {
      // The bench fans' holds end with their accounts; the seats go back on sale.
      await bench.db.query(
        `WITH ended AS (UPDATE hold SET state = 'RELEASED', ended_at = now() WHERE state = 'ACTIVE' AND event_id = $1
                        AND user_id IN (SELECT id FROM user_account WHERE email LIKE $2) RETURNING id)
         UPDATE event_seat SET status = 'AVAILABLE', hold_id = NULL, held_until = NULL
         WHERE event_id = $1 AND status = 'HELD' AND hold_id IN (SELECT id FROM ended)`,
        [eventId, domainEmails(FAN_DOMAIN)],
      );
      await deleteFans(bench.db, domainEmails(FAN_DOMAIN));
      await restore();
    }
    const p = percentilesMs(latency);
    const floor = percentilesMs(reference);
    // A p99 read while the holds fail says nothing about reads under holds.
    const holdsNote = failedHolds ? `, but ${integer(failedHolds)} holds failed` : "";
    return {
      cells: [
        this.name,
        integer(options.rate),
        integer(answered),
        integer(reads),
        milliseconds(p.p50),
        milliseconds(p.p99),
        milliseconds(p.max),
        integer(referenceReads),
        milliseconds(floor.p50),
        milliseconds(floor.p99),
      ],
      cost,
      rate: (answered + reads + referenceReads) / cost.seconds,
      targets: [
        {
          name: `eventSales p99 while ${integer(options.rate)} holds/s run`,
          goal: `< ${TARGET_P99_MS} ms${options.rate < TARGET_HOLDS_PER_SECOND ? ` (issue: at ${integer(TARGET_HOLDS_PER_SECOND)} holds/s)` : ""}`,
          measured: `${milliseconds(p.p99)} ms ({ __typename } under the same load: ${milliseconds(floor.p99)} ms)${holdsNote}`,
          pass: p.p99 < TARGET_P99_MS && failedHolds === 0,
        },
      ],
      problems: [...errors].map(([what, n]) => `${integer(n)} × ${what}`),
      figures: { rate: options.rate, answered, reads, eventSales: p, referenceReads, typename: floor },
    };
  },
};

const attendeeExport: OrganizerStep = {
  name: "attendee-export",
  header: ["step", "tickets", "rows", "bytes", "time", "API RSS before", "peak growth"],
  operation: "row",
  async run({ bench, api, meter, organizer }) {
    const { slugs } = await seededEvents();
    const eventId = await eventIdBySlug(bench.db, slugs.stadiumQueueUpcoming);
    await bench.db.query(
      "UPDATE event SET organizer_id = (SELECT id FROM user_account WHERE email = $2) WHERE id = $1",
      [eventId, ORGANIZER.email],
    );
    process.stdout.write(`Writing ${integer(EXPORT_TICKETS)} tickets (orders of 4) in SQL… `);
    const written = performance.now();
    await writeTickets(bench.db, eventId, EXPORT_TICKETS);
    console.log(`${((performance.now() - written) / 1000).toFixed(1)} s`);
    try {
      const before = rssBytes(api.pid);
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssBytes(api.pid));
      }, 20);
      const mark = await meter.start();
      const started = performance.now();
      const response = await fetch(new URL(`/exports/attendees.csv?eventId=${eventId}`, api.baseUrl), {
        headers: { cookie: organizer },
      });
      let received = 0;
      let lines = 0;
      const reader = response.body?.getReader();
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) break;
        received += chunk.value.byteLength;
        for (const byte of chunk.value) if (byte === 10) lines++;
      }
      const ms = performance.now() - started;
      clearInterval(sampler);
      peak = Math.max(peak, rssBytes(api.pid));
      const rows = lines - 1;
      const cost = await meter.stop(mark, Math.max(0, rows));
      return {
        cells: [
          this.name,
          integer(EXPORT_TICKETS),
          integer(rows),
          bytes(received),
          milliseconds(ms),
          bytes(before),
          bytes(peak - before),
        ],
        cost,
        targets: [
          {
            name: "attendee export, 50,000 tickets: API RSS growth",
            goal: "< 64 MB (flat: batches of 1,000 rows)",
            measured: bytes(peak - before),
            pass: peak - before < 64 * 1024 * 1024,
          },
        ],
        problems:
          response.status === 200 && rows === EXPORT_TICKETS
            ? []
            : [`export: HTTP ${response.status}, ${rows} rows`],
        figures: { tickets: EXPORT_TICKETS, rows, bytes: received, ms, rssBefore: before, rssPeak: peak },
      };
    } finally {
      await removeTickets(bench.db, eventId);
    }
  },
};

/** Every step, in order; a team adding one appends it here. */
export const STEPS: OrganizerStep[] = [salesUnderHolds, attendeeExport];

// ---------------------------------------------------------------------------------------------------
// The export's 50,000 tickets, written straight in SQL (the export's cost is what is measured)

async function writeTickets(db: PgClient, eventId: number, tickets: number): Promise<void> {
  await removeTickets(db, eventId);
  await db.query("BEGIN");
  try {
    await db.query(
      `CREATE TEMP TABLE bench_export ON COMMIT DROP AS
       SELECT o, array_agg(seat_id ORDER BY seat_id) AS seat_ids, array_agg(price ORDER BY seat_id) AS prices,
              sum(price)::int AS total, gen_random_uuid() AS hold_id, gen_random_uuid() AS order_id
       FROM (SELECT es.seat_id, pt.price_minor AS price, (row_number() OVER (ORDER BY es.seat_id) - 1) / 4 AS o
             FROM event_seat es JOIN price_tier pt ON pt.id = es.price_tier_id
             WHERE es.event_id = $1 AND es.status = 'AVAILABLE' ORDER BY es.seat_id LIMIT $2) s
       GROUP BY o`,
      [eventId, tickets],
    );
    const buyer = "(SELECT id FROM user_account WHERE email = 'fan@frontrow.test')";
    await db.query(
      `INSERT INTO hold (id, user_id, event_id, state, seat_ids, seat_prices, total_minor, currency, expires_at, ended_at)
       SELECT hold_id, ${buyer}, $1, 'CONVERTED', seat_ids, prices, total, e.currency, now(), now()
       FROM bench_export, event e WHERE e.id = $1`,
      [eventId],
    );
    await db.query(
      `INSERT INTO "order" (id, user_id, event_id, hold_id, status, payment_state, subtotal_minor, fees_minor,
                            total_minor, currency, idempotency_key, request_hash, updated_at)
       SELECT order_id, ${buyer}, $1, hold_id, 'CONFIRMED', 'CAPTURED', total, 0, total, e.currency,
              '${EXPORT_TAG}' || o, 'bench', now()
       FROM bench_export, event e WHERE e.id = $1`,
      [eventId],
    );
    await db.query(
      `UPDATE event_seat es SET status = 'SOLD', order_id = b.order_id, hold_id = b.hold_id
       FROM bench_export b WHERE es.event_id = $1 AND es.seat_id = ANY(b.seat_ids)`,
      [eventId],
    );
    await db.query(
      `INSERT INTO ticket (id, order_id, event_id, seat_id, price_minor, secret)
       SELECT gen_random_uuid(), b.order_id, $1, s.seat_id, s.price, decode(md5(random()::text) || md5(random()::text), 'hex')
       FROM bench_export b, unnest(b.seat_ids, b.prices) AS s(seat_id, price)`,
      [eventId],
    );
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK");
    throw error;
  }
}

async function removeTickets(db: PgClient, eventId: number): Promise<void> {
  const orders = `SELECT id FROM "order" WHERE event_id = $1 AND idempotency_key LIKE '${EXPORT_TAG}%'`;
  await db.query("BEGIN");
  try {
    await db.query(`DELETE FROM ticket WHERE order_id IN (${orders})`, [eventId]);
    await db.query(
      `UPDATE event_seat SET status = 'AVAILABLE', order_id = NULL, hold_id = NULL, held_until = NULL
       WHERE event_id = $1 AND order_id IN (${orders})`,
      [eventId],
    );
    const { rows } = await db.query<{ holdId: string }>(
      `DELETE FROM "order" WHERE id IN (${orders}) RETURNING hold_id AS "holdId"`,
      [eventId],
    );
    await db.query("DELETE FROM hold WHERE id = ANY($1::uuid[])", [rows.map((row) => row.holdId)]);
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK");
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------

export async function run(args: string[]): Promise<number> {
  const options = parseOrganizerOptions(args);
  const steps = STEPS.filter((step) => options.steps.includes(step.name));
  const bench = await openBench("organizer", "Organizer pages under load", options.quick);
  let runs: StepRun[] = [];
  let reference: Reference | undefined;
  try {
    await withApi(
      bench,
      {
        env: {
          LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: String(options.fans + 100),
          RATE_LIMITS: withoutRateLimits(["Mutation.holdSeats"]),
        },
      },
      async ({ api, meter }) => {
        const organizer = await logIn(api, ORGANIZER.email, ORGANIZER.password);
        reference = (await typenameReference(api, options.settings, meter)).reference;
        runs = await runSteps(steps, { bench, api, meter, organizer, options }, reference);
      },
    );
  } finally {
    await bench.close();
  }
  return finish({
    scenario: "organizer",
    startedAt: bench.startedAt,
    quick: options.quick,
    machine: bench.machine,
    references: reference ? [reference] : [],
    ...stepsVerdict(runs),
  });
}
