// `pnpm drill [--short]`: runs an on-sale through six faults on a Postgres, a Redis and two API instances
// of its own, records every request, then checks the invariants against Postgres (docs/reliability.md).
// Needs the built API: `pnpm --filter @frontrow/api build` (or `pnpm build`).
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { prepareDatabase, repoRoot, requireApiBuild, SetupError } from "../bench/lib/api-build.js";
import { seededEvents } from "../bench/lib/api-modules.js";
import { startApi } from "../bench/lib/api-process.js";
import { installSignalHandlers } from "../bench/lib/cleanup.js";
import { overrideEvent } from "../bench/lib/event-settings.js";
import { createFans, openSessions } from "../bench/lib/fans.js";
import { describeViolations, intact, type Violations } from "../bench/lib/invariants.js";
import type { PgClient } from "../bench/lib/pg.js";
import { withoutRateLimits } from "../bench/lib/rate-limits.js";
import { fileStamp, integer, table } from "../bench/lib/report.js";
import {
  internalErrors,
  lateHolds,
  orderInvariants,
  queueOrder,
  seatInvariants,
  UNSETTLED_ORDERS,
  watcherInvariants,
} from "./checks.js";
import { DRILLS, type Target } from "./faults.js";
import { Fleet } from "./fleet.js";
import { type DrillFigures, figures, History } from "./history.js";
import { reconnectingPg, startPostgres, startRedis } from "./services.js";
import { type OnSale, runFans, Watcher } from "./workload.js";

const MODES = {
  short: { fans: 40, watchers: 24, warmupS: 4, beforeS: 1, afterS: 6 },
  long: { fans: 150, watchers: 150, warmupS: 15, beforeS: 5, afterS: 20 },
};
/** The short-hold event: a fault that lasts longer than this outlives every hold made before it. */
const HOLD_SECONDS = 4;
const SWEEP_INTERVAL_MS = 500;
/**
 * Room for the sweep itself beyond the sweeper's interval: its transaction, its Redis calls and the
 * scheduling delays of a 2-core machine shared with the load generator.
 */
const SWEEP_SLACK_MS = 1_500;
const QUEUE_TICK_MS = 250;
/**
 * How often each instance looks for seat changes no delta carried (5 s by default): a change a killed
 * instance committed but never published is repaired after two audits.
 */
const AUDIT_INTERVAL_MS = 1_000;
/** The API's default: how long a frozen instance's transaction may keep its locks. */
const IDLE_IN_TRANSACTION_MS = 3_000;
const API_ENV = {
  NODE_ENV: "production",
  // The drill's invariants are about seats, orders and queues; mail (tested against maildev in the API's
  // tests) is off on purpose.
  SMTP_URL: "off",
  QUEUE_TICK_MS: String(QUEUE_TICK_MS),
  QUEUE_HEARTBEAT_INTERVAL_SECONDS: "2",
  QUEUE_HEARTBEAT_GRACE_SECONDS: "30",
  HOLD_SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS),
  SEAT_MAP_AUDIT_INTERVAL_MS: String(AUDIT_INTERVAL_MS),
  PAYMENT_RECOVERY_INTERVAL_MS: "1000",
  PAYMENT_RECOVERY_STALE_MS: "3000",
  SHUTDOWN_GRACE_MS: "1000",
  // The crowd is a few dozen accounts on one address, far busier than real fans each: limits lifted.
  RATE_LIMITS: withoutRateLimits([
    "Mutation.joinQueue",
    "Mutation.leaveQueue",
    "Mutation.holdSeats",
    "Mutation.holdBestAvailable",
    "Mutation.releaseHold",
    "Mutation.checkout",
    "Mutation.cancelOrder",
  ]),
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const msText = (ms: number) => (Number.isNaN(ms) ? "-" : `${integer(ms)} ms`);

/** The theatre event, made a short-hold on-sale with its waiting room on. */
async function prepareEvent(db: PgClient): Promise<{ id: number; seatIds: string[] }> {
  const { slugs } = await seededEvents();
  const { rows } = await db.query<{ id: number }>("SELECT id FROM event WHERE slug = $1", [
    slugs.theatreOnSale,
  ]);
  const id = rows[0]?.id;
  if (id === undefined) throw new SetupError(`The seed has no event ${slugs.theatreOnSale}`);
  await overrideEvent(db, id, {
    status: "ON_SALE",
    sale_starts_at: new Date(Date.now() - 60_000),
    hold_seconds: HOLD_SECONDS,
    max_tickets_per_account: 100,
    cancel_cutoff_hours: 0,
    queue_enabled: true,
    queue_paused: false,
    admission_rate_per_minute: 300,
    max_active_shoppers: null,
    shopping_window_seconds: 20,
    pow_difficulty: 0,
  });
  const seats = await db.query<{ seatId: string }>(
    `SELECT seat_id::text AS "seatId" FROM event_seat WHERE event_id = $1 AND status = 'AVAILABLE'`,
    [id],
  );
  return { id, seatIds: seats.rows.map((row) => row.seatId) };
}

async function settle(db: PgClient, eventId: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ pending: number; live: number }>(
      `SELECT (SELECT count(*)::int FROM (${UNSETTLED_ORDERS}) o) AS pending,
              (SELECT count(*)::int FROM event_seat WHERE event_id = $1 AND status = 'HELD') AS live`,
      [eventId],
    );
    if (rows[0]?.pending === 0 && rows[0]?.live === 0) return;
    await sleep(500);
  }
}

/** What a broken invariant is about, to start the investigation from. */
async function explain(db: PgClient, eventId: number, history: History, acknowledged: string[]) {
  const { rows } = await db.query(
    `SELECT o.id, o.status, o.payment_state, g.state AS gateway, o.updated_at FROM "order" o
     LEFT JOIN fake_gateway_charge g ON g.reference = o.id::text
     WHERE o.event_id = $1 AND (o.id = ANY($2::uuid[]) OR o.status <> 'CONFIRMED') AND NOT coalesce((
       (o.status = 'CONFIRMED' AND o.payment_state = 'CAPTURED' AND g.state = 'CAPTURED')
       OR (o.status = 'CANCELLED' AND o.payment_state IN ('REFUNDED', 'VOIDED') AND g.state = o.payment_state::text)
       OR (o.status = 'FAILED' AND o.payment_state IN ('VOIDED', 'DECLINED', 'NONE'))), false)`,
    [eventId, acknowledged],
  );
  for (const row of rows) console.log(`  order ${JSON.stringify(row)}`);
  const { rows: missing } = await db.query<{ id: string }>(
    `SELECT a.id FROM unnest($1::uuid[]) AS a(id) WHERE NOT EXISTS (SELECT 1 FROM "order" o WHERE o.id = a.id)`,
    [acknowledged],
  );
  for (const row of missing) console.log(`  order ${row.id}: told CONFIRMED, not in the database`);
  for (const o of history.operations.filter((o) => o.code === "INTERNAL_SERVER_ERROR").slice(0, 10))
    console.log(`  ${o.op} on ${o.instance} at ${seconds(o.sent)}: INTERNAL_SERVER_ERROR`);
  for (const f of history.faults) console.log(`  fault ${f.drill}: ${seconds(f.start)}–${seconds(f.end)}`);
}

async function main(): Promise<number> {
  const long = !process.argv.includes("--short");
  const mode = long ? MODES.long : MODES.short;
  const started = performance.now();
  requireApiBuild();
  installSignalHandlers();
  console.log(
    `Frontrow drill (${long ? "long" : "short"} mode): ${DRILLS.length} faults, ${mode.fans} fans, ` +
      `${mode.watchers} seat-map watchers, two API instances (the built API: pnpm --filter @frontrow/api build)`,
  );
  const dir = mkdtempSync(join(tmpdir(), "frontrow-drill-"));
  const step = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    process.stdout.write(`${what}… `);
    const result = await work();
    console.log(seconds(performance.now() - t));
    return result;
  };
  const postgres = await step("Starting PostgreSQL (initdb, temporary)", () => startPostgres(dir));
  const redis = await step("Starting redis-server", () => startRedis());
  await step("Migrating and seeding", () => prepareDatabase(postgres.url));
  const db = await reconnectingPg(postgres.url, "drill");
  const event = await prepareEvent(db);
  const accounts = await openSessions(
    db,
    await createFans(db, { tag: "drill", domain: "drill.invalid" }, mode.fans, "not-a-password-hash"),
  );

  const history = new History();
  const apiLog = createWriteStream(join(dir, "api.log"));
  const fleet = new Fleet(history, (name) =>
    startApi({
      databaseUrl: postgres.url,
      env: { ...API_ENV, REDIS_URL: redis.url },
      redisKeyPrefix: "drill:",
      onOutput: (line) => apiLog.write(`${name} ${line}\n`),
    }),
  );
  await step("Starting API instances a and b", async () => {
    await fleet.add("a");
    await fleet.add("b");
  });
  const sale: OnSale = {
    fleet,
    history,
    eventId: String(event.id),
    seatIds: event.seatIds,
    acknowledged: new Set(),
    told: new Map(),
    joins: [],
    // Each fan keeps at most a third of its share of the seats (2 seats an order on average).
    keepOrders: Math.max(1, Math.floor(event.seatIds.length / mode.fans / 6)),
    stopped: false,
  };
  const watchers = Array.from({ length: mode.watchers }, (_, i) => new Watcher(sale, i % 2 ? "b" : "a"));
  await step(`Connecting ${mode.watchers} watchers`, async () => {
    for (const watcher of watchers) watcher.connect();
    while (watchers.some((w) => !w.live)) await sleep(50);
  });

  const fans = runFans(sale, accounts);
  console.log(`On sale: event ${event.id}, ${event.seatIds.length} seats, holds of ${HOLD_SECONDS} s`);
  await sleep(mode.warmupS * 1000);

  const target: Target = { fleet, history, postgres, redis, watchers, holdSeconds: HOLD_SECONDS, long };
  const rows: DrillFigures[] = [];
  for (const drill of DRILLS) {
    const spanStart = history.now();
    await sleep(mode.beforeS * 1000);
    // On from `began` (end unknown until the service is back), so that checks running meanwhile see it.
    const fault = { drill: drill.name, start: history.now(), end: Number.POSITIVE_INFINITY };
    await drill.inject(target, () => {
      fault.start = history.now();
      history.faults.push(fault);
    });
    fault.end = history.now();
    await sleep(mode.afterS * 1000);
    const figure = figures(history, drill.name, [spanStart, history.now()], fault);
    rows.push(figure);
    console.log(
      `  ${drill.name}: fault ${seconds(fault.end - fault.start)}, ${integer(figure.requests)} requests, ` +
        `recovered in ${msText(figure.recoveryMs)}`,
    );
  }

  sale.stopped = true;
  await step("Stopping the fans, letting holds expire and payments settle", async () => {
    await fans;
    await settle(db, event.id, 30_000);
    // The last deltas, and the audit's repairs (two audits apart), reach the watchers.
    await sleep(3 * AUDIT_INTERVAL_MS);
  });

  const faultsWallClock = history.faults.map((f) => ({
    start: history.wallClock(f.start),
    end: history.wallClock(f.end + 3_000),
  }));
  const queue = await queueOrder(db, event.id, sale.joins, faultsWallClock, QUEUE_TICK_MS);
  // Nothing sweeps while Postgres is down; a frozen instance's locks last until Postgres ends its
  // transaction (DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS, 3 s by default).
  const allowances = history.faults.flatMap((f) => {
    const span = { start: history.wallClock(f.start), end: history.wallClock(f.end) + SWEEP_INTERVAL_MS };
    if (f.drill === "postgres-restart") return [{ ...span, extraMs: Number.POSITIVE_INFINITY }];
    if (f.drill === "api-freeze" || f.drill === "api-kill")
      return [{ ...span, extraMs: IDLE_IN_TRANSACTION_MS }];
    return [];
  });
  const watched = await watcherInvariants(db, event.id, watchers);
  const holds = await lateHolds(db, event.id, SWEEP_INTERVAL_MS + SWEEP_SLACK_MS, allowances);
  const { pairsChecked, ...queueViolations } = queue;
  const invariants: Violations = {
    ...(await seatInvariants(db, event.id)),
    ...(await orderInvariants(db, event.id, [...sale.acknowledged.keys()])),
    holdsPastExpiryPlusSweep: holds.late,
    ...watched.violations,
    ...queueViolations,
    ...internalErrors(history),
    instancesThatDiedOnTheirOwn: fleet.crashes.length,
  };

  console.log(
    `\n${table(
      ["drill", "requests", "errors by code", "p99 during", "p99 after", "recovery"],
      rows.map((row) => [
        row.drill,
        integer(row.requests),
        Object.entries(row.errorsByCode)
          .sort(([, a], [, b]) => b - a)
          .map(([code, n]) => `${code} ${n}`)
          .join(", ") || "none",
        msText(row.p99DuringMs),
        msText(row.p99AfterMs),
        msText(row.recoveryMs),
      ]),
    )}`,
  );
  const totals = {
    requests: history.operations.length,
    ordersAcknowledged: sale.acknowledged.size,
    queuePairsChecked: pairsChecked,
    worstHoldLatenessMs: holds.worstMs,
    checkoutsToldFailed: [...sale.told.values()].filter((status) => status === "FAILED").length,
    watcherResyncs: watchers.reduce((n, w) => n + w.resyncs, 0),
    watcherReconnects: watchers.reduce((n, w) => n + w.reconnects, 0),
  };
  console.log(
    `\n${table(
      ["invariant", "violations"],
      Object.entries(invariants).map(([name, n]) => [name, String(n)]),
    )}`,
  );
  console.log(
    `\n${Object.entries(totals)
      .map(([name, n]) => `${name} ${integer(n)}`)
      .join(", ")}`,
  );

  const resultsDir = resolve(repoRoot, "drill/results");
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `drill-${long ? "long" : "short"}-${fileStamp(new Date())}.json`);
  writeFileSync(
    file,
    JSON.stringify({ mode: long ? "long" : "short", drills: rows, invariants, totals, history }, null, 0),
  );

  const held = intact(invariants);
  if (!held) await explain(db, event.id, history, [...sale.acknowledged.keys()]);
  if (!held) for (const line of watched.details) console.log(`  ${line}`);
  for (const watcher of watchers) watcher.close();
  await db.end();
  await fleet.stop();
  await redis.stop();
  await postgres.stop();
  apiLog.end();
  console.log(
    `History in ${file}${held ? "" : `; API output in ${join(dir, "api.log")}`}\n` +
      `${held ? "Every invariant held" : `BROKEN: ${describeViolations(invariants)}`} ` +
      `(${seconds(performance.now() - started)} in all)`,
  );
  if (held) rmSync(dir, { recursive: true, force: true });
  return held ? 0 : 1;
}

const code = await main().catch((error: unknown) => {
  console.error(error instanceof SetupError ? error.message : error);
  return 1;
});
// Reconnect timers and keep-alive sockets of the clients would keep the process alive.
process.exit(code);
