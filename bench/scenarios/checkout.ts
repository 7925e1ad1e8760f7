// `pnpm bench checkout`: fans hold seats, then pay for their holds at a fixed arrival rate.

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
import { parseGraphQL, postGraphQL } from "../lib/http.js";
import { type LoadSettings, loadOptionsUsage, parseLoadOptions, UsageError } from "../lib/options.js";
import { withoutRateLimits } from "../lib/rate-limits.js";
import {
  fileStamp,
  integer,
  machineInfo,
  milliseconds,
  resultsDir,
  table,
  writeResults,
} from "../lib/report.js";

type PasswordModule = typeof import("../../apps/api/src/modules/auth/password.js");
type RedisModule = typeof import("../../apps/api/src/infra/redis.js");
type CatalogSeedModule = typeof import("../../apps/api/src/seed/catalog.js");

const FULL_RATES = [100, 250, 500];
const QUICK_RATES = [50];
const FULL_FANS = 200;
const QUICK_FANS = 20;
const TARGET_RATE = 500;
const TARGET_P99_MS = 200;
const SEATS_PER_HOLD = 2;
/** Holds are taken before each step with this many requests in flight (not measured). */
const HOLD_CONCURRENCY = 32;
const LOGIN_CONCURRENCY = 8;
/** Sockets the checkout generator may open: enough that an open loop never waits for one at the target. */
const MAX_SOCKETS = 512;
const REQUEST_TIMEOUT_MS = 30_000;
/** Idle keep-alive sockets are closed before the API's 5 s keep-alive timeout could race a request. */
const IDLE_SOCKET_MS = 4_000;
/** Beyond this p99 (or below 80% of the rate answered) the API is overloaded: higher rates are skipped. */
const OVERLOAD_P99_MS = 2_000;
/**
 * The API settles payments a checkout left half-done (a capture that failed under overload…) after this
 * long; the invariants are checked once it has, as they are guaranteed only then.
 */
const RECOVERY_STALE_MS = 3_000;
const SETTLE_TIMEOUT_MS = 60_000;
const FAN_EMAIL_DOMAIN = "checkout.bench.invalid";
const FAN_EMAILS = `%@${FAN_EMAIL_DOMAIN}`;

export const usage = `Usage: pnpm bench checkout [options]

Prepares the database frontrow_bench (BENCH_DATABASE_URL overrides), creates N fan accounts, opens the
stadium event "${"taca-atlantica-final-lisbon"}" for sale without its waiting room (its settings are restored at the
end), starts the built API (NODE_ENV=production) and logs the fans in. Then for each arrival rate:
  (1) holds      rate × duration holds of ${SEATS_PER_HOLD} adjacent seats, through holdSeats (not measured)
  (2) checkout   one checkout per hold (tok_visa, a fresh idempotency key), open loop at the rate: requests
                 go at their scheduled times and latency counts from then (no coordinated omission)
  (3) invariants in SQL, once the API's payment recovery (run every second here, for orders unmoved for
                 ${RECOVERY_STALE_MS / 1000} s) has settled what overloaded requests left half-done: every answered order is
                 CONFIRMED and captured exactly once in the gateway's ledger, no failed order keeps an
                 authorization, every sold seat has one valid ticket of its order, every hold is converted
After the warm-up the sales tables are analyzed, as autovacuum does in a running database: plans cached
while they were empty would otherwise scan them whole. Rates above a step where the API is overloaded (p99 > ${OVERLOAD_P99_MS / 1000} s or < 80% answered) are skipped.
Bench orders, tickets, payments, ledger rows, holds and fans are deleted at the end.

  --rates LIST            BENCH_CHECKOUT_RATES   checkouts/s (${FULL_RATES.join(",")}; --quick ${QUICK_RATES.join(",")})
  --fans N                BENCH_CHECKOUT_FANS    fan accounts (${FULL_FANS}; --quick ${QUICK_FANS})
  --cpu-prof              profile the API (node --cpu-prof) over the whole run, into bench/results/
${loadOptionsUsage}
(--duration is per step; --connections and --pipelining are not used.)`;

interface CheckoutOptions {
  rates: number[];
  fans: number;
}

function listOption(args: string[], name: string): { value: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === `--${name}`) value = args[++index];
    else if (arg.startsWith(`--${name}=`)) value = arg.slice(name.length + 3);
    else rest.push(arg);
  }
  return { value, rest };
}

function parseOptions(args: string[]): {
  settings: LoadSettings;
  options: CheckoutOptions;
  cpuProfile: boolean;
} {
  const rates = listOption(args, "rates");
  const fans = listOption(rates.rest, "fans");
  const { settings, flags } = parseLoadOptions(fans.rest, { "cpu-prof": { type: "boolean" } });
  const ratesText = rates.value ?? process.env.BENCH_CHECKOUT_RATES;
  const rateList = ratesText ? ratesText.split(",").map(Number) : settings.quick ? QUICK_RATES : FULL_RATES;
  if (!rateList.length || rateList.some((rate) => !Number.isInteger(rate) || rate < 1 || rate > 5_000)) {
    throw new UsageError(`--rates must be integers from 1 to 5000, not "${ratesText}"`);
  }
  const fansText = fans.value ?? process.env.BENCH_CHECKOUT_FANS;
  const fanCount = fansText ? Number(fansText) : settings.quick ? QUICK_FANS : FULL_FANS;
  if (!Number.isInteger(fanCount) || fanCount < 1 || fanCount > 5_000) {
    throw new UsageError(`--fans must be an integer from 1 to 5000, not "${fansText}"`);
  }
  return { settings, options: { rates: rateList, fans: fanCount }, cpuProfile: flags["cpu-prof"] === true };
}

// ---------------------------------------------------------------------------------------------------
// Postgres through the API's pg driver

interface PgClient {
  connect(): Promise<void>;
  query<Row = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

async function connectPg(databaseUrl: string): Promise<PgClient> {
  const pg = createRequire(resolve(repoRoot, "apps/api/package.json"))("pg") as {
    Client: new (config: { connectionString: string; application_name: string }) => PgClient;
  };
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "bench-checkout" });
  client.on("error", (error) => console.error(`  pg: ${error.message}`));
  await client.connect();
  return client;
}

// ---------------------------------------------------------------------------------------------------
// Fans and GraphQL over keep-alive HTTP

interface Fan {
  cookie: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_SOCKET_MS });

interface Answer {
  ok: boolean;
  code: string | undefined;
  message: string | undefined;
  data: Record<string, unknown> | undefined;
}

function graphql(
  api: RunningApi,
  fan: Fan,
  query: string,
  variables: Record<string, unknown>,
): Promise<Answer> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolvePromise) => {
    const failed = (message: string) =>
      resolvePromise({ ok: false, code: "NETWORK", message, data: undefined });
    const req = request(
      api.graphqlUrl,
      {
        method: "POST",
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          cookie: fan.cookie,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (error) => failed(error.message));
        res.on("end", () => {
          try {
            const result = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
              data?: Record<string, unknown>;
              errors?: { message: string; extensions?: { code?: string } }[];
            };
            const error = result.errors?.[0];
            resolvePromise({
              ok: !error && res.statusCode === 200,
              code: error?.extensions?.code,
              message: error?.message,
              data: result.data,
            });
          } catch {
            failed(`HTTP ${res.statusCode}: not JSON`);
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on("error", (error) => failed(error.message));
    req.end(body);
  });
}

async function createFans(db: PgClient, password: PasswordModule, count: number, secret: string) {
  const passwordHash = await password.hashPassword(secret);
  await db.query(
    `INSERT INTO user_account (id, email, password_hash, name)
     SELECT gen_random_uuid(), 'bench-buyer-' || lpad(i::text, 5, '0') || '@' || $3::text, $1::text, 'Bench buyer ' || i
     FROM generate_series(1, $2::int) AS i
     ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, blocked_at = NULL`,
    [passwordHash, count, FAN_EMAIL_DOMAIN],
  );
  return Array.from(
    { length: count },
    (_, i) => `bench-buyer-${String(i + 1).padStart(5, "0")}@${FAN_EMAIL_DOMAIN}`,
  );
}

async function logInAll(api: RunningApi, emails: string[], password: string): Promise<Fan[]> {
  const fans: Fan[] = [];
  for (let start = 0; start < emails.length; start += LOGIN_CONCURRENCY) {
    const batch = emails.slice(start, start + LOGIN_CONCURRENCY);
    const logins = await Promise.all(
      batch.map(async (email) => {
        const response = await postGraphQL(api.graphqlUrl, {
          query: "mutation ($e: String!, $p: String!) { logIn(email: $e, password: $p) { id } }",
          variables: { e: email, p: password },
        });
        parseGraphQL(response);
        const session = (response.headers["set-cookie"] ?? [])
          .map((cookie) => /^frontrow_session=([^;]+)/.exec(cookie)?.[1])
          .find(Boolean);
        if (!session) throw new Error(`logIn for ${email} set no session cookie`);
        return { cookie: `frontrow_session=${session}` };
      }),
    );
    fans.push(...logins);
  }
  return fans;
}

// ---------------------------------------------------------------------------------------------------
// The event, its cleanup and its invariants

interface BenchEvent {
  id: number;
  name: string;
  /** The settings the run changes, as seeded, to put back. */
  saved: { status: string; queueEnabled: boolean; saleStartsAt: Date; maxTicketsPerAccount: number };
}

/** What a checkout writes to. */
const SALES_TABLES = 'event_seat, hold, "order", ticket, payment, fake_gateway_charge, outbox_event';

/** Deletes everything bench fans bought or held and frees their seats. */
async function deleteBenchSales(db: PgClient): Promise<void> {
  const bench = `SELECT o.id FROM "order" o JOIN user_account u ON u.id = o.user_id WHERE u.email LIKE $1`;
  await db.query("BEGIN");
  try {
    await db.query(`DELETE FROM ticket WHERE order_id IN (${bench})`, [FAN_EMAILS]);
    await db.query(`DELETE FROM payment WHERE order_id IN (${bench})`, [FAN_EMAILS]);
    await db.query(`DELETE FROM fake_gateway_charge WHERE reference IN (SELECT id::text FROM (${bench}) b)`, [
      FAN_EMAILS,
    ]);
    await db.query(`DELETE FROM outbox_event WHERE (payload->>'orderId')::uuid IN (${bench})`, [FAN_EMAILS]);
    await db.query(
      `UPDATE event_seat es SET status = 'AVAILABLE', hold_id = NULL, held_until = NULL, order_id = NULL
       FROM hold h JOIN user_account u ON u.id = h.user_id
       WHERE es.hold_id = h.id AND u.email LIKE $1`,
      [FAN_EMAILS],
    );
    await db.query(`DELETE FROM "order" WHERE id IN (${bench})`, [FAN_EMAILS]);
    await db.query(`DELETE FROM hold h USING user_account u WHERE u.id = h.user_id AND u.email LIKE $1`, [
      FAN_EMAILS,
    ]);
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK");
    throw error;
  }
  await db
    .query(`VACUUM (ANALYZE) ${SALES_TABLES}`)
    .catch((error: Error) => console.error(`  (vacuum skipped: ${error.message})`));
}

/** Waits until the recovery job has settled every bench order; returns how many it had to settle. */
async function waitUntilSettled(db: PgClient): Promise<number> {
  const unsettled = async () =>
    (
      await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "order" o JOIN user_account u ON u.id = o.user_id
         WHERE u.email LIKE $1 AND (o.status = 'PENDING' OR o.payment_state IN ('AUTHORIZING', 'AUTHORIZED'))`,
        [FAN_EMAILS],
      )
    ).rows[0]?.n ?? 0;
  const first = await unsettled();
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while ((await unsettled()) > 0 && Date.now() < deadline) await sleep(500);
  return first;
}

interface Invariants {
  pass: boolean;
  confirmedOrders: number;
  /** Answered orders whose row is not CONFIRMED with its payment CAPTURED. */
  answeredNotCaptured: number;
  /** Ledger rows of bench orders that are not one capture per confirmed order. */
  chargesNotOnePerOrder: number;
  soldSeatsWithoutOneValidTicket: number;
  seatsWithTwoValidTickets: number;
  holdsNotConverted: number;
}

async function checkInvariants(db: PgClient, answered: string[]): Promise<Invariants> {
  const count = async (sql: string, values: unknown[] = []) =>
    (await db.query<{ n: number }>(sql, values)).rows[0]?.n ?? -1;
  const benchOrders = `SELECT o.id FROM "order" o JOIN user_account u ON u.id = o.user_id WHERE u.email LIKE '${FAN_EMAILS}'`;
  const result = {
    confirmedOrders: await count(
      `SELECT count(*)::int AS n FROM "order" WHERE id IN (${benchOrders}) AND status = 'CONFIRMED'`,
    ),
    answeredNotCaptured: await count(
      `SELECT count(*)::int AS n FROM unnest($1::uuid[]) AS a(id) LEFT JOIN "order" o ON o.id = a.id
       WHERE o.status IS DISTINCT FROM 'CONFIRMED' OR o.payment_state IS DISTINCT FROM 'CAPTURED'`,
      [answered],
    ),
    chargesNotOnePerOrder: await count(
      `SELECT count(*)::int AS n FROM "order" o LEFT JOIN fake_gateway_charge g ON g.reference = o.id::text
       WHERE o.id IN (${benchOrders}) AND (
         (o.status = 'CONFIRMED' AND g.state IS DISTINCT FROM 'CAPTURED')
         OR (o.status <> 'CONFIRMED' AND g.state IN ('AUTHORIZED', 'CAPTURED')))`,
    ),
    soldSeatsWithoutOneValidTicket: await count(
      `SELECT count(*)::int AS n FROM event_seat es JOIN "order" o ON o.id = es.order_id
       WHERE o.id IN (${benchOrders}) AND es.status = 'SOLD' AND 1 <> (
         SELECT count(*) FROM ticket t WHERE t.event_id = es.event_id AND t.seat_id = es.seat_id
           AND t.order_id = o.id AND t.status = 'VALID')`,
    ),
    seatsWithTwoValidTickets: await count(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM ticket WHERE status = 'VALID'
       GROUP BY event_id, seat_id HAVING count(*) > 1) twice`,
    ),
    holdsNotConverted: await count(
      `SELECT count(*)::int AS n FROM "order" o JOIN hold h ON h.id = o.hold_id
       WHERE o.id IN (${benchOrders}) AND o.status = 'CONFIRMED' AND h.state <> 'CONVERTED'`,
    ),
  };
  const pass =
    result.answeredNotCaptured === 0 &&
    result.chargesNotOnePerOrder === 0 &&
    result.soldSeatsWithoutOneValidTicket === 0 &&
    result.seatsWithTwoValidTickets === 0 &&
    result.holdsNotConverted === 0 &&
    result.confirmedOrders >= answered.length;
  return { pass, ...result };
}

// ---------------------------------------------------------------------------------------------------
// CPU: the API process and the bench database's Postgres processes

interface CpuReading {
  wallMs: number;
  api: number | undefined;
  postgres: Map<number, number>;
  machine: number | undefined;
}

async function readCpu(db: PgClient, api: RunningApi): Promise<CpuReading> {
  const { rows } = await db.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()",
  );
  const postgres = new Map<number, number>();
  for (const { pid } of rows) {
    const seconds = processCpuSeconds(pid);
    if (seconds !== undefined) postgres.set(pid, seconds);
  }
  return { wallMs: performance.now(), api: api.cpuSeconds(), postgres, machine: machineCpuSeconds() };
}

function cpuSeconds(before: CpuReading, after: CpuReading) {
  let postgres = 0;
  for (const [pid, total] of after.postgres) postgres += total - (before.postgres.get(pid) ?? 0);
  const api = before.api === undefined || after.api === undefined ? Number.NaN : after.api - before.api;
  const machine =
    before.machine === undefined || after.machine === undefined ? Number.NaN : after.machine - before.machine;
  return { api, postgres, machine, wallS: (after.wallMs - before.wallMs) / 1000 };
}

// ---------------------------------------------------------------------------------------------------
// One step: holds, then checkouts at the rate

const HOLD_SEATS = "mutation ($e: ID!, $s: [ID!]!) { holdSeats(eventId: $e, seatIds: $s) { id } }";
const CHECKOUT = `mutation ($h: ID!, $k: String!) {
  checkout(holdId: $h, paymentToken: "tok_visa", idempotencyKey: $k) { id status total { amount } tickets { id code seat { id } } } }`;

interface StepResult {
  rate: number;
  durationS: number;
  checkouts: number;
  confirmed: number;
  ordersPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  errors: number;
  errorExamples: string[];
  /** Orders whose payment the request left half-done, settled by the API's recovery job before the check. */
  leftToRecovery: number;
  cpuMsPerCheckout: { api: number; postgres: number };
  /** Cores busy with other work than the API and Postgres (the load generator, other sessions…). */
  otherCores: number;
  invariants: Invariants;
  pass: boolean;
}

async function takeHolds(api: RunningApi, fans: Fan[], eventId: number, seatIds: number[], count: number) {
  const holds: { fan: Fan; holdId: string }[] = [];
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const fan = fans[index % fans.length] as Fan;
      const seats = seatIds.slice(index * SEATS_PER_HOLD, (index + 1) * SEATS_PER_HOLD).map(String);
      const answer = await graphql(api, fan, HOLD_SEATS, { e: String(eventId), s: seats });
      const hold = answer.data?.holdSeats as { id: string } | undefined;
      if (answer.ok && hold) holds.push({ fan, holdId: hold.id });
      else if (++failures > 10) throw new Error(`holdSeats keeps failing: ${answer.code} ${answer.message}`);
    }
  };
  await Promise.all(Array.from({ length: HOLD_CONCURRENCY }, worker));
  return holds;
}

async function step(
  api: RunningApi,
  db: PgClient,
  fans: Fan[],
  event: BenchEvent,
  rate: number,
  durationS: number,
): Promise<StepResult> {
  const { rows } = await db.query<{ seatId: number }>(
    `SELECT seat_id AS "seatId" FROM event_seat WHERE event_id = $1 AND status = 'AVAILABLE' ORDER BY seat_id`,
    [event.id],
  );
  const count = Math.ceil(rate * durationS);
  if (rows.length < count * SEATS_PER_HOLD) throw new SetupError(`Not enough free seats for ${count} holds`);
  process.stdout.write(`  ${integer(count)} holds… `);
  const holds = await takeHolds(
    api,
    fans,
    event.id,
    rows.map((row) => row.seatId),
    count,
  );
  process.stdout.write(`checkouts at ${integer(rate)}/s for ${durationS} s… `);

  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const answered: string[] = [];
  const errors: string[] = [];
  const before = await readCpu(db, api);
  const started = performance.now();
  await Promise.all(
    holds.map(async ({ fan, holdId }, index) => {
      const scheduled = started + (index * 1000) / rate;
      const wait = scheduled - performance.now();
      if (wait > 0) await sleep(wait);
      const answer = await graphql(api, fan, CHECKOUT, { h: holdId, k: `bench-${holdId}` });
      histogram.recordValue(Math.max(1, Math.round((performance.now() - scheduled) * 1000)));
      const order = answer.data?.checkout as { id: string; status: string } | undefined;
      if (answer.ok && order?.status === "CONFIRMED") answered.push(order.id);
      else errors.push(`${answer.code}: ${answer.message}`);
    }),
  );
  const elapsedS = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(before, await readCpu(db, api));
  const leftToRecovery = await waitUntilSettled(db);
  const invariants = await checkInvariants(db, answered);
  const at = (percentile: number) => histogram.getValueAtPercentile(percentile) / 1000;
  const latencyMs = { p50: at(50), p90: at(90), p99: at(99), max: histogram.maxValue / 1000 };
  const perCheckout = (seconds: number) => (holds.length ? (seconds * 1000) / holds.length : Number.NaN);
  const result: StepResult = {
    rate,
    durationS,
    checkouts: holds.length,
    confirmed: answered.length,
    ordersPerSecond: answered.length / elapsedS,
    latencyMs,
    errors: errors.length,
    errorExamples: [...new Set(errors)].slice(0, 5),
    leftToRecovery,
    cpuMsPerCheckout: { api: perCheckout(cpu.api), postgres: perCheckout(cpu.postgres) },
    otherCores: (cpu.machine - cpu.api - cpu.postgres) / cpu.wallS,
    invariants,
    pass: false,
  };
  result.pass =
    invariants.pass &&
    errors.length === 0 &&
    latencyMs.p99 < TARGET_P99_MS &&
    result.ordersPerSecond >= 0.98 * rate;
  return result;
}

// ---------------------------------------------------------------------------------------------------

export async function run(args: string[]): Promise<number> {
  const { settings, options, cpuProfile } = parseOptions(args);
  requireApiBuild();
  const startedAt = new Date();
  const machine = machineInfo();
  const databaseUrl = benchDatabaseUrl();
  console.log(
    `Checkout benchmark${settings.quick ? " (quick smoke run: figures are indicative only)" : ""}: ` +
      `${machine.cpus} cores, load average ${machine.loadAverage1m} before the run, node ${machine.node}`,
  );
  process.stdout.write("Preparing database (migrate, seed)… ");
  await prepareDatabase(databaseUrl);
  console.log("done");
  const [password, redisModule, catalog] = await Promise.all([
    importApiModule<PasswordModule>("modules/auth/password.js"),
    importApiModule<RedisModule>("infra/redis.js"),
    importApiModule<CatalogSeedModule>("seed/catalog.js"),
  ]);
  const db = await connectPg(databaseUrl);
  const { rows: lock } = await db.query<{ locked: boolean }>(
    "SELECT pg_try_advisory_lock(hashtext('frontrow:bench:checkout')) AS locked",
  );
  if (!lock[0]?.locked) {
    await db.end();
    throw new SetupError("Another `pnpm bench checkout` is running against this database.");
  }
  const slug = catalog.NOTABLE_EVENT_SLUGS.stadiumQueueUpcoming;
  const { rows } = await db.query<{ id: number; name: string } & BenchEvent["saved"]>(
    `SELECT id, name, status::text AS status, queue_enabled AS "queueEnabled", sale_starts_at AS "saleStartsAt",
            max_tickets_per_account AS "maxTicketsPerAccount"
     FROM event WHERE slug = $1`,
    [slug],
  );
  const row = rows[0];
  if (!row) throw new SetupError(`The seed has no event "${slug}"`);
  const event: BenchEvent = {
    id: row.id,
    name: row.name,
    saved: {
      status: row.status,
      queueEnabled: row.queueEnabled,
      saleStartsAt: row.saleStartsAt,
      maxTicketsPerAccount: row.maxTicketsPerAccount,
    },
  };
  const restore = onShutdown(
    async () => {
      try {
        await deleteBenchSales(db);
        await db.query(
          `UPDATE event SET status = $2::"EventStatus", queue_enabled = $3, sale_starts_at = $4,
                  max_tickets_per_account = $5 WHERE id = $1`,
          [
            event.id,
            event.saved.status,
            event.saved.queueEnabled,
            event.saved.saleStartsAt,
            event.saved.maxTicketsPerAccount,
          ],
        );
        await db.query("DELETE FROM user_account WHERE email LIKE $1", [FAN_EMAILS]);
      } finally {
        await db.end();
      }
    },
    () => undefined,
  );

  const steps: StepResult[] = [];
  try {
    await deleteBenchSales(db);
    // Open for sale now, without the waiting room, and no per-account limit in the way.
    await db.query(
      `UPDATE event SET status = 'ON_SALE', queue_enabled = false, sale_starts_at = now() - interval '1 hour',
              max_tickets_per_account = 100000 WHERE id = $1`,
      [event.id],
    );
    const secret = `bench-${startedAt.getTime().toString(36)}-${Math.random().toString(36).slice(2)}`;
    const emails = await createFans(db, password, options.fans, secret);
    const profile = cpuProfile ? `checkout-${fileStamp(startedAt)}-api.cpuprofile` : undefined;
    if (profile) console.log(`API CPU profile: ${join(resultsDir, profile)} (open in Chrome DevTools)`);
    const api = await startApi({
      databaseUrl,
      nodeArgs: profile ? ["--cpu-prof", `--cpu-prof-dir=${resultsDir}`, `--cpu-prof-name=${profile}`] : [],
      env: {
        LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: String(options.fans + 100),
        // The whole crowd comes from 127.0.0.1: lift the request rate limits (docs/defences.md).
        RATE_LIMITS: withoutRateLimits([
          "Mutation.holdSeats",
          "Mutation.holdBestAvailable",
          "Mutation.checkout",
        ]),
        PAYMENT_RECOVERY_STALE_MS: String(RECOVERY_STALE_MS),
        PAYMENT_RECOVERY_INTERVAL_MS: "1000",
      },
    });
    const redis = redisModule.createRedis(
      { url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", keyPrefix: "", commandTimeoutMs: 5_000 },
      "bench-checkout",
    );
    redis.on("error", () => undefined);
    try {
      console.log(`API at ${api.graphqlUrl} (${apiSummary(api)}); event ${event.id} "${event.name}"`);
      process.stdout.write(`Logging ${integer(options.fans)} fans in… `);
      const fans = await logInAll(api, emails, secret);
      console.log("done");
      if (settings.warmupS > 0) {
        console.log(`Warm-up at ${options.rates[0]}/s for ${settings.warmupS} s`);
        await step(api, db, fans, event, options.rates[0] ?? 50, settings.warmupS);
      }
      // The run starts from tables emptied of bench sales; a running database has history, and autovacuum
      // analyzes it. Plans Postgres cached while the tables were empty (sequential scans) would otherwise
      // last into the steps, until autovacuum's next pass, and make the first step's figures a lottery.
      await db.query(`ANALYZE ${SALES_TABLES}`);
      for (const rate of options.rates) {
        const previous = steps.at(-1);
        if (
          previous &&
          (previous.latencyMs.p99 > OVERLOAD_P99_MS || previous.ordersPerSecond < 0.8 * previous.rate)
        ) {
          console.log(
            `Step ${integer(rate)}/s skipped: the API was overloaded at ${integer(previous.rate)}/s`,
          );
          continue;
        }
        console.log(`Step ${integer(rate)}/s:`);
        const result = await step(api, db, fans, event, rate, settings.durationS);
        steps.push(result);
        console.log(
          `${integer(result.ordersPerSecond)} orders/s, p50 ${milliseconds(result.latencyMs.p50)} ms, ` +
            `p99 ${milliseconds(result.latencyMs.p99)} ms, ${result.errors} errors, ` +
            `${result.leftToRecovery} settled by recovery, ` +
            `invariants ${result.invariants.pass ? "PASS" : "FAIL"}`,
        );
        if (result.errors) console.error(`  ERRORS: ${result.errorExamples.join("\n          ")}`);
      }
    } finally {
      await api.stop();
      await redis.connect().catch(() => undefined);
      if (redis.status === "ready") {
        let cursor = "0";
        do {
          const [nextCursor, keys] = await redis.scan(
            cursor,
            "MATCH",
            `${api.redisKeyPrefix}*`,
            "COUNT",
            1_000,
          );
          if (keys.length) await redis.unlink(...keys);
          cursor = nextCursor;
        } while (cursor !== "0");
      }
      redis.disconnect();
      agent.destroy();
    }
  } finally {
    await restore();
  }

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
        "API CPU ms/checkout",
        "PG CPU ms/checkout",
        "other cores",
        "invariants",
        "target",
      ],
      steps.map((s) => [
        `${integer(s.rate)}/s`,
        integer(s.ordersPerSecond),
        milliseconds(s.latencyMs.p50),
        milliseconds(s.latencyMs.p90),
        milliseconds(s.latencyMs.p99),
        milliseconds(s.latencyMs.max),
        integer(s.errors),
        integer(s.leftToRecovery),
        s.cpuMsPerCheckout.api.toFixed(2),
        s.cpuMsPerCheckout.postgres.toFixed(2),
        s.otherCores.toFixed(2),
        s.invariants.pass ? "PASS" : "FAIL",
        s.pass ? "pass" : "FAIL",
      ]),
    )}`,
  );
  console.log(
    `Target: ≥ ${TARGET_RATE} checkouts/s with p99 < ${TARGET_P99_MS} ms. CPU per checkout: the API process and ` +
      "the bench database's Postgres processes, divided by the checkouts of the step; 'other cores' is the rest " +
      "of the machine (the load generator, and other work sharing it: high means the figures are skewed).",
  );
  const resultsPath = await writeResults(`checkout-${fileStamp(startedAt)}.json`, {
    scenario: "checkout",
    startedAt: startedAt.toISOString(),
    machine,
    settings,
    options,
    event: { id: event.id, name: event.name },
    seatsPerHold: SEATS_PER_HOLD,
    steps,
    target: { rate: TARGET_RATE, p99Ms: TARGET_P99_MS },
  });
  console.log(`Results: ${resultsPath}`);
  if (steps.some((s) => !s.invariants.pass)) {
    console.error("FAILED: order invariants broken");
    return 1;
  }
  if (steps.some((s) => s.errors)) {
    console.error("FAILED: checkouts answered with errors");
    return 1;
  }
  const targetMet = steps.some((s) => s.rate >= TARGET_RATE && s.pass);
  if (!targetMet && !settings.quick) {
    console.error(`FAILED target: ${TARGET_RATE} checkouts/s with p99 < ${TARGET_P99_MS} ms`);
    return 1;
  }
  return 0;
}
