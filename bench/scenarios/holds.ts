// `pnpm bench holds`: many signed-in fans holding random seats of the stadium at fixed arrival rates.

import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { SetupError } from "../lib/api-build.js";
import { counterDelta } from "../lib/api-metrics.js";
import { seededEvents } from "../lib/api-modules.js";
import type { RunningApi } from "../lib/api-process.js";
import { onShutdown } from "../lib/cleanup.js";
import { eventSeatIds, overrideEvent } from "../lib/event-settings.js";
import { deleteFans, domainEmails, type Fan, signedInCrowd } from "../lib/fans.js";
import { GraphQLClient, queryGraphQL, readAnswer } from "../lib/http.js";
import { describeViolations, holdInvariants, intact, type Violations } from "../lib/invariants.js";
import {
  type Histogram,
  latencyHistogram,
  type Percentiles,
  percentilesMs,
  recordMs,
} from "../lib/latency.js";
import { type Meter, type StepCost, serverAndPostgresMs } from "../lib/meter.js";
import { type LoadSettings, loadOptionsUsage, parseRatedOptions } from "../lib/options.js";
import { type PgClient, transaction, vacuumAnalyze } from "../lib/pg.js";
import { withoutRateLimits } from "../lib/rate-limits.js";
import type { BenchRedis } from "../lib/redis.js";
import {
  type HttpAndPostgresReferences,
  measureHttpAndPostgresReferences,
  ratio,
  ratiosText,
  referenceOutcome,
  referenceTable,
  seededRandom,
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

const FULL_RATES = [250, 500, 1_000, 1_500, 2_000, 2_500, 3_000];
const QUICK_RATES = [100, 250];
const FULL_FANS = 1_000;
const QUICK_FANS = 100;
/** The targets (docs/benchmarks.md): holds/s at p99 < 50 ms ≥ 0.25 × { __typename } req/s of the same run… */
const TARGET_P99_MS = 50;
const TARGET_SHARE_OF_TYPENAME = 0.25;
/** …and ≤ 0.25 ms of CPU per hold, API and Postgres together, at 2,000/s. */
const CPU_TARGET_RATE = 2_000;
const CPU_TARGET_MS = 0.25;
/** A step "keeps up" when the answers came at least this close to the arrival rate. */
const MIN_ACHIEVED_SHARE = 0.98;
/** Beyond this p99 (or below 80% of the rate) the server is overloaded: higher rates are not tried. */
const OVERLOAD_P99_MS = 2_000;
/** Extra steps that narrow down the highest passing rate, to within 10% (or 10/s). */
const REFINE_STEPS = 4;
const REFINE_RESOLUTION = 10;
const MIN_SEATS_PER_HOLD = 1;
const MAX_SEATS_PER_HOLD = 4;
const AVERAGE_SEATS_PER_HOLD = (MIN_SEATS_PER_HOLD + MAX_SEATS_PER_HOLD) / 2;
/** A step is shortened so that it holds at most this share of the stadium (it starts empty). */
const MAX_FILL = 0.75;
/**
 * Fans pick among the seats their live seat map shows free; a hold shows on it this long after it was
 * answered (the live map's 100 ms coalescing window plus delivery). Fans that pick within that window
 * can collide: that is where the conflicts come from.
 */
const MAP_DELAY_MS = 250;
const REQUEST_TIMEOUT_MS = 30_000;
/** After the last scheduled request, how long to wait for the answers still due. */
const DRAIN_MS = REQUEST_TIMEOUT_MS + 5_000;
const FAN_DOMAIN = "holds.bench.invalid";
const PICK_ATTEMPTS = 10_000;
const REDIS_DELETE_BATCH = 1_000;

export const usage = `Usage: pnpm bench holds [options]

Prepares the database frontrow_bench (BENCH_DATABASE_URL overrides), raises the stadium event's
maxTicketsPerAccount (restored at the end), starts the built API, creates N fan accounts (sharing the
password hash of one account made through signUp) and logs every fan in through logIn. Then, on the same
machine:
  (0) { __typename }               closed loop (autocannon): the reference for the API's request rate
  (1) raw Postgres                 32 pg clients: UPDATE event_seat … WHERE status = 'AVAILABLE', prepared
                                   and unnamed: the reference for Postgres
  (2) holdSeats, 1–${MAX_SEATS_PER_HOLD} random seats   open loop at each arrival rate: requests are sent at their
                                   scheduled times and latency counts from then (no coordinated omission)
The stadium is emptied before every step (bench fans' holds ended, their Redis seat locks dropped,
VACUUM), and the hold invariants are checked in SQL after every step. A step passes with p99 < ${TARGET_P99_MS} ms,
≥ ${MIN_ACHIEVED_SHARE * 100}% of the rate answered, no error and the invariants intact. Each step prints its CPU per hold by
process, its rate over the references' and the API's event-loop delay. Rates above an overloaded step are
skipped; then up to ${REFINE_STEPS} more steps narrow down the highest passing rate.

Targets, judged at the rate each names and at every step below it (not in --quick, the steps at those
rates are added to the list): holds/s at p99 < ${TARGET_P99_MS} ms ≥ ${TARGET_SHARE_OF_TYPENAME} × the run's { __typename } req/s;
≤ ${CPU_TARGET_MS} ms of CPU per hold (API + Postgres) at ${integer(CPU_TARGET_RATE)}/s; zero double holds.

  --rates LIST            BENCH_HOLD_RATES    arrival rates, holds/s (${FULL_RATES.join(",")}; --quick ${QUICK_RATES.join(",")})
  --fans N                BENCH_HOLD_FANS     fan accounts (${FULL_FANS}; --quick ${QUICK_FANS})
  --cpu-prof              profile the API (node --cpu-prof) over the whole run, into bench/results/
${loadOptionsUsage}
(--duration is per step, shortened at high rates so a step holds at most ${MAX_FILL * 100}% of the stadium;
--warmup runs at the first rate before the steps; --connections caps the hold generator's keep-alive
connections and sets the { __typename } phase's; --pipelining applies to that phase only.)`;

const parseHoldOptions = (args: string[]) =>
  parseRatedOptions(args, {
    env: "BENCH_HOLD",
    rates: { full: FULL_RATES, quick: QUICK_RATES, max: 20_000 },
    fans: { full: FULL_FANS, quick: QUICK_FANS, max: 20_000 },
  });
type HoldOptions = ReturnType<typeof parseHoldOptions>;

// ---------------------------------------------------------------------------------------------------
// The stadium as the fans see it

/** Which seats the fans' live seat map shows taken: holds appear MAP_DELAY_MS after they were answered. */
class FanSeatMap {
  private readonly taken: Uint8Array;
  private reveals: { at: number; indexes: number[] }[] = [];
  private revealed = 0;
  /** Seats held so far in this step, as the server answered. */
  heldSeats = 0;

  constructor(
    readonly seatIds: readonly number[],
    readonly random: () => number,
  ) {
    this.taken = new Uint8Array(seatIds.length);
  }

  reset(takenIndexes: readonly number[]): void {
    this.taken.fill(0);
    for (const index of takenIndexes) this.taken[index] = 1;
    this.reveals = [];
    this.revealed = 0;
    this.heldSeats = 0;
  }

  /** `count` distinct random seats that look free right now, as indexes into seatIds. */
  pick(count: number, now: number): number[] {
    this.reveal(now);
    const picked: number[] = [];
    for (let attempt = 0; picked.length < count; attempt++) {
      if (attempt >= PICK_ATTEMPTS)
        throw new Error(`No ${count} free-looking seats found: the stadium is full`);
      const index = Math.floor(this.random() * this.seatIds.length);
      if (this.taken[index] === 0 && !picked.includes(index)) picked.push(index);
    }
    return picked;
  }

  held(indexes: number[], now: number): void {
    this.heldSeats += indexes.length;
    this.reveals.push({ at: now + MAP_DELAY_MS, indexes });
  }

  private reveal(now: number): void {
    // Answers arrive roughly in order, so the queue is (nearly) sorted by `at`; bounded by its length.
    while (this.revealed < this.reveals.length) {
      const next = this.reveals[this.revealed];
      if (!next || next.at > now) break;
      for (const index of next.indexes) this.taken[index] = 1;
      this.revealed++;
    }
    if (this.revealed > 10_000) {
      this.reveals = this.reveals.slice(this.revealed);
      this.revealed = 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Setting the stadium back to empty, and checking it

interface StadiumEvent {
  id: number;
  name: string;
  maxTicketsPerAccount: number;
  seatIds: number[];
}

/** A seat's Redis lock, after the API's key prefix: docs/holds.md gives the key space. */
const seatLockKey = (eventId: number, seatId: number) => `{ev:${eventId}}:seat:${seatId}`;

class Stadium {
  constructor(
    private readonly db: PgClient,
    private readonly redis: BenchRedis | undefined,
    private readonly redisKeyPrefix: string,
    readonly event: StadiumEvent,
  ) {}

  /**
   * Frees the seats of every bench fan's hold, ends those holds (kept, as a real database keeps them),
   * drops their Redis seat locks, and vacuums, so that each step starts from the same empty stadium.
   * Returns the seats left taken.
   */
  async reset(): Promise<number[]> {
    await transaction(this.db, async () => {
      await this.db.query(
        `UPDATE event_seat es SET status = 'AVAILABLE', hold_id = NULL, held_until = NULL
         FROM hold h JOIN user_account u ON u.id = h.user_id
         WHERE es.hold_id = h.id AND es.status = 'HELD' AND u.email LIKE $1`,
        [domainEmails(FAN_DOMAIN)],
      );
      await this.db.query(
        `UPDATE hold h SET state = 'RELEASED', ended_at = now() FROM user_account u
         WHERE u.id = h.user_id AND h.state = 'ACTIVE' AND u.email LIKE $1`,
        [domainEmails(FAN_DOMAIN)],
      );
    });
    if (this.redis) {
      const keys = this.event.seatIds.map(
        (seatId) => `${this.redisKeyPrefix}${seatLockKey(this.event.id, seatId)}`,
      );
      for (let start = 0; start < keys.length; start += REDIS_DELETE_BATCH) {
        await this.redis.unlink(...keys.slice(start, start + REDIS_DELETE_BATCH));
      }
    }
    // The churn of a step (every held seat updated twice, holds inserted and ended, the sales counters'
    // deltas appended and folded) is vacuumed away, so steps start alike. A lock held elsewhere only
    // skips it.
    await this.db.query("SET lock_timeout = '5s'");
    await vacuumAnalyze(this.db, "event_seat, hold, sales_count_delta");
    await this.db.query("RESET lock_timeout");
    const { rows } = await this.db.query<{ seatId: number }>(
      `SELECT seat_id AS "seatId" FROM event_seat WHERE event_id = $1 AND status <> 'AVAILABLE'`,
      [this.event.id],
    );
    const indexOf = new Map(this.event.seatIds.map((seatId, index) => [seatId, index]));
    return rows.map((row) => indexOf.get(row.seatId) ?? -1).filter((index) => index >= 0);
  }

  /** The hold invariants in SQL, and the database against what the fans were told. */
  async check(answeredHolds: Map<string, number[]>): Promise<Violations> {
    const { rows } = await this.db.query<{ id: string; seatIds: number[] }>(
      `SELECT h.id, h.seat_ids AS "seatIds" FROM hold h JOIN user_account u ON u.id = h.user_id
       WHERE h.event_id = $1 AND h.state = 'ACTIVE' AND u.email LIKE $2`,
      [this.event.id, domainEmails(FAN_DOMAIN)],
    );
    const sorted = (seats: number[]) => [...seats].sort((x, y) => x - y).join(",");
    const inDatabase = new Map(rows.map((row) => [row.id, row.seatIds]));
    let answeredButWrong = 0;
    for (const [id, seats] of answeredHolds) {
      const stored = inDatabase.get(id);
      if (!stored || sorted(stored) !== sorted(seats)) answeredButWrong++;
    }
    const answeredSeats = [...answeredHolds.values()].flat();
    return {
      ...(await holdInvariants(this.db, this.event.id)),
      /** Holds a fan was given that the database does not have, or with other seats. */
      answeredButWrong,
      /** Active bench holds nobody was told about (e.g. a hold that failed but was stored). */
      storedButNotAnswered: rows.filter((row) => !answeredHolds.has(row.id)).length,
      /** Seats given to two fans, as the fans saw it. */
      seatsAnsweredTwice: answeredSeats.length - new Set(answeredSeats).size,
    };
  }
}

// ---------------------------------------------------------------------------------------------------
// The open-loop hold load

const HOLD_SEATS = `mutation BenchHoldSeats($eventId: ID!, $seatIds: [ID!]!) {
  holdSeats(eventId: $eventId, seatIds: $seatIds) { id seats { id } }
}`;

interface HoldLoadResult {
  requests: number;
  answered: number;
  holds: number;
  conflicts: number;
  errors: number;
  errorExamples: string[];
  /** From the first scheduled send to the last answer. */
  windowS: number;
  /** Every answer; from the scheduled send time. */
  latency: Histogram;
  held: Histogram;
  conflicted: Histogram;
  /** How late this process sent requests after their scheduled time (timer granularity, busy loop). */
  sendLag: Histogram;
  answeredHolds: Map<string, number[]>;
}

/**
 * Sends `rate × durationS` holdSeats requests, each at its scheduled time (start + i / rate) whatever
 * the answers before it did, and measures each from that time: a stalled server is charged for every
 * request it delayed, including those still waiting for a connection here.
 */
async function holdLoad(
  api: RunningApi,
  fans: readonly Fan[],
  map: FanSeatMap,
  eventId: number,
  rate: number,
  durationS: number,
  maxConnections: number,
): Promise<HoldLoadResult> {
  const total = Math.max(1, Math.round(rate * durationS));
  const intervalMs = 1000 / rate;
  const client = new GraphQLClient(api.graphqlUrl, {
    maxSockets: maxConnections,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  const result: HoldLoadResult = {
    requests: total,
    answered: 0,
    holds: 0,
    conflicts: 0,
    errors: 0,
    errorExamples: [],
    windowS: 0,
    latency: latencyHistogram(),
    held: latencyHistogram(),
    conflicted: latencyHistogram(),
    sendLag: latencyHistogram(),
    answeredHolds: new Map(),
  };
  const eventIdText = String(eventId);
  let lastAnswerAt = 0;
  let settled = 0;
  let allSettled: () => void = () => undefined;
  const done = new Promise<void>((resolvePromise) => {
    allSettled = resolvePromise;
  });
  const fail = (problem: string) => {
    result.errors++;
    if (result.errorExamples.length < 5) result.errorExamples.push(problem);
  };

  const send = (index: number, scheduledAt: number) => {
    const now = performance.now();
    recordMs(result.sendLag, now - scheduledAt);
    const fan = fans[index % fans.length] as Fan;
    const count =
      MIN_SEATS_PER_HOLD + Math.floor(map.random() * (MAX_SEATS_PER_HOLD - MIN_SEATS_PER_HOLD + 1));
    const picked = map.pick(count, now);
    const seatIds = picked.map((seat) => map.seatIds[seat] as number);
    const body = JSON.stringify({
      query: HOLD_SEATS,
      variables: { eventId: eventIdText, seatIds: seatIds.map(String) },
    });
    client
      .post(body, fan.cookie)
      .then(
        (response) => {
          const answeredAt = performance.now();
          lastAnswerAt = answeredAt;
          const latencyMs = answeredAt - scheduledAt;
          recordMs(result.latency, latencyMs);
          result.answered++;
          const answer = readAnswer<{ holdSeats?: { id: string; seats: { id: string }[] } | null }>(
            response.status,
            response.text,
          );
          const hold = answer.data?.holdSeats;
          if (answer.ok && hold) {
            const got = hold.seats.map((seat) => Number(seat.id));
            if (got.length !== seatIds.length || !seatIds.every((seatId) => got.includes(seatId))) {
              fail(`hold ${hold.id} has seats ${got.join(",")}, asked for ${seatIds.join(",")}`);
              return;
            }
            result.holds++;
            recordMs(result.held, latencyMs);
            result.answeredHolds.set(hold.id, seatIds);
            map.held(picked, answeredAt);
          } else if (answer.code === "SEATS_UNAVAILABLE" && answer.errors.length === 1) {
            result.conflicts++;
            recordMs(result.conflicted, latencyMs);
          } else {
            const reasons = answer.errors.map((error) => `${error.code}: ${error.message}`);
            fail(`HTTP ${answer.status} ${reasons.join("; ")}`);
          }
        },
        (error: Error) => fail(`request failed: ${error.message}`),
      )
      .finally(() => {
        settled++;
        if (settled === total) allSettled();
      });
  };

  const start = performance.now() + 20;
  let next = 0;
  // Each pass sends what is due or sleeps until the next request is: at most 2 passes per request.
  const maxPasses = 2 * total + Math.ceil(durationS * 2_000) + 100;
  for (let pass = 0; next < total; pass++) {
    if (pass > maxPasses) throw new Error("The request scheduler ran away");
    const now = performance.now();
    while (next < total && start + next * intervalMs <= now) {
      send(next, start + next * intervalMs);
      next++;
    }
    if (next < total) await sleep(Math.max(0, start + next * intervalMs - performance.now()));
  }
  const drained = await Promise.race([done.then(() => true), sleep(DRAIN_MS, false)]);
  if (!drained)
    fail(`${total - settled} requests still unanswered ${DRAIN_MS / 1000} s after the last was sent`);
  client.close();
  result.windowS = (Math.max(lastAnswerAt, start) - start) / 1000;
  return result;
}

// ---------------------------------------------------------------------------------------------------
// The steps

interface StepResult {
  rate: number;
  /** Added between the listed rates to narrow down the highest passing one. */
  refined: boolean;
  durationS: number;
  requests: number;
  answeredPerSecond: number;
  holdsPerSecond: number;
  holds: number;
  conflicts: number;
  /** Conflicts the Redis fast path answered (the rest reached the Postgres guard). */
  conflictsAtRedis: number;
  /** Holds per place_holds statement: how much group commit batched. */
  holdsPerStatement: number;
  errors: number;
  errorExamples: string[];
  latencyMs: Percentiles;
  heldLatencyMs: Percentiles;
  conflictLatencyMs: Percentiles;
  sendLagMs: Percentiles;
  /** Share of the stadium held at the end of the step. */
  fill: number;
  /** CPU per answered request by process, and the API's event loop. */
  cost: StepCost;
  invariants: Violations;
  /** p99 under target, kept up with the rate, no error, invariants hold. */
  pass: boolean;
  /** Monotonic clock (µs, as in a .cpuprofile), to cut this step out of an API CPU profile. */
  monotonicUs: { from: number; to: number };
}

interface Context {
  api: RunningApi;
  meter: Meter;
  fans: Fan[];
  map: FanSeatMap;
  stadium: Stadium;
  settings: LoadSettings;
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

async function holdStep(
  context: Context,
  rate: number,
  durationS: number,
  refined: boolean,
): Promise<StepResult> {
  const { api, meter, fans, map, stadium, settings } = context;
  map.reset(await stadium.reset());
  const from = monotonicUs();
  const mark = await meter.start();
  const load = await holdLoad(api, fans, map, stadium.event.id, rate, durationS, settings.connections);
  const cost = await meter.stop(mark, load.answered);
  const to = monotonicUs();
  const invariants = await stadium.check(load.answeredHolds);
  const latencyMs = percentilesMs(load.latency);
  const window = load.windowS > 0 ? load.windowS : durationS;
  const answeredPerSecond = load.answered / window;
  const { before, after } = cost.metrics;
  const holdStatements = counterDelta(before, after, "frontrow_hold_batch_holds_count");
  return {
    rate,
    refined,
    durationS,
    requests: load.requests,
    answeredPerSecond,
    holdsPerSecond: load.holds / window,
    holds: load.holds,
    conflicts: load.conflicts,
    conflictsAtRedis: counterDelta(before, after, "frontrow_seat_lock_calls_total", {
      operation: "acquire",
      outcome: "conflict",
    }),
    holdsPerStatement:
      counterDelta(before, after, "frontrow_hold_batch_holds_sum") / Math.max(1, holdStatements),
    errors: load.errors,
    errorExamples: load.errorExamples,
    latencyMs,
    heldLatencyMs: percentilesMs(load.held),
    conflictLatencyMs: percentilesMs(load.conflicted),
    sendLagMs: percentilesMs(load.sendLag),
    fill: map.heldSeats / map.seatIds.length,
    cost,
    invariants,
    pass:
      load.errors === 0 &&
      intact(invariants) &&
      latencyMs.p99 < TARGET_P99_MS &&
      answeredPerSecond >= MIN_ACHIEVED_SHARE * rate,
    monotonicUs: { from, to },
  };
}

/** Seconds a step at `rate` may last so that it holds at most MAX_FILL of the stadium. */
function stepDuration(rate: number, settings: LoadSettings, seats: number): number {
  const fillLimitS = (MAX_FILL * seats) / (AVERAGE_SEATS_PER_HOLD * rate);
  return Math.min(settings.durationS, Math.floor(fillLimitS * 10) / 10);
}

const ms = (value: number) => (Number.isNaN(value) ? "–" : milliseconds(value));

function stepSummary(step: StepResult, references: HttpAndPostgresReferences): string {
  return (
    `${integer(step.answeredPerSecond)} answers/s (${ratiosText(step.answeredPerSecond, references)}), ${integer(step.holdsPerSecond)} holds/s, ` +
    `p99 ${ms(step.latencyMs.p99)} ms, ${step.conflicts} conflicts, ${step.errors} errors, ` +
    `invariants ${intact(step.invariants) ? "intact" : "BROKEN"}: ${step.pass ? "PASS" : "FAIL"}\n` +
    `    ${costLine(step.cost)}`
  );
}

interface Measurements {
  references: HttpAndPostgresReferences;
  steps: StepResult[];
  skippedRates: number[];
}

/** Logs the fans in, measures the references, then runs the steps. */
async function measureAll(
  bench: Bench,
  api: RunningApi,
  meter: Meter,
  event: StadiumEvent,
  options: HoldOptions,
): Promise<Measurements> {
  const { settings } = options;
  const stadium = new Stadium(bench.db, bench.redis, api.redisKeyPrefix, event);
  const crowd = { tag: `holds-${bench.startedAt.getTime().toString(36)}`, domain: FAN_DOMAIN };
  const fans = await signedInCrowd(api, bench.db, crowd, options.fans, runPassword(bench));
  const references = await measureHttpAndPostgresReferences(api, meter, settings, bench.databaseUrl, event, {
    unnamedToo: true,
    beforeUpdate: () => stadium.reset(),
  });
  const typename = references.typename.reference;
  const rateTarget = shareOf(typename, TARGET_SHARE_OF_TYPENAME);
  const rates = withTargetRates(options.rates, [rateTarget, CPU_TARGET_RATE], settings.quick);
  console.log(
    `Hold-rate target for this run: ${TARGET_SHARE_OF_TYPENAME} × ${integer(typename.value)} req/s = ${integer(rateTarget)}/s; ` +
      `steps: ${rates.map(integer).join(", ")}/s`,
  );

  const context: Context = {
    api,
    meter,
    fans,
    map: new FanSeatMap(event.seatIds, seededRandom(20261124)),
    stadium,
    settings,
  };
  const firstRate = rates[0] ?? 100;
  // Fans open the seat map before they hold, so the API has read the stadium's layout (once per venue,
  // ~1 s on a loaded machine) before the first step: without it the read ended inside that step.
  await queryGraphQL(api.graphqlUrl, {
    query: "query ($eventId: ID!) { seatMap(eventId: $eventId) { version } }",
    variables: { eventId: String(event.id) },
  });
  if (settings.warmupS > 0) {
    const warmupS = Math.min(settings.warmupS, stepDuration(firstRate, settings, event.seatIds.length));
    console.log(`(2) holdSeats: warm-up at ${integer(firstRate)}/s for ${warmupS} s…`);
    const warmup = await holdStep(context, firstRate, warmupS, false);
    if (warmup.errors) throw new Error(`Errors during the warm-up: ${warmup.errorExamples.join(" | ")}`);
  }
  const steps: StepResult[] = [];
  const skippedRates: number[] = [];
  const runStep = async (rate: number, refined: boolean) => {
    const durationS = stepDuration(rate, settings, event.seatIds.length);
    process.stdout.write(
      `(2) holdSeats at ${integer(rate)}/s for ${durationS} s${refined ? " (refining)" : ""}… `,
    );
    const step = await holdStep(context, rate, durationS, refined);
    steps.push(step);
    console.log(stepSummary(step, references));
    if (step.errors) console.error(`  ERRORS: ${step.errorExamples.join("\n          ")}`);
    return step;
  };
  let overloaded = false;
  for (const rate of rates) {
    if (overloaded) {
      skippedRates.push(rate);
      continue;
    }
    const step = await runStep(rate, false);
    // Errors, or a server far behind: higher rates would only tell the same, louder.
    if (step.errors || step.latencyMs.p99 > OVERLOAD_P99_MS || step.answeredPerSecond < 0.8 * rate) {
      overloaded = true;
    }
  }
  // Then narrow down the highest passing rate between the listed ones (halving when none passed).
  for (let round = 0; round < REFINE_STEPS; round++) {
    const highestPass = Math.max(0, ...steps.filter((step) => step.pass).map((step) => step.rate));
    const lowestFail = Math.min(
      ...steps.filter((step) => !step.pass && step.rate > highestPass).map((step) => step.rate),
    );
    if (!Number.isFinite(lowestFail)) break;
    const gap = lowestFail - highestPass;
    if (highestPass > 0 && gap <= Math.max(REFINE_RESOLUTION, highestPass * 0.1)) break;
    const candidate = Math.round((highestPass > 0 ? highestPass + gap / 2 : lowestFail / 2) / 10) * 10;
    if (candidate <= highestPass || candidate >= lowestFail || candidate < 10) break;
    await runStep(candidate, true);
  }
  steps.sort((a, b) => a.rate - b.rate);
  return { references, steps, skippedRates };
}

// ---------------------------------------------------------------------------------------------------
// Report

function printReport(bench: Bench, options: HoldOptions, event: StadiumEvent, measured: Measurements): void {
  const { steps, skippedRates, references } = measured;
  const stepRows = steps.map((step) => [
    `${integer(step.rate)}/s × ${step.durationS} s${step.refined ? " *" : ""}`,
    integer(step.answeredPerSecond),
    integer(step.holdsPerSecond),
    `${integer(step.conflicts)} (${integer(step.conflictsAtRedis)})`,
    step.holdsPerStatement.toFixed(1),
    String(step.errors),
    ms(step.latencyMs.p50),
    ms(step.latencyMs.p99),
    ms(step.latencyMs.p999),
    ms(step.latencyMs.max),
    `${Math.round(step.fill * 100)}%`,
    ratio(step.answeredPerSecond, references.typename.reference).toFixed(3),
    ratio(step.answeredPerSecond, references.update).toFixed(3),
    ...costCells(step.cost),
    perOperation(serverAndPostgresMs(step.cost)),
    intact(step.invariants) ? "intact" : "BROKEN",
    step.pass ? "PASS" : "FAIL",
  ]);
  console.log(
    `\n${table(
      [
        "arrival rate",
        "answers/s",
        "holds/s",
        "conflicts (Redis)",
        "holds/stmt",
        "errors",
        "p50 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms",
        "fill",
        "× typename",
        "× UPDATE",
        ...costHeader,
        "API+pg/hold",
        "invariants",
        "step",
      ],
      stepRows,
    )}`,
  );
  if (skippedRates.length) {
    console.log(
      `Not run (a lower rate overloaded the API or failed): ${skippedRates.map(integer).join(", ")}/s`,
    );
  }
  console.log(
    `\nholdSeats of ${MIN_SEATS_PER_HOLD}–${MAX_SEATS_PER_HOLD} random seats (among those a fan's live map shows free, ` +
      `holds showing ${MAP_DELAY_MS} ms after their answer) by ${integer(options.fans)} logged-in fans, open loop: ` +
      "latency from each request's scheduled send time (coordinated omission corrected), HDR histogram. " +
      '"answers/s": holds + conflicts answered per second of the step; "conflicts (Redis)": SEATS_UNAVAILABLE ' +
      'answers (those the Redis fast path gave); "holds/stmt": holds per place_holds statement (group commit); ' +
      '"fill": stadium held at the end of the step (each step starts empty); "× typename", "× UPDATE": answers/s ' +
      'over the references below; CPU per answered request; "*": a step added to narrow down the highest ' +
      `passing rate. Generator send lag p99: ${steps.map((step) => ms(step.sendLagMs.p99)).join(" / ")} ms.`,
  );
  console.log(`\n${referenceTable(references)}`);
  console.log(
    `\nEvent ${event.id} "${event.name}", ${integer(event.seatIds.length)} seats. ${costLegend(bench.machine)}`,
  );
}

function judge({ steps, references }: Measurements): { targets: Target[]; problems: string[] } {
  const broken = steps.filter((step) => !intact(step.invariants));
  const errors = steps.reduce((sum, step) => sum + step.errors, 0);
  const targets: Target[] = [
    rateTarget("hold rate", TARGET_P99_MS, TARGET_SHARE_OF_TYPENAME, references.typename.reference, steps),
    cpuTarget("CPU per hold", CPU_TARGET_MS, "answer", steps, CPU_TARGET_RATE),
    {
      name: "no double holds",
      goal: "SQL invariants after every step",
      measured: steps
        .map((step) => `${integer(step.rate)}/s ${intact(step.invariants) ? "ok" : "BROKEN"}`)
        .join(", "),
      pass: broken.length === 0,
    },
  ];
  const problems = [
    ...broken.map(
      (step) => `hold invariants broken at ${step.rate}/s: ${describeViolations(step.invariants)}`,
    ),
    ...(errors
      ? [
          `${errors} requests answered with errors other than SEATS_UNAVAILABLE: ${steps
            .flatMap((step) => step.errorExamples.map((example) => `${step.rate}/s: ${example}`))
            .join(" | ")}`,
        ]
      : []),
    ...referenceOutcome(references).problems,
  ];
  return { targets, problems };
}

export async function run(args: string[]): Promise<number> {
  const options = parseHoldOptions(args);
  const { settings, cpuProfile } = options;
  const bench = await openBench("holds", "Hold benchmark", settings.quick);
  const { db } = bench;
  const { slugs, events } = await seededEvents();
  const slug = slugs.stadiumOnSale;
  const seededLimit = events.find((spec) => spec.slug === slug)?.maxTicketsPerAccount ?? 8;
  const eventRow = (
    await db.query<{ id: number; name: string; limit: number; queueEnabled: boolean }>(
      `SELECT id, name, max_tickets_per_account AS "limit", queue_enabled AS "queueEnabled" FROM event WHERE slug = $1`,
      [slug],
    )
  ).rows[0];
  if (!eventRow || eventRow.queueEnabled) {
    await bench.close();
    throw new SetupError(`The seed has no stadium event "${slug}" without a waiting room`);
  }
  const seatIds = await eventSeatIds(db, eventRow.id);
  const event: StadiumEvent = {
    id: eventRow.id,
    name: eventRow.name,
    maxTicketsPerAccount: eventRow.limit,
    seatIds,
  };
  console.log(
    `Event ${event.id} "${event.name}": ${integer(seatIds.length)} seats; maxTicketsPerAccount ` +
      `${event.maxTicketsPerAccount} → ${integer(seatIds.length)} during the run`,
  );

  // Holds of an earlier, interrupted run go first; the fans and the limit are put back at the end.
  const cleanupStadium = new Stadium(db, undefined, "", event);
  let restoreEvent: () => Promise<void> = async () => undefined;
  // Whatever happens (also Ctrl-C): the stadium emptied, the event's limit as seeded, the fans gone.
  const restore = onShutdown(
    async () => {
      try {
        await cleanupStadium.reset();
        await restoreEvent();
        await deleteFans(db, domainEmails(FAN_DOMAIN));
      } finally {
        await bench.close();
      }
    },
    () => undefined,
  );
  let measured: Measurements;
  try {
    await cleanupStadium.reset();
    // One fan may hold many seats over a run: the limit must never be what refuses a hold.
    restoreEvent = await overrideEvent(
      db,
      event.id,
      { max_tickets_per_account: seatIds.length },
      { max_tickets_per_account: seededLimit },
    );
    measured = await withApi(
      bench,
      {
        cpuProfile,
        // N fans log in from 127.0.0.1 within seconds: the per-IP login limit (30/min) would refuse most.
        // Likewise the hold rate limits (docs/defences.md): a real crowd comes from many addresses.
        env: {
          LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: String(options.fans + 100),
          RATE_LIMITS: withoutRateLimits(["Mutation.holdSeats", "Mutation.holdBestAvailable"]),
        },
      },
      ({ api, meter }) => measureAll(bench, api, meter, event, options),
    );
  } finally {
    await restore();
  }

  printReport(bench, options, event, measured);
  const { targets, problems } = judge(measured);
  return finish({
    scenario: "holds",
    startedAt: bench.startedAt,
    quick: settings.quick,
    machine: bench.machine,
    references: referenceOutcome(measured.references).references,
    targets,
    problems,
    figures: {
      settings,
      options: { rates: options.rates, fans: options.fans },
      event: { id: event.id, name: event.name, seats: seatIds.length },
      model: {
        seatsPerHold: [MIN_SEATS_PER_HOLD, MAX_SEATS_PER_HOLD],
        mapDelayMs: MAP_DELAY_MS,
        maxFill: MAX_FILL,
      },
      typename: measured.references.typename.load,
      updates: measured.references.updates,
      steps: measured.steps,
      skippedRates: measured.skippedRates,
    },
  });
}
