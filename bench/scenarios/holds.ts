// `pnpm bench holds`: many signed-in fans holding random seats of the stadium at a fixed arrival rate.

import { Agent, request } from "node:http";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import * as hdr from "hdr-histogram-js";
import {
  benchDatabaseUrl,
  importApiModule,
  prepareDatabase,
  repoRoot,
  requireApiBuild,
  SetupError,
} from "../lib/api-build.js";
import { apiSummary, type RunningApi, startApi } from "../lib/api-process.js";
import { onShutdown } from "../lib/cleanup.js";
import { machineCpuSeconds, processCpuSeconds } from "../lib/cpu.js";
import { decodedBody, httpRequest, parseGraphQL, postGraphQL } from "../lib/http.js";
import { failures, type LoadResult, measure } from "../lib/load.js";
import { type LoadSettings, loadOptionsUsage, parseLoadOptions, UsageError } from "../lib/options.js";
import { withoutRateLimits } from "../lib/rate-limits.js";
import {
  fileStamp,
  integer,
  type MachineInfo,
  machineInfo,
  milliseconds,
  resultsDir,
  table,
  writeResults,
} from "../lib/report.js";

type PasswordModule = typeof import("../../apps/api/src/modules/auth/password.js");
type RedisModule = typeof import("../../apps/api/src/infra/redis.js");
type SeatLocksModule = typeof import("../../apps/api/src/infra/seat-locks.js");
type CatalogSeedModule = typeof import("../../apps/api/src/seed/catalog.js");
type RedisClient = import("../../apps/api/src/infra/redis.js").RedisClient;

const FULL_RATES = [250, 500, 1_000, 1_500, 2_000, 2_500, 3_000];
const QUICK_RATES = [100, 250];
const FULL_FANS = 1_000;
const QUICK_FANS = 100;
const TARGET_RATE = 2_000;
const TARGET_P99_MS = 50;
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
/** Idle keep-alive sockets are closed before the API's 5 s keep-alive timeout could race a request. */
const IDLE_SOCKET_MS = 4_000;
const LOGIN_CONCURRENCY = 8;
const PG_CLIENTS = 32;
const PG_SECONDS = { full: 5, quick: 2 };
const PG_MAX_UPDATES_PER_SECOND = 200_000;
const FAN_EMAIL_DOMAIN = "holds.bench.invalid";
const FAN_EMAILS = `%@${FAN_EMAIL_DOMAIN}`;
const PICK_ATTEMPTS = 10_000;
const REDIS_DELETE_BATCH = 1_000;

export const usage = `Usage: pnpm bench holds [options]

Prepares the database frontrow_bench (BENCH_DATABASE_URL overrides), creates N fan accounts in it (one
argon2id hash for all), starts the built API, logs every fan in through logIn, and raises the stadium event's
maxTicketsPerAccount (restored at the end). Then, on the same machine:
  (0) { __typename }               closed loop (autocannon), the API's per-request floor
  (1) raw Postgres                 ${PG_CLIENTS} pg clients: UPDATE event_seat … WHERE status = 'AVAILABLE'
  (2) holdSeats, 1–${MAX_SEATS_PER_HOLD} random seats   open loop at each arrival rate: requests are sent at their
                                   scheduled times and latency counts from then (no coordinated omission)
The stadium is emptied before every step (bench fans' holds ended, their Redis seat locks dropped,
VACUUM), and the hold invariants are checked in SQL after every step. A step passes with p99 < ${TARGET_P99_MS} ms,
≥ ${MIN_ACHIEVED_SHARE * 100}% of the rate answered, no error and the invariants intact. Rates above an overloaded step
are skipped; then up to ${REFINE_STEPS} more steps narrow down the highest passing rate.

  --rates LIST            BENCH_HOLD_RATES    arrival rates, holds/s (${FULL_RATES.join(",")}; --quick ${QUICK_RATES.join(",")})
  --fans N                BENCH_HOLD_FANS     fan accounts (${FULL_FANS}; --quick ${QUICK_FANS})
  --cpu-prof              profile the API (node --cpu-prof) over the whole run, into bench/results/
${loadOptionsUsage}
(--duration is per step, shortened at high rates so a step holds at most ${MAX_FILL * 100}% of the stadium;
--warmup runs at the first rate before the steps; --connections caps the hold generator's keep-alive
connections and sets the { __typename } phase's; --pipelining applies to that phase only.)`;

// ---------------------------------------------------------------------------------------------------
// Options

interface HoldOptions {
  rates: number[];
  fans: number;
}

/** Takes `--name value` / `--name=value` out of `args`; the rest goes to the shared option parser. */
function takeOption(args: string[], name: string): { value: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === `--${name}`) {
      value = args[index + 1];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      index++;
    } else if (arg.startsWith(`--${name}=`)) {
      value = arg.slice(name.length + 3);
    } else {
      rest.push(arg);
    }
  }
  return { value, rest };
}

function parseHoldOptions(args: string[]): {
  settings: LoadSettings;
  flags: Record<string, boolean>;
  options: HoldOptions;
} {
  const rates = takeOption(args, "rates");
  const fans = takeOption(rates.rest, "fans");
  const { settings, flags } = parseLoadOptions(fans.rest, { "cpu-prof": { type: "boolean" } });
  const ratesText = rates.value ?? process.env.BENCH_HOLD_RATES;
  const rateList = ratesText
    ? ratesText.split(",").map((part) => Number(part.trim()))
    : settings.quick
      ? QUICK_RATES
      : FULL_RATES;
  if (!rateList.length || rateList.some((rate) => !Number.isInteger(rate) || rate < 1 || rate > 20_000)) {
    throw new UsageError(
      `--rates must be a comma-separated list of integers from 1 to 20000, not "${ratesText}"`,
    );
  }
  const fansText = fans.value ?? process.env.BENCH_HOLD_FANS;
  const fanCount = fansText ? Number(fansText) : settings.quick ? QUICK_FANS : FULL_FANS;
  if (!Number.isInteger(fanCount) || fanCount < 1 || fanCount > 20_000) {
    throw new UsageError(`--fans must be an integer from 1 to 20000, not "${fansText}"`);
  }
  return { settings, flags, options: { rates: rateList, fans: fanCount } };
}

// ---------------------------------------------------------------------------------------------------
// Postgres, through the same pg driver the API uses (resolved from apps/api), typed to what is used here

interface PgResult<Row> {
  rows: Row[];
  rowCount: number | null;
}

interface PgClient {
  connect(): Promise<void>;
  query<Row = Record<string, unknown>>(
    query: string | { name?: string; text: string; values?: unknown[] },
    values?: unknown[],
  ): Promise<PgResult<Row>>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

interface PgModule {
  Client: new (config: { connectionString: string; application_name?: string }) => PgClient;
}

function loadPg(): PgModule {
  const requireFromApi = createRequire(resolve(repoRoot, "apps/api/package.json"));
  return requireFromApi("pg") as PgModule;
}

async function connectPg(pg: PgModule, databaseUrl: string, name: string): Promise<PgClient> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: name });
  // An idle client's connection error (e.g. Postgres restarted) must not crash the run.
  client.on("error", (error) => console.error(`  pg (${name}): ${error.message}`));
  await client.connect();
  return client;
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

/** xorshift32: a seeded generator, so every run picks the same seats in the same order. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

const latencyHistogram = () =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
type Histogram = ReturnType<typeof latencyHistogram>;

interface Percentiles {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Percentiles in milliseconds of a histogram recorded in microseconds. */
function percentiles(histogram: Histogram): Percentiles {
  const at = (percentile: number) =>
    histogram.totalCount ? histogram.getValueAtPercentile(percentile) / 1000 : Number.NaN;
  return {
    count: histogram.totalCount,
    mean: histogram.totalCount ? histogram.mean / 1000 : Number.NaN,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: histogram.totalCount ? histogram.maxValue / 1000 : Number.NaN,
  };
}

const microseconds = (ms: number) => Math.max(1, Math.round(ms * 1000));
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const cores = (value: number | undefined) => (value === undefined ? "?" : value.toFixed(2));
const ms = (value: number) => (Number.isNaN(value) ? "–" : milliseconds(value));

// ---------------------------------------------------------------------------------------------------
// CPU accounting: the API, this process (load generator), Postgres, Redis, and the rest of the machine

interface CpuReading {
  wallMs: number;
  api: number | undefined;
  generator: number;
  machine: number | undefined;
  postgres: Map<number, number>;
  redis: number | undefined;
}

export interface CpuShare {
  api: number | undefined;
  generator: number;
  postgres: number | undefined;
  redis: number | undefined;
  /** Everything else on the machine (other sessions' work, the kernel's softirqs…). */
  other: number | undefined;
}

class CpuMeter {
  constructor(
    private readonly admin: PgClient,
    private readonly api: RunningApi,
    private readonly redisPid: number | undefined,
  ) {}

  /** Postgres processes that work for this benchmark: its database's backends and the auxiliary ones. */
  private async postgresPids(): Promise<number[]> {
    const { rows } = await this.admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR backend_type <> 'client backend'`,
    );
    return rows.map((row) => row.pid);
  }

  async read(): Promise<CpuReading> {
    const pids = await this.postgresPids();
    const usage = process.cpuUsage();
    const postgres = new Map<number, number>();
    for (const pid of pids) {
      const seconds = processCpuSeconds(pid);
      if (seconds !== undefined) postgres.set(pid, seconds);
    }
    return {
      wallMs: performance.now(),
      api: this.api.cpuSeconds(),
      generator: (usage.user + usage.system) / 1e6,
      machine: machineCpuSeconds(),
      postgres,
      redis: this.redisPid === undefined ? undefined : processCpuSeconds(this.redisPid),
    };
  }

  /** Cores busy between two readings. Postgres backends that ended meanwhile are not counted. */
  static between(before: CpuReading, after: CpuReading): CpuShare {
    const seconds = (after.wallMs - before.wallMs) / 1000;
    const delta = (from: number | undefined, to: number | undefined) =>
      from === undefined || to === undefined ? undefined : (to - from) / seconds;
    let postgresSeconds = 0;
    for (const [pid, total] of after.postgres) postgresSeconds += total - (before.postgres.get(pid) ?? 0);
    const api = delta(before.api, after.api);
    const generator = (after.generator - before.generator) / seconds;
    const postgres = after.postgres.size ? postgresSeconds / seconds : undefined;
    const redis = delta(before.redis, after.redis);
    const machine = delta(before.machine, after.machine);
    const known = [api, postgres, redis].reduce<number>((sum, value) => sum + (value ?? 0), generator);
    return {
      api,
      generator,
      postgres,
      redis,
      other: machine === undefined ? undefined : Math.max(0, machine - known),
    };
  }
}

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
// Fans: accounts created in the database, sessions from the API's logIn

interface Fan {
  email: string;
  cookie: string;
}

async function createFans(db: PgClient, password: PasswordModule, count: number, secret: string) {
  const passwordHash = await password.hashPassword(secret);
  await db.query(
    `INSERT INTO user_account (id, email, password_hash, name)
     SELECT gen_random_uuid(), 'bench-fan-' || lpad(i::text, 5, '0') || '@' || $3::text, $1::text, 'Bench fan ' || i
     FROM generate_series(1, $2::int) AS i
     ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, blocked_at = NULL`,
    [passwordHash, count, FAN_EMAIL_DOMAIN],
  );
  return Array.from(
    { length: count },
    (_, index) => `bench-fan-${String(index + 1).padStart(5, "0")}@${FAN_EMAIL_DOMAIN}`,
  );
}

const LOG_IN = `mutation BenchLogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { id }
}`;

async function logIn(api: RunningApi, email: string, password: string): Promise<Fan> {
  const response = await postGraphQL(api.graphqlUrl, { query: LOG_IN, variables: { email, password } });
  parseGraphQL<{ logIn: { id: string } }>(response);
  const setCookie = response.headers["set-cookie"] ?? [];
  const session = setCookie.map((cookie) => /^frontrow_session=([^;]+)/.exec(cookie)?.[1]).find(Boolean);
  if (!session) throw new Error(`logIn for ${email} set no frontrow_session cookie`);
  return { email, cookie: `frontrow_session=${session}` };
}

async function logInAll(api: RunningApi, emails: string[], password: string): Promise<Fan[]> {
  const fans: Fan[] = new Array(emails.length);
  let next = 0;
  const worker = async () => {
    while (next < emails.length) {
      const index = next++;
      fans[index] = await logIn(api, emails[index] ?? "", password);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOGIN_CONCURRENCY, emails.length) }, worker));
  return fans;
}

// ---------------------------------------------------------------------------------------------------
// Setting the stadium back to empty, and checking it

interface StadiumEvent {
  id: number;
  name: string;
  maxTicketsPerAccount: number;
  seatIds: number[];
}

class Stadium {
  constructor(
    private readonly db: PgClient,
    private readonly redis: RedisClient | undefined,
    private readonly redisKeyPrefix: string,
    private readonly seatLockKey: SeatLocksModule["seatLockKey"],
    readonly event: StadiumEvent,
  ) {}

  /**
   * Frees the seats of every bench fan's hold, deletes those holds and their Redis seat locks, and
   * vacuums, so that each step starts from the same empty stadium. Returns the seats left taken.
   */
  async reset(): Promise<number[]> {
    await this.db.query("BEGIN");
    try {
      await this.db.query(
        `UPDATE event_seat es SET status = 'AVAILABLE', hold_id = NULL, held_until = NULL
         FROM hold h JOIN user_account u ON u.id = h.user_id
         WHERE es.hold_id = h.id AND es.status = 'HELD' AND u.email LIKE $1`,
        [FAN_EMAILS],
      );
      await this.db.query(
        `UPDATE hold h SET state = 'RELEASED', ended_at = now() FROM user_account u
         WHERE u.id = h.user_id AND h.state = 'ACTIVE' AND u.email LIKE $1`,
        [FAN_EMAILS],
      );
      await this.db.query("COMMIT");
    } catch (error) {
      await this.db.query("ROLLBACK");
      throw error;
    }
    if (this.redis) {
      const keys = this.event.seatIds.map(
        (seatId) => `${this.redisKeyPrefix}${this.seatLockKey(this.event.id, seatId)}`,
      );
      for (let start = 0; start < keys.length; start += REDIS_DELETE_BATCH) {
        await this.redis.unlink(...keys.slice(start, start + REDIS_DELETE_BATCH));
      }
    }
    // The churn of a step (every held seat updated twice, holds inserted and deleted) is vacuumed away,
    // so steps start alike. A lock held elsewhere only skips it.
    await this.db.query("SET lock_timeout = '5s'");
    await this.db
      .query("VACUUM (ANALYZE) event_seat, hold")
      .catch((error: Error) => console.error(`  (vacuum skipped: ${error.message})`));
    await this.db.query("RESET lock_timeout");
    const { rows } = await this.db.query<{ seatId: number }>(
      `SELECT seat_id AS "seatId" FROM event_seat WHERE event_id = $1 AND status <> 'AVAILABLE'`,
      [this.event.id],
    );
    const indexOf = new Map(this.event.seatIds.map((seatId, index) => [seatId, index]));
    return rows.map((row) => indexOf.get(row.seatId) ?? -1).filter((index) => index >= 0);
  }

  /** The hold invariants in SQL, and the database against what the fans were told. */
  async check(answeredHolds: Map<string, number[]>): Promise<InvariantResult> {
    const eventId = this.event.id;
    const count = async (sql: string, values: unknown[]) =>
      (await this.db.query<{ n: number }>(sql, values)).rows[0]?.n ?? -1;
    const seatsInTwoActiveHolds = await count(
      `SELECT count(*)::int AS n FROM (
         SELECT seat_id FROM hold h CROSS JOIN LATERAL unnest(h.seat_ids) AS seat_id
         WHERE h.event_id = $1 AND h.state = 'ACTIVE' GROUP BY seat_id HAVING count(*) > 1) twice`,
      [eventId],
    );
    const heldSeatsWithoutTheirHold = await count(
      `SELECT count(*)::int AS n FROM event_seat es LEFT JOIN hold h ON h.id = es.hold_id
       WHERE es.event_id = $1 AND es.status = 'HELD'
         AND (h.id IS NULL OR h.state <> 'ACTIVE' OR NOT (es.seat_id = ANY (h.seat_ids)))`,
      [eventId],
    );
    const liveHoldSeatsNotHeld = await count(
      `SELECT count(*)::int AS n FROM hold h CROSS JOIN LATERAL unnest(h.seat_ids) AS wanted(seat_id)
       LEFT JOIN event_seat es ON es.event_id = h.event_id AND es.seat_id = wanted.seat_id
       WHERE h.event_id = $1 AND h.state = 'ACTIVE' AND h.expires_at > now()
         AND (es.status IS DISTINCT FROM 'HELD' OR es.hold_id IS DISTINCT FROM h.id)`,
      [eventId],
    );
    const { rows } = await this.db.query<{ id: string; seatIds: number[] }>(
      `SELECT h.id, h.seat_ids AS "seatIds" FROM hold h JOIN user_account u ON u.id = h.user_id
       WHERE h.event_id = $1 AND h.state = 'ACTIVE' AND u.email LIKE $2`,
      [eventId, FAN_EMAILS],
    );
    const sorted = (seats: number[]) => [...seats].sort((x, y) => x - y).join(",");
    const sameSeats = (a: number[], b: number[]) => sorted(a) === sorted(b);
    const inDatabase = new Map(rows.map((row) => [row.id, row.seatIds]));
    let answeredButWrong = 0;
    for (const [id, seats] of answeredHolds) {
      const stored = inDatabase.get(id);
      if (!stored || !sameSeats(stored, seats)) answeredButWrong++;
    }
    const storedButNotAnswered = rows.filter((row) => !answeredHolds.has(row.id)).length;
    const answeredSeats = [...answeredHolds.values()].flat();
    const seatsAnsweredTwice = answeredSeats.length - new Set(answeredSeats).size;
    const checks = {
      seatsInTwoActiveHolds,
      heldSeatsWithoutTheirHold,
      liveHoldSeatsNotHeld,
      answeredButWrong,
      storedButNotAnswered,
      seatsAnsweredTwice,
    };
    return { ...checks, pass: Object.values(checks).every((value) => value === 0) };
  }
}

interface InvariantResult {
  /** Seats in two ACTIVE holds (double holds). */
  seatsInTwoActiveHolds: number;
  /** HELD seats whose hold is missing, not ACTIVE, or does not list the seat. */
  heldSeatsWithoutTheirHold: number;
  /** Seats of a live hold that are not HELD by it (all or nothing). */
  liveHoldSeatsNotHeld: number;
  /** Holds a fan was given that the database does not have, or with other seats. */
  answeredButWrong: number;
  /** Active bench holds nobody was told about (e.g. a hold that failed but was stored). */
  storedButNotAnswered: number;
  /** Seats given to two fans, as the fans saw it. */
  seatsAnsweredTwice: number;
  pass: boolean;
}

// ---------------------------------------------------------------------------------------------------
// The open-loop hold load

const HOLD_SEATS = `mutation BenchHoldSeats($eventId: ID!, $seatIds: [ID!]!) {
  holdSeats(eventId: $eventId, seatIds: $seatIds) { id seats { id } }
}`;

interface HoldAnswer {
  data?: { holdSeats?: { id: string; seats: { id: string }[] } | null } | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

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

function postHold(
  agent: Agent,
  url: URL,
  cookie: string,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          cookie,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () =>
          resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on("error", reject);
    req.end(body);
  });
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
  const agent = new Agent({ keepAlive: true, maxSockets: maxConnections, timeout: IDLE_SOCKET_MS });
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
    result.sendLag.recordValue(microseconds(now - scheduledAt));
    const fan = fans[index % fans.length] as Fan;
    const count =
      MIN_SEATS_PER_HOLD + Math.floor(map.random() * (MAX_SEATS_PER_HOLD - MIN_SEATS_PER_HOLD + 1));
    const picked = map.pick(count, now);
    const seatIds = picked.map((seat) => map.seatIds[seat] as number);
    const body = JSON.stringify({
      query: HOLD_SEATS,
      variables: { eventId: eventIdText, seatIds: seatIds.map(String) },
    });
    postHold(agent, api.graphqlUrl, fan.cookie, body)
      .then(
        (response) => {
          const answeredAt = performance.now();
          lastAnswerAt = answeredAt;
          const latencyUs = microseconds(answeredAt - scheduledAt);
          result.latency.recordValue(latencyUs);
          result.answered++;
          let answer: HoldAnswer;
          try {
            answer = JSON.parse(response.body) as HoldAnswer;
          } catch {
            fail(`HTTP ${response.status}, not JSON: ${response.body.slice(0, 120)}`);
            return;
          }
          const hold = answer.data?.holdSeats;
          const code = answer.errors?.[0]?.extensions?.code;
          if (response.status === 200 && hold && !answer.errors?.length) {
            const got = hold.seats.map((seat) => Number(seat.id));
            if (got.length !== seatIds.length || !seatIds.every((seatId) => got.includes(seatId))) {
              fail(`hold ${hold.id} has seats ${got.join(",")}, asked for ${seatIds.join(",")}`);
              return;
            }
            result.holds++;
            result.held.recordValue(latencyUs);
            result.answeredHolds.set(hold.id, seatIds);
            map.held(picked, answeredAt);
          } else if (code === "SEATS_UNAVAILABLE" && answer.errors?.length === 1) {
            result.conflicts++;
            result.conflicted.recordValue(latencyUs);
          } else {
            const reasons = answer.errors?.map(
              (error) => `${error.extensions?.code ?? "?"}: ${error.message}`,
            );
            fail(`HTTP ${response.status} ${reasons?.join("; ") ?? response.body.slice(0, 120)}`);
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
  agent.destroy();
  result.windowS = (Math.max(lastAnswerAt, start) - start) / 1000;
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Server metrics

interface ServerCounts {
  /** SEATS_UNAVAILABLE answers the Redis fast path gave. */
  redisConflicts: number;
  /** place_holds statements, and the holds they carried (group commit). */
  holdStatements: number;
  batchedHolds: number;
}

async function serverCounts(api: RunningApi): Promise<ServerCounts> {
  const text = (await httpRequest(new URL("/metrics", api.baseUrl), { timeoutMs: 5_000 })).body.toString(
    "utf8",
  );
  let redisConflicts = 0;
  for (const match of text.matchAll(/^frontrow_seat_lock_calls_total\{([^}]*)\} (\S+)$/gm)) {
    const labels = match[1] ?? "";
    if (labels.includes('operation="acquire"') && labels.includes('outcome="conflict"')) {
      redisConflicts += Number(match[2]);
    }
  }
  const single = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
  return {
    redisConflicts,
    holdStatements: single("frontrow_hold_batch_holds_count"),
    batchedHolds: single("frontrow_hold_batch_holds_sum"),
  };
}

// ---------------------------------------------------------------------------------------------------
// The phases

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
  cpu: CpuShare;
  /** CPU milliseconds per answered request. */
  cpuMsPerAnswer: { api: number | undefined; postgres: number | undefined };
  invariants: InvariantResult;
  /** p99 under target, kept up with the rate, no error, invariants hold. */
  pass: boolean;
  /** Monotonic clock (µs, as in a .cpuprofile), to cut this step out of an API CPU profile. */
  monotonicUs: { from: number; to: number };
}

interface Context {
  api: RunningApi;
  fans: Fan[];
  map: FanSeatMap;
  stadium: Stadium;
  meter: CpuMeter;
  settings: LoadSettings;
}

async function holdStep(
  context: Context,
  rate: number,
  durationS: number,
  refined: boolean,
): Promise<StepResult> {
  const { api, fans, map, stadium, meter, settings } = context;
  map.reset(await stadium.reset());
  const countsBefore = await serverCounts(api);
  const from = monotonicUs();
  const cpuBefore = await meter.read();
  const load = await holdLoad(api, fans, map, stadium.event.id, rate, durationS, settings.connections);
  const cpuAfter = await meter.read();
  const to = monotonicUs();
  const countsAfter = await serverCounts(api);
  const invariants = await stadium.check(load.answeredHolds);
  const latencyMs = percentiles(load.latency);
  const window = load.windowS > 0 ? load.windowS : durationS;
  const answeredPerSecond = load.answered / window;
  const cpu = CpuMeter.between(cpuBefore, cpuAfter);
  const cpuMsPerAnswer = (cores: number | undefined) =>
    cores === undefined || load.answered === 0 ? undefined : (cores * 1000) / answeredPerSecond;
  return {
    rate,
    refined,
    durationS,
    requests: load.requests,
    answeredPerSecond,
    holdsPerSecond: load.holds / window,
    holds: load.holds,
    conflicts: load.conflicts,
    conflictsAtRedis: countsAfter.redisConflicts - countsBefore.redisConflicts,
    holdsPerStatement:
      (countsAfter.batchedHolds - countsBefore.batchedHolds) /
      Math.max(1, countsAfter.holdStatements - countsBefore.holdStatements),
    errors: load.errors,
    errorExamples: load.errorExamples,
    latencyMs,
    heldLatencyMs: percentiles(load.held),
    conflictLatencyMs: percentiles(load.conflicted),
    sendLagMs: percentiles(load.sendLag),
    fill: map.heldSeats / map.seatIds.length,
    cpu,
    cpuMsPerAnswer: { api: cpuMsPerAnswer(cpu.api), postgres: cpuMsPerAnswer(cpu.postgres) },
    invariants,
    pass:
      load.errors === 0 &&
      invariants.pass &&
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

interface PostgresRateResult {
  prepared: boolean;
  clients: number;
  seconds: number;
  updates: number;
  rowsUpdated: number;
  updatesPerSecond: number;
  latencyMs: Percentiles;
  cpu: CpuShare;
}

const CONDITIONAL_UPDATE =
  "UPDATE event_seat SET version = version + 1 WHERE event_id = $1 AND seat_id = $2 AND status = 'AVAILABLE'";

/** What Postgres alone does here: one conditional single-row UPDATE per transaction, 32 clients. */
async function postgresUpdateRate(
  pg: PgModule,
  databaseUrl: string,
  event: StadiumEvent,
  meter: CpuMeter,
  seconds: number,
  prepared: boolean,
): Promise<PostgresRateResult> {
  const clients = await Promise.all(
    Array.from({ length: PG_CLIENTS }, (_, index) =>
      connectPg(pg, databaseUrl, `bench-holds-update-${index}`),
    ),
  );
  const histogram = latencyHistogram();
  const random = seededRandom(7);
  let updates = 0;
  let rowsUpdated = 0;
  const maxUpdatesPerClient = Math.ceil((seconds * PG_MAX_UPDATES_PER_SECOND) / PG_CLIENTS);
  try {
    const cpuBefore = await meter.read();
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      clients.map(async (client) => {
        for (let done = 0; done < maxUpdatesPerClient && performance.now() < deadline; done++) {
          const seatId = event.seatIds[Math.floor(random() * event.seatIds.length)];
          const sent = performance.now();
          // Unnamed, Postgres parses and plans the statement every time, as it does Prisma's queries (its
          // pg adapter sends them unnamed); named, it plans once per connection, as the hold path's do.
          const result = await client.query({
            ...(prepared ? { name: "bench-conditional-update" } : {}),
            text: CONDITIONAL_UPDATE,
            values: [event.id, seatId],
          });
          histogram.recordValue(microseconds(performance.now() - sent));
          updates++;
          rowsUpdated += result.rowCount ?? 0;
        }
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;
    const cpuAfter = await meter.read();
    return {
      prepared,
      clients: PG_CLIENTS,
      seconds: elapsedS,
      updates,
      rowsUpdated,
      updatesPerSecond: updates / elapsedS,
      latencyMs: percentiles(histogram),
      cpu: CpuMeter.between(cpuBefore, cpuAfter),
    };
  } finally {
    await Promise.allSettled(clients.map((client) => client.end()));
  }
}

// ---------------------------------------------------------------------------------------------------
// Report

interface Measurements {
  baseline: LoadResult;
  baselineProblems: string[];
  postgres: PostgresRateResult[];
  steps: StepResult[];
  skippedRates: number[];
}

function printReport(
  settings: LoadSettings,
  options: HoldOptions,
  machine: MachineInfo,
  event: StadiumEvent,
  { baseline, postgres, steps, skippedRates }: Measurements,
): void {
  const cpuCells = (cpu: CpuShare) => [
    cores(cpu.api),
    cores(cpu.generator),
    cores(cpu.postgres),
    cores(cpu.redis),
    cores(cpu.other),
  ];
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
    ms(step.heldLatencyMs.p99),
    `${Math.round(step.fill * 100)}%`,
    ...cpuCells(step.cpu),
    `${ms(step.cpuMsPerAnswer.api ?? Number.NaN)} / ${ms(step.cpuMsPerAnswer.postgres ?? Number.NaN)}`,
    step.invariants.pass ? "PASS" : "FAIL",
    step.pass ? "yes" : "no",
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
        "held p99",
        "fill",
        "CPU: API",
        "gen",
        "pg",
        "redis",
        "other",
        "ms/answer API / pg",
        "invariants",
        `p99<${TARGET_P99_MS}`,
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
      '"answers/s": holds + conflicts answered per second of the step; "held p99": successful holds only; ' +
      '"conflicts (Redis)": SEATS_UNAVAILABLE answers (those the Redis fast path gave); "holds/stmt": holds ' +
      'per place_holds statement (group commit); "fill": stadium ' +
      'held at the end of the step (each step starts empty); "ms/answer": CPU per answered request; "*": ' +
      `a step added to narrow down the highest passing rate. Generator send lag p99: ${steps
        .map((step) => ms(step.sendLagMs.p99))
        .join(" / ")} ms.`,
  );
  console.log(
    `\n${table(
      ["closed-loop reference", "rate", "p50 ms", "p99 ms", "CPU: API", "gen", "pg", "redis", "other"],
      [
        [
          `(0) { __typename }, ${settings.connections} connections`,
          `${integer(baseline.requestsPerSecond)} req/s`,
          String(baseline.latencyMs.p50),
          String(baseline.latencyMs.p99),
          cores(baseline.cpu.api),
          cores(baseline.cpu.loadGenerator),
          "",
          "",
          cores(baseline.cpu.others),
        ],
        ...postgres.map((phase) => [
          `(1) pg UPDATE … status = 'AVAILABLE', ${phase.clients} clients, ${phase.prepared ? "prepared" : "unnamed"}`,
          `${integer(phase.updatesPerSecond)} upd/s`,
          ms(phase.latencyMs.p50),
          ms(phase.latencyMs.p99),
          cores(phase.cpu.api),
          cores(phase.cpu.generator),
          cores(phase.cpu.postgres),
          cores(phase.cpu.redis),
          cores(phase.cpu.other),
        ]),
      ],
    )}`,
  );
  console.log(
    `\nEvent ${event.id} "${event.name}", ${integer(event.seatIds.length)} seats. CPU in cores busy (${machine.cpus} = the ` +
      "whole machine): the API process; this process (the load generator: it shares the machine with the API, " +
      "Postgres and Redis); Postgres (the bench database's backends and its auxiliary processes); Redis; the rest.",
  );
  const busiest = Math.max(...steps.map((step) => step.cpu.other ?? 0));
  if (busiest > 0.25) {
    console.log(
      `WARNING: other processes kept up to ${cores(busiest)} cores busy during a step: the figures are lower ` +
        "than on a quiet machine.",
    );
  }
}

// ---------------------------------------------------------------------------------------------------

interface RunOptions {
  settings: LoadSettings;
  options: HoldOptions;
  profile: { dir: string; name: string } | undefined;
}

/** Starts the API, logs the fans in and runs the phases; the API and the run's Redis keys go after. */
async function measureAll(
  pg: PgModule,
  databaseUrl: string,
  db: PgClient,
  event: StadiumEvent,
  fanLogins: { emails: string[]; secret: string },
  api: { redis: RedisModule; seatLocks: SeatLocksModule },
  { settings, options, profile }: RunOptions,
): Promise<Measurements> {
  const server = await startApi({
    databaseUrl,
    nodeArgs: profile
      ? ["--cpu-prof", `--cpu-prof-dir=${profile.dir}`, `--cpu-prof-name=${profile.name}`]
      : [],
    // N fans log in from 127.0.0.1 within seconds: the per-IP login limit (30/min) would refuse most.
    // Likewise the hold rate limits (docs/defences.md): a real crowd comes from many addresses.
    env: {
      LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: String(options.fans + 100),
      RATE_LIMITS: withoutRateLimits(["Mutation.holdSeats", "Mutation.holdBestAvailable"]),
    },
  });
  const redis = api.redis.createRedis(
    { url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", keyPrefix: "", commandTimeoutMs: 5_000 },
    "bench-holds",
  );
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    const redisPid = Number(/process_id:(\d+)/.exec(await redis.info("server"))?.[1]) || undefined;
    console.log(`API at ${server.graphqlUrl} (${apiSummary(server)})`);
    const stadium = new Stadium(db, redis, server.redisKeyPrefix, api.seatLocks.seatLockKey, event);
    const loginStarted = performance.now();
    process.stdout.write(`Logging ${integer(options.fans)} fans in through logIn… `);
    const fans = await logInAll(server, fanLogins.emails, fanLogins.secret);
    console.log(`${((performance.now() - loginStarted) / 1000).toFixed(1)} s`);
    const meter = new CpuMeter(db, server, redisPid);

    console.log(`(0) { __typename }, closed loop, ${settings.connections} connections…`);
    const reference = await postGraphQL(server.graphqlUrl, { query: "{ __typename }" });
    parseGraphQL<{ __typename: string }>(reference);
    const referenceBody = decodedBody(reference).toString("utf8");
    const baseline = await measure(
      {
        url: server.graphqlUrl,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ __typename }" }),
        readsBody: true,
        check: (_headers, body) =>
          body === referenceBody ? undefined : `unexpected body ${body.slice(0, 120)}`,
      },
      settings,
      server.cpuSeconds,
    );

    const pgSeconds = settings.quick ? PG_SECONDS.quick : PG_SECONDS.full;
    const postgres: PostgresRateResult[] = [];
    for (const prepared of [true, false]) {
      console.log(
        `(1) raw Postgres conditional UPDATE, ${PG_CLIENTS} clients, ${prepared ? "prepared" : "unnamed"}, ${pgSeconds} s…`,
      );
      await stadium.reset();
      postgres.push(await postgresUpdateRate(pg, databaseUrl, event, meter, pgSeconds, prepared));
    }

    const context: Context = {
      api: server,
      fans,
      map: new FanSeatMap(event.seatIds, seededRandom(20261124)),
      stadium,
      meter,
      settings,
    };
    const firstRate = options.rates[0] ?? 100;
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
      console.log(
        `${integer(step.answeredPerSecond)} answers/s, ${integer(step.holdsPerSecond)} holds/s, ` +
          `p99 ${ms(step.latencyMs.p99)} ms, ${step.conflicts} conflicts, ${step.errors} errors, ` +
          `invariants ${step.invariants.pass ? "PASS" : "FAIL"}`,
      );
      if (step.errors) console.error(`  ERRORS: ${step.errorExamples.join("\n          ")}`);
      return step;
    };
    let overloaded = false;
    for (const rate of options.rates) {
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
    return { baseline, baselineProblems: failures(baseline), postgres, steps, skippedRates };
  } finally {
    await server.stop();
    // The run's Redis keys (sessions, login limits, seat locks) carry its own prefix: drop them all.
    if (redis.status === "ready") {
      let cursor = "0";
      for (let round = 0; round < 100_000; round++) {
        const [nextCursor, keys] = await redis.scan(
          cursor,
          "MATCH",
          `${server.redisKeyPrefix}*`,
          "COUNT",
          1_000,
        );
        if (keys.length) await redis.unlink(...keys);
        cursor = nextCursor;
        if (cursor === "0") break;
      }
    }
    redis.disconnect();
  }
}

export async function run(args: string[]): Promise<number> {
  const { settings, flags, options } = parseHoldOptions(args);
  requireApiBuild();
  const startedAt = new Date();
  const stamp = fileStamp(startedAt);
  // Taken before the run: a load average above zero here means other work shares the CPUs.
  const machine = machineInfo();
  const databaseUrl = benchDatabaseUrl();
  const databaseName = new URL(databaseUrl).pathname.slice(1);
  console.log(
    `Hold benchmark${settings.quick ? " (quick smoke run: figures are indicative only)" : ""}: ` +
      `${machine.cpus} cores, load average ${machine.loadAverage1m} before the run, node ${machine.node}`,
  );
  process.stdout.write(`Preparing database ${databaseName} (migrate, seed)… `);
  const preparation = await prepareDatabase(databaseUrl);
  console.log(`done in ${((preparation.migrateMs + preparation.seedMs) / 1000).toFixed(1)} s`);

  const [password, redisModule, seatLocks, catalog] = await Promise.all([
    importApiModule<PasswordModule>("modules/auth/password.js"),
    importApiModule<RedisModule>("infra/redis.js"),
    importApiModule<SeatLocksModule>("infra/seat-locks.js"),
    importApiModule<CatalogSeedModule>("seed/catalog.js"),
  ]);
  const pg = loadPg();
  const db = await connectPg(pg, databaseUrl, "bench-holds");
  // Two runs on one database would empty each other's stadium and delete each other's fans. The lock is
  // the connection's: it goes with it, also when this process dies.
  const { rows: lock } = await db.query<{ locked: boolean }>(
    "SELECT pg_try_advisory_lock(hashtext('frontrow:bench:holds')) AS locked",
  );
  if (!lock[0]?.locked) {
    await db.end();
    throw new SetupError(
      `Another \`pnpm bench holds\` is running against ${databaseName}: wait for it to end.`,
    );
  }

  const slug = catalog.NOTABLE_EVENT_SLUGS.stadiumOnSale;
  const seededLimit = catalog.EVENTS.find((spec) => spec.slug === slug)?.maxTicketsPerAccount ?? 8;
  const eventRow = (
    await db.query<{ id: number; name: string; limit: number; queueEnabled: boolean }>(
      `SELECT id, name, max_tickets_per_account AS "limit", queue_enabled AS "queueEnabled" FROM event WHERE slug = $1`,
      [slug],
    )
  ).rows[0];
  if (!eventRow || eventRow.queueEnabled) {
    await db.end();
    throw new Error(`The seed has no stadium event "${slug}" without a waiting room`);
  }
  const seatIds = (
    await db.query<{ seatId: number }>(
      `SELECT seat_id AS "seatId" FROM event_seat WHERE event_id = $1 ORDER BY seat_id`,
      [eventRow.id],
    )
  ).rows.map((row) => row.seatId);
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
  const cleanupStadium = new Stadium(db, undefined, "", seatLocks.seatLockKey, event);
  // Whatever happens (also Ctrl-C): the stadium emptied, the event's limit as seeded, the fans gone.
  const restore = onShutdown(
    async () => {
      try {
        await cleanupStadium.reset();
        await db.query(`UPDATE event SET max_tickets_per_account = $2 WHERE id = $1`, [
          event.id,
          seededLimit,
        ]);
        await db.query(`DELETE FROM hold h USING user_account u WHERE u.id = h.user_id AND u.email LIKE $1`, [
          FAN_EMAILS,
        ]);
        await db.query(`DELETE FROM user_account WHERE email LIKE $1`, [FAN_EMAILS]);
      } finally {
        await db.end();
      }
    },
    () => undefined,
  );
  const profile = flags["cpu-prof"] ? { dir: resultsDir, name: `holds-${stamp}-api.cpuprofile` } : undefined;
  let measurements: Measurements;
  try {
    await cleanupStadium.reset();
    const secret = `bench-${startedAt.getTime().toString(36)}-${Math.random().toString(36).slice(2)}`;
    process.stdout.write(`Creating ${integer(options.fans)} fan accounts (one argon2id hash)… `);
    const emails = await createFans(db, password, options.fans, secret);
    console.log("done");
    // One fan may hold many seats over a run: the limit must never be what refuses a hold.
    await db.query(`UPDATE event SET max_tickets_per_account = $2 WHERE id = $1`, [event.id, seatIds.length]);
    measurements = await measureAll(
      pg,
      databaseUrl,
      db,
      event,
      { emails, secret },
      { redis: redisModule, seatLocks },
      { settings, options, profile },
    );
  } finally {
    await restore();
  }

  printReport(settings, options, machine, event, measurements);
  const { steps } = measurements;
  const best = steps
    .filter((step) => step.pass)
    .reduce<StepResult | undefined>((top, step) => (!top || step.rate > top.rate ? step : top), undefined);
  const errors = steps.reduce((sum, step) => sum + step.errors, 0);
  const invariantsHold = steps.every((step) => step.invariants.pass);
  const targetMet = best !== undefined && best.rate >= TARGET_RATE;
  console.log(
    `\n${table(
      ["target", "goal", "measured", ""],
      [
        [
          "hold rate",
          `≥ ${integer(TARGET_RATE)}/s, p99 < ${TARGET_P99_MS} ms`,
          best
            ? `highest passing step ${integer(best.rate)}/s: ${integer(best.answeredPerSecond)} answers/s ` +
              `(${integer(best.holdsPerSecond)} holds/s), p99 ${ms(best.latencyMs.p99)} ms`
            : "no step passed",
          targetMet ? "PASS" : "FAIL",
        ],
        [
          "no double holds",
          "SQL invariants after each step",
          steps.map((step) => `${integer(step.rate)}/s ${step.invariants.pass ? "ok" : "BROKEN"}`).join(", "),
          invariantsHold ? "PASS" : "FAIL",
        ],
        ["errors", "0 besides SEATS_UNAVAILABLE", integer(errors), errors === 0 ? "PASS" : "FAIL"],
      ],
    )}`,
  );

  const resultsPath = await writeResults(`holds-${stamp}.json`, {
    scenario: "holds",
    startedAt: startedAt.toISOString(),
    machine,
    settings,
    options,
    database: databaseName,
    event: {
      id: event.id,
      name: event.name,
      seats: seatIds.length,
      maxTicketsPerAccount: event.maxTicketsPerAccount,
    },
    model: {
      seatsPerHold: [MIN_SEATS_PER_HOLD, MAX_SEATS_PER_HOLD],
      mapDelayMs: MAP_DELAY_MS,
      maxFill: MAX_FILL,
    },
    baseline: measurements.baseline,
    postgres: measurements.postgres,
    steps,
    skippedRates: measurements.skippedRates,
    target: {
      rate: TARGET_RATE,
      p99Ms: TARGET_P99_MS,
      highestPassingRate: best?.rate ?? null,
      met: targetMet,
    },
  });
  console.log(`\nResults: ${resultsPath}`);
  if (profile) console.log(`API CPU profile: ${join(profile.dir, profile.name)} (open in Chrome DevTools)`);

  const broken = steps.filter((step) => !step.invariants.pass);
  if (broken.length) {
    console.error(
      `\nFAILED: hold invariants broken: ${broken
        .map((step) => `${step.rate}/s ${JSON.stringify(step.invariants)}`)
        .join("; ")}`,
    );
    return 1;
  }
  if (errors) {
    console.error(
      `\nFAILED: ${errors} requests answered with errors other than SEATS_UNAVAILABLE:\n  ${steps
        .flatMap((step) => step.errorExamples.map((example) => `${step.rate}/s: ${example}`))
        .join("\n  ")}`,
    );
    return 1;
  }
  if (measurements.baselineProblems.length) {
    console.error(`\nFAILED: { __typename } under load: ${measurements.baselineProblems.join("; ")}`);
    return 1;
  }
  if (!targetMet && !settings.quick) {
    console.error(`\nFAILED target: ${integer(TARGET_RATE)} holds/s with p99 < ${TARGET_P99_MS} ms`);
    return 1;
  }
  return 0;
}
