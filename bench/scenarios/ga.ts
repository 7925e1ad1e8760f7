// `pnpm bench ga`: signed-in fans holding places in one standing area (the stadium concert's 8,000-place
// pitch) at fixed arrival rates: holds/s, p99, CPU per hold, and never oversold (docs/standing.md).

import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { SetupError } from "../lib/api-build.js";
import { counterDelta } from "../lib/api-metrics.js";
import { seededEvents } from "../lib/api-modules.js";
import type { RunningApi } from "../lib/api-process.js";
import { onShutdown } from "../lib/cleanup.js";
import { overrideEvent } from "../lib/event-settings.js";
import { deleteFans, domainEmails, type Fan, signedInCrowd } from "../lib/fans.js";
import { GraphQLClient, readAnswer } from "../lib/http.js";
import { latencyHistogram, type Percentiles, percentilesMs, recordMs } from "../lib/latency.js";
import type { StepCost } from "../lib/meter.js";
import { serverAndPostgresMs } from "../lib/meter.js";
import { loadOptionsUsage, parseRatedOptions } from "../lib/options.js";
import { type PgClient, vacuumAnalyze } from "../lib/pg.js";
import { withoutRateLimits } from "../lib/rate-limits.js";
import { ratio, seededRandom, typenameReference } from "../lib/reference.js";
import {
  costCells,
  costHeader,
  costLegend,
  integer,
  milliseconds,
  perOperation,
  table,
  verdictCell,
} from "../lib/report.js";
import { openBench, runPassword, withApi } from "../lib/scenario.js";
import { cpuTarget, finish, fixedRateTarget, type Target } from "../lib/verdict.js";

const FULL_RATES = [250, 500, 1_000, 2_000];
const QUICK_RATES = [50, 100];
const TARGET_P99_MS = 50;
const TARGET_RATE = 2_000;
const CPU_TARGET_MS = 0.25;
const MAX_PLACES_PER_HOLD = 4;
/** A step is shortened so that it asks for at most this share of the area's places. */
const MAX_FILL = 0.9;
const FAN_DOMAIN = "ga.bench.invalid";
const REQUEST_TIMEOUT_MS = 30_000;

export const usage = `Usage: pnpm bench ga [options]

Starts the built API on the bench database, raises the standing concert's maxTicketsPerAccount (restored
at the end), logs N fans in, measures { __typename } (closed loop) as the reference, then sends
holdGeneralAdmission for 1–${MAX_PLACES_PER_HOLD} places on the concert's standing area at each arrival rate, open
loop (latency from each request's scheduled time). Before each step the area is emptied (bench holds
released, VACUUM); after it, SQL checks that the area never went below zero and that its count equals capacity −
live holds − valid tickets. Targets: ${integer(TARGET_RATE)} holds/s at p99 < ${TARGET_P99_MS} ms, ≤ ${CPU_TARGET_MS} ms of CPU per hold.

  --rates LIST   BENCH_GA_RATES   arrival rates (${FULL_RATES.join(",")}; --quick ${QUICK_RATES.join(",")})
  --fans N       BENCH_GA_FANS    fan accounts (1000; --quick 100)
${loadOptionsUsage}`;

const HOLD_GA = `mutation BenchHoldGa($eventId: ID!, $areaId: ID!, $quantity: Int!) {
  holdGeneralAdmission(eventId: $eventId, areaId: $areaId, quantity: $quantity) { id places { kind } }
}`;

interface Area {
  eventId: number;
  areaId: number;
  capacity: number;
}

interface Step {
  rate: number;
  durationS: number;
  answeredPerSecond: number;
  holdsPerSecond: number;
  placesHeld: number;
  soldOut: number;
  errors: number;
  errorExamples: string[];
  latencyMs: Percentiles;
  holdsPerStatement: number;
  cost: StepCost;
  oversold: boolean;
  pass: boolean;
}

async function resetArea(db: PgClient, area: Area): Promise<void> {
  await db.query(
    `UPDATE hold h SET state = 'RELEASED', ended_at = now() FROM user_account u
     WHERE u.id = h.user_id AND h.state = 'ACTIVE' AND h.area_id = $1 AND u.email LIKE $2`,
    [area.areaId, domainEmails(FAN_DOMAIN)],
  );
  await db.query(
    `UPDATE event_area a SET available = a.capacity
       - (SELECT coalesce(sum(h.area_quantity), 0) FROM hold h
          WHERE h.event_id = a.event_id AND h.area_id = a.section_id AND h.state = 'ACTIVE')
       - (SELECT count(*) FROM ticket t WHERE t.event_id = a.event_id AND t.area_id = a.section_id AND t.status = 'VALID')
     WHERE a.event_id = $1 AND a.section_id = $2`,
    [area.eventId, area.areaId],
  );
  // As autovacuum would between two sales (it is off on some machines): each step starts without the
  // dead rows of the ones before (released holds, the area row's versions, folded sales deltas).
  await vacuumAnalyze(db, "hold, event_area, sales_count_delta");
}

/** True when the area's count disagrees with its live holds and valid tickets (or went negative). */
async function oversold(db: PgClient, area: Area): Promise<boolean> {
  const { rows } = await db.query<{ wrong: boolean }>(
    `SELECT a.available < 0 OR a.available <> a.capacity
       - (SELECT coalesce(sum(h.area_quantity), 0) FROM hold h
          WHERE h.event_id = a.event_id AND h.area_id = a.section_id AND h.state = 'ACTIVE')
       - (SELECT count(*) FROM ticket t WHERE t.event_id = a.event_id AND t.area_id = a.section_id AND t.status = 'VALID')
       AS wrong
     FROM event_area a WHERE a.event_id = $1 AND a.section_id = $2`,
    [area.eventId, area.areaId],
  );
  return rows[0]?.wrong !== false;
}

async function holdStep(
  api: RunningApi,
  db: PgClient,
  meter: import("../lib/meter.js").Meter,
  fans: readonly Fan[],
  area: Area,
  rate: number,
  durationS: number,
  connections: number,
): Promise<Step> {
  await resetArea(db, area);
  const random = seededRandom(rate);
  const client = new GraphQLClient(api.graphqlUrl, {
    maxSockets: connections,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  const total = Math.max(1, Math.round(rate * durationS));
  const latency = latencyHistogram();
  let answered = 0;
  let holds = 0;
  let placesHeld = 0;
  let soldOut = 0;
  const errorExamples: string[] = [];
  let errors = 0;
  const fail = (problem: string) => {
    errors++;
    if (errorExamples.length < 5) errorExamples.push(problem);
  };
  const mark = await meter.start();
  const start = performance.now() + 20;
  let lastAnswerAt = start;
  const pending: Promise<void>[] = [];
  for (let next = 0; next < total; next++) {
    const scheduledAt = start + (next * 1000) / rate;
    const wait = scheduledAt - performance.now();
    if (wait > 1) await sleep(wait);
    const fan = fans[next % fans.length] as Fan;
    const quantity = 1 + Math.floor(random() * MAX_PLACES_PER_HOLD);
    const body = JSON.stringify({
      query: HOLD_GA,
      variables: { eventId: String(area.eventId), areaId: String(area.areaId), quantity },
    });
    pending.push(
      client.post(body, fan.cookie).then(
        (response) => {
          lastAnswerAt = performance.now();
          recordMs(latency, lastAnswerAt - scheduledAt);
          answered++;
          const answer = readAnswer<{ holdGeneralAdmission?: { places: unknown[] } | null }>(
            response.status,
            response.text,
          );
          const hold = answer.data?.holdGeneralAdmission;
          if (answer.ok && hold) {
            holds++;
            placesHeld += hold.places.length;
          } else if (answer.code === "SEATS_UNAVAILABLE") soldOut++;
          else
            fail(
              `HTTP ${answer.status} ${answer.errors.map((error) => `${error.code}: ${error.message}`).join("; ")}`,
            );
        },
        (error: Error) => fail(`request failed: ${error.message}`),
      ),
    );
  }
  await Promise.all(pending);
  client.close();
  const cost = await meter.stop(mark, answered);
  const windowS = Math.max(0.001, (lastAnswerAt - start) / 1000);
  const latencyMs = percentilesMs(latency);
  const { before, after } = cost.metrics;
  const statements = counterDelta(before, after, "frontrow_hold_batch_holds_count");
  const broken = await oversold(db, area);
  return {
    rate,
    durationS,
    answeredPerSecond: answered / windowS,
    holdsPerSecond: holds / windowS,
    placesHeld,
    soldOut,
    errors,
    errorExamples,
    latencyMs,
    holdsPerStatement: counterDelta(before, after, "frontrow_hold_batch_holds_sum") / Math.max(1, statements),
    cost,
    oversold: broken || placesHeld > area.capacity,
    pass: errors === 0 && !broken && latencyMs.p99 < TARGET_P99_MS && answered / windowS >= 0.98 * rate,
  };
}

export async function run(args: string[]): Promise<number> {
  const options = parseRatedOptions(args, {
    env: "BENCH_GA",
    rates: { full: FULL_RATES, quick: QUICK_RATES, max: 20_000 },
    fans: { full: 1_000, quick: 100, max: 20_000 },
  });
  const { settings } = options;
  const bench = await openBench("ga", "General admission benchmark", settings.quick);
  const { db } = bench;
  const { slugs } = await seededEvents();
  const { rows } = await db.query<Area & { limit: number }>(
    `SELECT e.id AS "eventId", a.section_id AS "areaId", a.capacity, e.max_tickets_per_account AS "limit"
     FROM event e JOIN event_area a ON a.event_id = e.id
     WHERE e.slug = $1 AND NOT e.queue_enabled ORDER BY a.capacity DESC LIMIT 1`,
    [slugs.stadiumStandingOnSale],
  );
  const area = rows[0];
  if (!area) {
    await bench.close();
    throw new SetupError(`The seed has no standing event "${slugs.stadiumStandingOnSale}" (pnpm db:ready)`);
  }
  console.log(`Event ${area.eventId}, standing area ${area.areaId}: ${integer(area.capacity)} places`);
  let restoreEvent: () => Promise<void> = async () => undefined;
  const restore = onShutdown(
    async () => {
      try {
        await resetArea(db, area);
        await restoreEvent();
        await deleteFans(db, domainEmails(FAN_DOMAIN));
      } finally {
        await bench.close();
      }
    },
    () => undefined,
  );
  let measured: { typename: number; steps: Step[] };
  try {
    restoreEvent = await overrideEvent(
      db,
      area.eventId,
      { max_tickets_per_account: area.capacity },
      { max_tickets_per_account: area.limit },
    );
    measured = await withApi(
      bench,
      {
        cpuProfile: options.cpuProfile,
        env: {
          LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: String(options.fans + 100),
          RATE_LIMITS: withoutRateLimits(["Mutation.holdGeneralAdmission"]),
        },
      },
      async ({ api, meter }) => {
        const crowd = { tag: `ga-${bench.startedAt.getTime().toString(36)}`, domain: FAN_DOMAIN };
        const fans = await signedInCrowd(api, db, crowd, options.fans, runPassword(bench));
        const typename = (await typenameReference(api, settings, meter)).reference.value;
        const steps: Step[] = [];
        for (const rate of options.rates) {
          const averagePlaces = (1 + MAX_PLACES_PER_HOLD) / 2;
          const durationS = Math.min(settings.durationS, (MAX_FILL * area.capacity) / (averagePlaces * rate));
          const step = await holdStep(api, db, meter, fans, area, rate, durationS, settings.connections);
          steps.push(step);
          console.log(
            `(1) holdGeneralAdmission at ${integer(rate)}/s for ${durationS.toFixed(1)} s: ${integer(step.holdsPerSecond)} holds/s, ` +
              `p99 ${milliseconds(step.latencyMs.p99)} ms, ${step.errors} errors, ${step.oversold ? "OVERSOLD" : "never oversold"}`,
          );
          if (step.errors) console.error(`  ERRORS: ${step.errorExamples.join(" | ")}`);
        }
        return { typename, steps };
      },
    );
  } finally {
    await restore();
  }

  const { typename, steps } = measured;
  console.log(
    `\n${table(
      [
        "arrival rate",
        "answers/s",
        "holds/s",
        "places held",
        "sold out",
        "holds/stmt",
        "errors",
        "p50 ms",
        "p99 ms",
        "max ms",
        "× typename",
        ...costHeader,
        "API+pg/hold",
        "oversold",
        "step",
      ],
      steps.map((step) => [
        `${integer(step.rate)}/s × ${step.durationS.toFixed(1)} s`,
        integer(step.answeredPerSecond),
        integer(step.holdsPerSecond),
        integer(step.placesHeld),
        integer(step.soldOut),
        step.holdsPerStatement.toFixed(1),
        String(step.errors),
        milliseconds(step.latencyMs.p50),
        milliseconds(step.latencyMs.p99),
        milliseconds(step.latencyMs.max),
        ratio(step.answeredPerSecond, { name: "typename", value: typename, unit: "req/s" }).toFixed(3),
        ...costCells(step.cost),
        perOperation(serverAndPostgresMs(step.cost)),
        step.oversold ? "YES" : "no",
        verdictCell(step.pass),
      ]),
    )}`,
  );
  console.log(`\n${costLegend(bench.machine)}`);
  const reference = { name: "{ __typename }", value: typename, unit: "req/s" };
  const targets: Target[] = [
    fixedRateTarget("GA hold rate", TARGET_P99_MS, TARGET_RATE, reference, steps),
    cpuTarget("CPU per GA hold", CPU_TARGET_MS, "answer", steps, TARGET_RATE),
    {
      name: "never oversold",
      goal: "area count = capacity − live holds − valid tickets, ≥ 0, after every step",
      measured: steps.map((step) => `${integer(step.rate)}/s ${step.oversold ? "BROKEN" : "ok"}`).join(", "),
      pass: steps.every((step) => !step.oversold),
    },
  ];
  const problems = [
    ...steps.filter((step) => step.oversold).map((step) => `oversold at ${step.rate}/s`),
    ...steps.filter((step) => step.errors).map((step) => `${step.rate}/s: ${step.errorExamples.join(" | ")}`),
  ];
  return finish({
    scenario: "ga",
    startedAt: bench.startedAt,
    quick: settings.quick,
    machine: bench.machine,
    references: [reference],
    targets,
    problems,
    figures: { settings, options: { rates: options.rates, fans: options.fans }, area, typename, steps },
  });
}
