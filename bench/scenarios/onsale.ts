// `pnpm bench onsale`: a rehearsal of a stadium on-sale through the waiting room, holds and checkout, with
// fans who follow the rules and ~10% bots who do not.
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { benchDatabaseUrl, importApiModule, prepareDatabase, requireApiBuild } from "../lib/api-build.js";
import { apiSummary, type RunningApi, startApi } from "../lib/api-process.js";
import { onShutdown } from "../lib/cleanup.js";
import { UsageError } from "../lib/options.js";
import { withoutIpRateLimits } from "../lib/rate-limits.js";
import { fileStamp, integer, machineInfo, table, writeResults } from "../lib/report.js";
import { createFans, dropKeys } from "./queue.js";

type PrismaModule = typeof import("../../apps/api/src/infra/prisma.js");
type RedisModule = typeof import("../../apps/api/src/infra/redis.js");
type SessionModule = typeof import("../../apps/api/src/modules/auth/session-store.js");
type ProofOfWorkModule = typeof import("../../apps/api/src/modules/queue/proof-of-work.js");
type CatalogSeedModule = typeof import("../../apps/api/src/seed/catalog.js");
type Db = import("../../apps/api/src/infra/prisma.js").Db;

const FULL = { crowd: 500, seats: 600, timeLimitS: 180 };
const QUICK = { crowd: 200, seats: 200, timeLimitS: 90 };
const BOT_SHARE = 0.1;
/** The waiting room during the rehearsal: fast enough to sell out in a minute or two on a small machine. */
const ADMISSIONS_PER_MINUTE = 900;
const MAX_ACTIVE_SHOPPERS = 60;
const POW_DIFFICULTY = 8;
const HEARTBEAT_INTERVAL_S = 2;
const HEARTBEAT_GRACE_S = 6;
const TICK_MS = 500;
/** Fans arrive spread over this long, bots among them. */
const ARRIVAL_S = 5;
const POLL_MS = 1_500;
/** A fan thinks this long between being admitted and holding, and between holding and paying. */
const FAN_THINK_MS = 500;
/** A bot that hammers fires its next request this soon after the last answer. */
const HAMMER_GAP_MS = 20;
/** The stadium's seats not in the rehearsal are parked here (and put back at the end, or by the next run). */
const PARKED_SEATS = "bench_onsale_parked_seat";
const EMAIL_DOMAIN = "@queue-bench.test";

export const usage = `Usage: pnpm bench onsale [options]

Prepares the database frontrow_bench (BENCH_DATABASE_URL overrides) and rehearses an on-sale of the stadium
event "aurora-vale-northern-lights-lisbon" (waiting room on, at most 4 tickets per account), limited to its N
best seats (the others are taken off sale for the run and put back after). The crowd joins within ${ARRIVAL_S} s:
  fans  solve the ${POW_DIFFICULTY}-bit proof of work, join, poll queueStatus (their heartbeat) every ${POLL_MS / 1000} s, and when
        admitted hold 1-4 best available seats with their admission token, pay with tok_visa and leave.
  bots  ${BOT_SHARE * 100}% of the crowd, in turn: hold without a token; hold with a forged token; join, get admitted and
        share the token with a bot that uses it from its own account; hammer holdSeats without waiting; sign
        up many accounts from one IP; join and never send a heartbeat. Every answer is counted by outcome.
The run ends at sell-out or after the time limit. Then SQL checks: no seat sold twice, every SOLD seat has
exactly one VALID ticket of a CONFIRMED order, no account above maxTicketsPerAccount; and the bots' share of
the tickets against their share of the crowd. Only the per-IP rate limits are lifted (the crowd comes from
127.0.0.1); per-account limits stay as in production.

  --crowd N          accounts, fans and bots (${FULL.crowd}; --quick ${QUICK.crowd})
  --seats N          seats on sale (${FULL.seats}; --quick ${QUICK.seats})
  --time-limit S     seconds before the run stops unsold (${FULL.timeLimitS}; --quick ${QUICK.timeLimitS})
  --quick            the smaller defaults`;

interface Options {
  quick: boolean;
  crowd: number;
  seats: number;
  timeLimitS: number;
}

function parseOptions(args: string[]): Options {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args,
      strict: true,
      options: {
        quick: { type: "boolean" },
        crowd: { type: "string" },
        seats: { type: "string" },
        "time-limit": { type: "string" },
      },
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const quick = values.quick === true;
  const defaults = quick ? QUICK : FULL;
  const number = (name: string, fallback: number, min: number, max: number) => {
    const raw = values[name];
    if (typeof raw !== "string") return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not "${raw}"`);
    }
    return value;
  };
  return {
    quick,
    crowd: number("crowd", defaults.crowd, 20, 20_000),
    seats: number("seats", defaults.seats, 10, 60_000),
    timeLimitS: number("time-limit", defaults.timeLimitS, 10, 3_600),
  };
}

// ---------------------------------------------------------------------------------------------------
// GraphQL as one account, over keep-alive HTTP

interface Account {
  userId: string;
  token: string;
}

interface Answer {
  code: string | undefined;
  data: Record<string, unknown> | undefined;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4_000 });

function graphql(
  api: RunningApi,
  account: Account | undefined,
  query: string,
  variables: Record<string, unknown>,
): Promise<Answer> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve) => {
    const req = request(
      api.graphqlUrl,
      {
        method: "POST",
        agent,
        timeout: 30_000,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...(account ? { cookie: `frontrow_session=${account.token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", () => resolve({ code: "NETWORK", data: undefined }));
        res.on("end", () => {
          try {
            const result = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
              data?: Record<string, unknown> | null;
              errors?: { extensions?: { code?: string } }[];
            };
            const error = result.errors?.[0];
            resolve({
              code: error ? (error.extensions?.code ?? "UNKNOWN") : undefined,
              data: result.data ?? undefined,
            });
          } catch {
            resolve({ code: `HTTP_${res.statusCode}`, data: undefined });
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve({ code: "NETWORK", data: undefined }));
    req.end(body);
  });
}

const CHALLENGE = "query ($e: ID!) { proofOfWorkChallenge(eventId: $e) { challenge } }";
const JOIN = "mutation ($e: ID!, $p: String) { joinQueue(eventId: $e, proofOfWork: $p) { state } }";
const STATUS = "query ($e: ID!) { queueStatus(eventId: $e) { state admissionToken } }";
const LEAVE = "mutation ($e: ID!) { leaveQueue(eventId: $e) }";
const HOLD_BEST = `mutation ($e: ID!, $q: Int!, $t: String) {
  holdBestAvailable(eventId: $e, quantity: $q, admissionToken: $t) { id } }`;
const HOLD_SEATS = `mutation ($e: ID!, $s: [ID!]!, $t: String) {
  holdSeats(eventId: $e, seatIds: $s, admissionToken: $t) { id } }`;
const CHECKOUT = `mutation ($h: ID!, $k: String!) {
  checkout(holdId: $h, paymentToken: "tok_visa", idempotencyKey: $k) { status tickets { id } } }`;
const SIGN_UP = `mutation ($m: String!, $p: String!) { signUp(email: $m, password: $p) { id } }`;

interface QueueStatus {
  state: string;
  admissionToken: string | null;
}

// ---------------------------------------------------------------------------------------------------
// The crowd

/** What the run shares with every actor. */
interface Sale {
  api: RunningApi;
  pow: ProofOfWorkModule;
  eventId: string;
  seatIds: string[];
  maxPerAccount: number;
  /** Set at sell-out or at the time limit: every actor stops. */
  over: boolean;
  /** Admission tokens that token-sharing bots hand to their partners. */
  sharedTokens: string[];
  outcomes: Map<string, number>;
}

function count(sale: Sale, actor: string, what: string): void {
  const key = `${actor}: ${what}`;
  sale.outcomes.set(key, (sale.outcomes.get(key) ?? 0) + 1);
}

const outcome = (answer: Answer) => answer.code ?? "ok";

async function join(sale: Sale, account: Account, actor: string): Promise<boolean> {
  let proof: string | undefined;
  if (POW_DIFFICULTY > 0) {
    const challenge = await graphql(sale.api, account, CHALLENGE, { e: sale.eventId });
    const text = (challenge.data?.proofOfWorkChallenge as { challenge: string } | undefined)?.challenge;
    if (!text) {
      count(sale, actor, `challenge ${outcome(challenge)}`);
      return false;
    }
    proof = sale.pow.solveProofOfWork(text, POW_DIFFICULTY);
  }
  const joined = await graphql(sale.api, account, JOIN, { e: sale.eventId, p: proof });
  count(sale, actor, `joinQueue ${outcome(joined)}`);
  return !joined.code;
}

/** Polls queueStatus (which is also the heartbeat) until admitted; undefined if the turn was lost or the sale ended. */
async function waitForAdmission(sale: Sale, account: Account, actor: string): Promise<string | undefined> {
  while (!sale.over) {
    await sleep(POLL_MS * (0.8 + 0.4 * Math.random()));
    const answer = await graphql(sale.api, account, STATUS, { e: sale.eventId });
    const status = answer.data?.queueStatus as QueueStatus | undefined;
    if (status?.state === "ADMITTED" && status.admissionToken) {
      count(sale, actor, "admitted");
      return status.admissionToken;
    }
    if (status?.state === "EXPIRED" || status?.state === "NOT_IN_QUEUE") {
      count(sale, actor, `turn lost (${status.state})`);
      return undefined;
    }
    if (answer.code) count(sale, actor, `queueStatus ${answer.code}`);
  }
  return undefined;
}

/** Holds `quantity` best available seats with the admission token, then pays for them. */
async function buy(sale: Sale, account: Account, actor: string, token: string, quantity: number) {
  const hold = await graphql(sale.api, account, HOLD_BEST, { e: sale.eventId, q: quantity, t: token });
  count(sale, actor, `holdBestAvailable ${outcome(hold)}`);
  const holdId = (hold.data?.holdBestAvailable as { id: string } | undefined)?.id;
  if (!holdId) return;
  if (actor === "fan") await sleep(FAN_THINK_MS);
  const paid = await graphql(sale.api, account, CHECKOUT, { h: holdId, k: `onsale-${holdId}` });
  count(sale, actor, `checkout ${outcome(paid)}`);
}

async function fan(sale: Sale, account: Account): Promise<void> {
  if (!(await join(sale, account, "fan"))) return;
  const token = await waitForAdmission(sale, account, "fan");
  if (!token || sale.over) return;
  await sleep(FAN_THINK_MS);
  await buy(sale, account, "fan", token, 1 + Math.floor(Math.random() * sale.maxPerAccount));
  await graphql(sale.api, account, LEAVE, { e: sale.eventId });
}

/** Fires `attempt` as fast as answers come back, until the sale is over. */
async function hammer(sale: Sale, actor: string, attempt: () => Promise<Answer>): Promise<void> {
  while (!sale.over) {
    const answer = await attempt();
    count(sale, actor, outcome(answer));
    await sleep(HAMMER_GAP_MS);
  }
}

const randomSeats = (sale: Sale, n: number) =>
  Array.from({ length: n }, () => sale.seatIds[Math.floor(Math.random() * sale.seatIds.length)] as string);

/** The bots' behaviours, dealt in turn: each ignores a rule of the waiting room. */
const BOTS: Record<string, (sale: Sale, account: Account, index: number) => Promise<void>> = {
  "bot no-token": (sale, account) =>
    hammer(sale, "bot no-token", () =>
      graphql(sale.api, account, HOLD_BEST, { e: sale.eventId, q: sale.maxPerAccount }),
    ),
  "bot forged-token": (sale, account) =>
    hammer(sale, "bot forged-token", () => {
      const forged = `${Buffer.from(JSON.stringify({ sub: account.userId, event: sale.eventId, exp: 9e12 })).toString("base64url")}.${"A".repeat(43)}`;
      return graphql(sale.api, account, HOLD_BEST, { e: sale.eventId, q: sale.maxPerAccount, t: forged });
    }),
  // Queues like a fan (its admission is its fair share), buys the maximum at once and passes the token on.
  "bot token-sharer": async (sale, account) => {
    if (!(await join(sale, account, "bot token-sharer"))) return;
    const token = await waitForAdmission(sale, account, "bot token-sharer");
    if (!token || sale.over) return;
    sale.sharedTokens.push(token);
    await buy(sale, account, "bot token-sharer", token, sale.maxPerAccount);
  },
  "bot borrowed-token": (sale, account) =>
    hammer(sale, "bot borrowed-token", async () => {
      const token = sale.sharedTokens.at(-1);
      if (!token) {
        await sleep(200);
        return { code: "waiting for a token to borrow", data: undefined };
      }
      return graphql(sale.api, account, HOLD_BEST, { e: sale.eventId, q: sale.maxPerAccount, t: token });
    }),
  "bot hammer": (sale, account) =>
    hammer(sale, "bot hammer", () =>
      graphql(sale.api, account, HOLD_SEATS, { e: sale.eventId, s: randomSeats(sale, 2) }),
    ),
  "bot sign-up farm": (sale, _account, index) => {
    let n = 0;
    return hammer(sale, "bot sign-up farm", () =>
      graphql(sale.api, undefined, SIGN_UP, {
        m: `farm-${index}-${n++}-${Date.now()}${EMAIL_DOMAIN}`,
        p: "farm-password-1",
      }),
    );
  },
  // Joins and goes silent (a script that never keeps its tab alive), then tries its luck.
  "bot no-heartbeat": async (sale, account) => {
    if (!(await join(sale, account, "bot no-heartbeat"))) return;
    await sleep((HEARTBEAT_GRACE_S + 4) * 1000);
    const answer = await graphql(sale.api, account, STATUS, { e: sale.eventId });
    const status = answer.data?.queueStatus as QueueStatus | undefined;
    count(
      sale,
      "bot no-heartbeat",
      `state after ${HEARTBEAT_GRACE_S + 4} s silent: ${status?.state ?? answer.code}`,
    );
    if (status?.admissionToken) await buy(sale, account, "bot no-heartbeat", status.admissionToken, 4);
  },
};

// ---------------------------------------------------------------------------------------------------
// The stadium event, its inventory and the invariants

async function restoreParkedSeats(db: Db): Promise<void> {
  const [parked] = await db.$queryRawUnsafe<{ exists: boolean }[]>(
    `SELECT to_regclass('${PARKED_SEATS}') IS NOT NULL AS exists`,
  );
  if (!parked?.exists) return;
  await db.$executeRawUnsafe(`INSERT INTO event_seat SELECT * FROM ${PARKED_SEATS} ON CONFLICT DO NOTHING`);
  await db.$executeRawUnsafe(`DROP TABLE ${PARKED_SEATS}`);
}

/**
 * Takes every free seat but the `keep` best off sale (parked in a table). Returns the seats in play: those
 * kept and any held when the run starts (they come back on sale when their holds lapse).
 */
async function limitInventory(db: Db, eventId: number, keep: number): Promise<string[]> {
  // A utility statement takes no bind parameters: both values are integers.
  await db.$executeRawUnsafe(
    `CREATE TABLE ${PARKED_SEATS} AS SELECT * FROM event_seat WHERE event_id = ${Math.trunc(eventId)}
     AND status = 'AVAILABLE' AND seat_id NOT IN (SELECT seat_id FROM event_seat
       WHERE event_id = ${Math.trunc(eventId)} AND status = 'AVAILABLE' ORDER BY seat_id LIMIT ${Math.trunc(keep)})`,
  );
  await db.$executeRawUnsafe(
    `DELETE FROM event_seat es USING ${PARKED_SEATS} p WHERE es.event_id = p.event_id AND es.seat_id = p.seat_id`,
  );
  const rows = await db.$queryRawUnsafe<{ seatId: number }[]>(
    `SELECT seat_id AS "seatId" FROM event_seat WHERE event_id = $1 AND status <> 'SOLD'`,
    eventId,
  );
  return rows.map((row) => String(row.seatId));
}

/** Deletes the crowd's accounts (and the sign-up farm's) with all they held, bought or set off. */
async function deleteCrowd(db: Db, eventId: number): Promise<void> {
  const users = `SELECT id FROM user_account
                 WHERE (email LIKE 'onsale-%' OR email LIKE 'farm-%') AND email LIKE '%${EMAIL_DOMAIN}'`;
  const orders = `SELECT id FROM "order" WHERE user_id IN (${users})`;
  await db.$transaction([
    db.$executeRawUnsafe(
      `UPDATE event_seat SET status = 'AVAILABLE', hold_id = NULL, held_until = NULL, order_id = NULL
       WHERE event_id = $1 AND (order_id IN (${orders})
         OR hold_id IN (SELECT id FROM hold WHERE user_id IN (${users})))`,
      eventId,
    ),
    db.$executeRawUnsafe(`DELETE FROM ticket WHERE order_id IN (${orders})`),
    db.$executeRawUnsafe(`DELETE FROM payment WHERE order_id IN (${orders})`),
    db.$executeRawUnsafe(
      `DELETE FROM fake_gateway_charge WHERE reference IN (SELECT id::text FROM (${orders}) o)`,
    ),
    db.$executeRawUnsafe(`DELETE FROM outbox_event WHERE (payload->>'orderId')::uuid IN (${orders})`),
    db.$executeRawUnsafe(`DELETE FROM "order" WHERE user_id IN (${users})`),
    db.$executeRawUnsafe(`DELETE FROM hold WHERE user_id IN (${users})`),
    db.$executeRawUnsafe(`DELETE FROM bot_signal WHERE user_id IN (${users})`),
    db.$executeRawUnsafe(`DELETE FROM session WHERE user_id IN (${users})`),
    db.$executeRawUnsafe(`DELETE FROM user_account WHERE id IN (${users})`),
  ]);
}

interface Invariants {
  seatsSoldTwice: number;
  soldSeatsWithoutOneValidTicketOfConfirmedOrder: number;
  accountsAboveLimit: number;
  pass: boolean;
}

async function checkInvariants(db: Db, eventId: number, maxPerAccount: number): Promise<Invariants> {
  const n = async (sql: string, ...values: unknown[]) =>
    (await db.$queryRawUnsafe<{ n: number }[]>(sql, ...values))[0]?.n ?? -1;
  const result = {
    seatsSoldTwice: await n(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM ticket WHERE event_id = $1 AND status = 'VALID'
       GROUP BY seat_id HAVING count(*) > 1) twice`,
      eventId,
    ),
    soldSeatsWithoutOneValidTicketOfConfirmedOrder: await n(
      `SELECT count(*)::int AS n FROM event_seat es WHERE es.event_id = $1 AND es.status = 'SOLD' AND 1 <> (
         SELECT count(*) FROM ticket t JOIN "order" o ON o.id = t.order_id
         WHERE t.event_id = es.event_id AND t.seat_id = es.seat_id AND t.status = 'VALID'
           AND o.status = 'CONFIRMED')`,
      eventId,
    ),
    accountsAboveLimit: await n(
      `SELECT count(*)::int AS n FROM (SELECT o.user_id FROM ticket t JOIN "order" o ON o.id = t.order_id
       WHERE t.event_id = $1 AND t.status = 'VALID' GROUP BY o.user_id HAVING count(*) > $2) above`,
      eventId,
      maxPerAccount,
    ),
  };
  return {
    ...result,
    pass: Object.values(result).every((value) => value === 0),
  };
}

async function soldSeats(db: Db, eventId: number): Promise<number> {
  const [row] = await db.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM event_seat WHERE event_id = $1 AND status = 'SOLD'`,
    eventId,
  );
  return row?.n ?? 0;
}

async function ticketsByGroup(db: Db, eventId: number) {
  const rows = await db.$queryRawUnsafe<{ bot: boolean; n: number }[]>(
    `SELECT u.email LIKE 'onsale-%-bot-%' AS bot, count(*)::int AS n
     FROM ticket t JOIN "order" o ON o.id = t.order_id JOIN user_account u ON u.id = o.user_id
     WHERE t.event_id = $1 AND t.status = 'VALID' AND u.email LIKE 'onsale-%' GROUP BY 1`,
    eventId,
  );
  return {
    fans: rows.find((row) => !row.bot)?.n ?? 0,
    bots: rows.find((row) => row.bot)?.n ?? 0,
  };
}

/** Bot signals the API recorded during the run (sign-ups carry no event). */
async function botSignals(db: Db, eventId: number, since: Date) {
  return db.$queryRawUnsafe<{ kind: string; n: number }[]>(
    `SELECT kind, count(*)::int AS n FROM bot_signal WHERE (event_id = $1 OR event_id IS NULL)
     AND created_at >= $2 GROUP BY kind ORDER BY kind`,
    eventId,
    since,
  );
}

// ---------------------------------------------------------------------------------------------------

export async function run(args: string[]): Promise<number> {
  const options = parseOptions(args);
  requireApiBuild();
  const startedAt = new Date();
  const stamp = fileStamp(startedAt).toLowerCase();
  const machine = machineInfo();
  const botCount = Math.round(options.crowd * BOT_SHARE);
  const fanCount = options.crowd - botCount;
  console.log(
    `On-sale rehearsal${options.quick ? " (quick run)" : ""}: ${machine.cpus} cores, load average ` +
      `${machine.loadAverage1m} before the run, node ${machine.node}`,
  );
  process.stdout.write("Preparing the benchmark database (migrate, seed)… ");
  const databaseUrl = benchDatabaseUrl();
  await prepareDatabase(databaseUrl);
  console.log("done");
  const [{ createPrisma }, redisModule, sessions, seed, pow] = await Promise.all([
    importApiModule<PrismaModule>("infra/prisma.js"),
    importApiModule<RedisModule>("infra/redis.js"),
    importApiModule<SessionModule>("modules/auth/session-store.js"),
    importApiModule<CatalogSeedModule>("seed/catalog.js"),
    importApiModule<ProofOfWorkModule>("modules/queue/proof-of-work.js"),
  ]);
  const db = createPrisma(databaseUrl, { poolSize: 4 });
  const event = await db.event.findUniqueOrThrow({
    where: { slug: seed.NOTABLE_EVENT_SLUGS.stadiumQueueOnSale },
  });
  const original = {
    status: event.status,
    saleStartsAt: event.saleStartsAt,
    queueEnabled: event.queueEnabled,
    queuePaused: event.queuePaused,
    admissionRatePerMinute: event.admissionRatePerMinute,
    maxActiveShoppers: event.maxActiveShoppers,
    powDifficulty: event.powDifficulty,
  };
  // What the run changes is put back at the end, also when it fails or is interrupted.
  const restore = onShutdown(
    async () => {
      try {
        await deleteCrowd(db, event.id);
        await restoreParkedSeats(db);
        await db.event.update({ where: { id: event.id }, data: original });
      } finally {
        await db.$disconnect();
      }
    },
    () => undefined,
  );
  const { seatIds, sale, sellOutS, elapsedS, apiCpuS, invariants, tickets, signals, sold } =
    await (async () => {
      try {
        await deleteCrowd(db, event.id);
        await restoreParkedSeats(db);
        const seatIds = await limitInventory(db, event.id, options.seats);
        const soldBefore = await soldSeats(db, event.id);
        await db.event.update({
          where: { id: event.id },
          data: {
            status: "ON_SALE",
            saleStartsAt: new Date(Date.now() - 60_000),
            queueEnabled: true,
            queuePaused: false,
            admissionRatePerMinute: ADMISSIONS_PER_MINUTE,
            maxActiveShoppers: MAX_ACTIVE_SHOPPERS,
            powDifficulty: POW_DIFFICULTY,
          },
        });
        const api = await startApi({
          databaseUrl,
          env: {
            QUEUE_TICK_MS: String(TICK_MS),
            QUEUE_HEARTBEAT_INTERVAL_SECONDS: String(HEARTBEAT_INTERVAL_S),
            QUEUE_HEARTBEAT_GRACE_SECONDS: String(HEARTBEAT_GRACE_S),
            // The whole crowd comes from 127.0.0.1: only the per-IP limits are lifted (docs/defences.md).
            RATE_LIMITS: withoutIpRateLimits([
              "Mutation.joinQueue",
              "Mutation.holdSeats",
              "Mutation.holdBestAvailable",
              "Mutation.checkout",
            ]),
          },
        });
        const redis = redisModule.createRedis(
          {
            url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
            keyPrefix: api.redisKeyPrefix,
            commandTimeoutMs: 10_000,
          },
          "bench-onsale",
        );
        await redis.connect();
        const sale: Sale = {
          api,
          pow,
          eventId: String(event.id),
          seatIds,
          maxPerAccount: event.maxTicketsPerAccount,
          over: false,
          sharedTokens: [],
          outcomes: new Map(),
        };
        let sellOutS: number | undefined;
        let elapsedS = 0;
        let apiCpuS: number | undefined;
        try {
          console.log(
            `API at ${api.graphqlUrl} (${apiSummary(api)}); event ${event.id} "${event.name}": ${integer(seatIds.length)} seats on sale, ` +
              `${event.maxTicketsPerAccount} per account, ${ADMISSIONS_PER_MINUTE} admissions/min, ` +
              `≤ ${MAX_ACTIVE_SHOPPERS} shoppers, ${POW_DIFFICULTY}-bit proof of work`,
          );
          console.log(
            "Rate limits: per-IP limits lifted (the whole crowd is 127.0.0.1); per-account limits as in production.",
          );
          process.stdout.write(
            `Creating ${integer(fanCount)} fans and ${integer(botCount)} bots with sessions… `,
          );
          const fans = await createFans(db, sessions, redis, fanCount, `onsale-${stamp}-fan`);
          const bots = await createFans(db, sessions, redis, botCount, `onsale-${stamp}-bot`);
          console.log("done");
          const behaviours = Object.entries(BOTS);
          const crowd = [
            ...fans.map((account) => () => fan(sale, account)),
            ...bots.map((account, index) => {
              const [, behaviour] = behaviours[index % behaviours.length] as (typeof behaviours)[number];
              return () => behaviour(sale, account, index);
            }),
          ];
          const cpuBefore = api.cpuSeconds();
          const started = performance.now();
          const actors = crowd.map(async (act) => {
            await sleep(Math.random() * ARRIVAL_S * 1000);
            await act();
          });
          process.stdout.write(`The sale is open: ${integer(crowd.length)} arrive within ${ARRIVAL_S} s… `);
          const everyoneDone = Promise.all(actors).then(() => true);
          let finished = false;
          void everyoneDone.then(() => {
            finished = true;
          });
          while (!finished) {
            elapsedS = (performance.now() - started) / 1000;
            if ((await soldSeats(db, event.id)) - soldBefore >= seatIds.length) {
              sellOutS = elapsedS;
              break;
            }
            if (elapsedS >= options.timeLimitS) break;
            await sleep(250);
          }
          elapsedS = (performance.now() - started) / 1000;
          sale.over = true;
          await everyoneDone;
          const cpuAfter = api.cpuSeconds();
          if (cpuBefore !== undefined && cpuAfter !== undefined) apiCpuS = cpuAfter - cpuBefore;
          console.log(
            sellOutS === undefined
              ? `stopped after ${elapsedS.toFixed(1)} s`
              : `sold out in ${sellOutS.toFixed(1)} s`,
          );
        } finally {
          sale.over = true;
          await api.stop();
          await dropKeys(redis, api.redisKeyPrefix).catch(() => undefined);
          redis.disconnect();
          agent.destroy();
        }

        const invariants = await checkInvariants(db, event.id, event.maxTicketsPerAccount);
        const tickets = await ticketsByGroup(db, event.id);
        const signals = await botSignals(db, event.id, startedAt);
        const sold = (await soldSeats(db, event.id)) - soldBefore;
        return { seatIds, sale, sellOutS, elapsedS, apiCpuS, invariants, tickets, signals, sold };
      } finally {
        await restore();
      }
    })();

  const totalTickets = tickets.fans + tickets.bots;
  const botTicketShare = totalTickets ? tickets.bots / totalTickets : 0;
  console.log(
    `\n${table(
      ["actor: outcome", "count"],
      [...sale.outcomes.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, n]) => [key, integer(n)]),
    )}`,
  );
  if (signals.length) {
    console.log(
      `\n${table(
        ["bot signal", "rows"],
        signals.map((row) => [row.kind, integer(row.n)]),
      )}`,
    );
  }
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  console.log(
    `\n${table(
      [
        "seats",
        "sold",
        "time",
        "fans",
        "bots",
        "fan tickets",
        "bot tickets",
        "bots' crowd share",
        "bots' ticket share",
      ],
      [
        [
          integer(seatIds.length),
          integer(sold),
          sellOutS === undefined
            ? `not sold out in ${elapsedS.toFixed(0)} s`
            : `sold out in ${sellOutS.toFixed(1)} s`,
          integer(fanCount),
          integer(botCount),
          integer(tickets.fans),
          integer(tickets.bots),
          percent(botCount / options.crowd),
          percent(botTicketShare),
        ],
      ],
    )}`,
  );
  console.log(
    `\nInvariants (SQL): seats sold twice ${invariants.seatsSoldTwice}, SOLD seats without exactly one VALID ticket ` +
      `of a CONFIRMED order ${invariants.soldSeatsWithoutOneValidTicketOfConfirmedOrder}, accounts above ` +
      `${event.maxTicketsPerAccount} tickets ${invariants.accountsAboveLimit}: ${invariants.pass ? "PASS" : "FAIL"}`,
  );
  if (apiCpuS !== undefined) {
    console.log(
      `API CPU over the sale: ${apiCpuS.toFixed(1)} s, ${sold ? ((apiCpuS * 1000) / sold).toFixed(1) : "?"} ms per ` +
        "ticket sold (every request of the crowd and the bots included).",
    );
  }
  const fair = botTicketShare <= botCount / options.crowd;
  console.log(
    `Target: bots get no more than their share of the crowd (${percent(botCount / options.crowd)}): ` +
      `${percent(botTicketShare)} ${fair ? "PASS" : "FAIL"}. Figures share this machine with other work: see the load average.`,
  );
  const resultsPath = await writeResults(`onsale-${fileStamp(startedAt)}.json`, {
    scenario: "onsale",
    startedAt: startedAt.toISOString(),
    machine,
    options,
    room: {
      ADMISSIONS_PER_MINUTE,
      MAX_ACTIVE_SHOPPERS,
      POW_DIFFICULTY,
      HEARTBEAT_INTERVAL_S,
      HEARTBEAT_GRACE_S,
    },
    seats: seatIds.length,
    sold,
    sellOutSeconds: sellOutS ?? null,
    elapsedSeconds: elapsedS,
    apiCpuSeconds: apiCpuS ?? null,
    fans: fanCount,
    bots: botCount,
    tickets,
    botTicketShare,
    outcomes: Object.fromEntries(sale.outcomes),
    botSignals: signals,
    invariants,
  });
  console.log(`Results: ${resultsPath}`);
  return invariants.pass && fair ? 0 : 1;
}
