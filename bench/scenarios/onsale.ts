// `pnpm bench onsale`: a rehearsal of a stadium on-sale through the waiting room, holds and checkout, with
// fans who follow the rules and ~10% bots who do not.
import { setTimeout as sleep } from "node:timers/promises";
import { SetupError } from "../lib/api-build.js";
import { proofOfWorkSolver, seededEvents } from "../lib/api-modules.js";
import { onShutdown } from "../lib/cleanup.js";
import { overrideEvent } from "../lib/event-settings.js";
import { createFans, deleteFans, domainEmails, type Fan, openSessions } from "../lib/fans.js";
import { GraphQLClient } from "../lib/http.js";
import {
  accountsAboveLimit,
  describeViolations,
  holdInvariants,
  intact,
  saleInvariants,
  type Violations,
} from "../lib/invariants.js";
import type { StepCost } from "../lib/meter.js";
import { integerOption, loadOptionsUsage, parseOptions } from "../lib/options.js";
import type { PgClient } from "../lib/pg.js";
import { withoutIpRateLimits } from "../lib/rate-limits.js";
import { type Reference, ratio, typenameReference } from "../lib/reference.js";
import {
  costCells,
  costHeader,
  costLegend,
  costLine,
  integer,
  perOperation,
  ratioText,
  table,
  verdictCell,
} from "../lib/report.js";
import { type Bench, openBench, withApi } from "../lib/scenario.js";
import { finish, type Target } from "../lib/verdict.js";

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
const FAN_DOMAIN = "onsale.bench.invalid";

export const usage = `Usage: pnpm bench onsale [options]

Prepares the database frontrow_bench (BENCH_DATABASE_URL overrides) and rehearses an on-sale of the stadium
event "aurora-vale-northern-lights-lisbon" (waiting room on, at most 4 tickets per account), limited to its N
best seats (the others are taken off sale for the run and put back after). After the reference,
{ __typename } (closed loop), the crowd joins within ${ARRIVAL_S} s:
  fans  solve the ${POW_DIFFICULTY}-bit proof of work, join, poll queueStatus (their heartbeat) every ${POLL_MS / 1000} s, and when
        admitted hold 1-4 best available seats with their admission token, pay with tok_visa and leave.
  bots  ${BOT_SHARE * 100}% of the crowd, in turn: hold without a token; hold with a forged token; join, get admitted and
        share the token with a bot that uses it from its own account; hammer holdSeats without waiting; sign
        up many accounts from one IP; join and never send a heartbeat. Every answer is counted by outcome.
The run ends at sell-out or after the time limit, and prints the sale's CPU per ticket and per request by
process (the API's per request over { __typename }'s) and the API's event-loop delay. Then SQL checks: no
seat sold twice, every SOLD seat has exactly one VALID ticket of its CONFIRMED order, no double holds, no
account above maxTicketsPerAccount; and the bots' share of the tickets against their share of the crowd.
Only the per-IP rate limits are lifted (the crowd comes from 127.0.0.1); per-account limits stay as in
production.

Targets: bots get no more than their share of the crowd; zero oversold (the invariants).

  --crowd N          accounts, fans and bots (${FULL.crowd}; --quick ${QUICK.crowd})
  --seats N          seats on sale (${FULL.seats}; --quick ${QUICK.seats})
  --time-limit S     seconds before the run stops unsold (${FULL.timeLimitS}; --quick ${QUICK.timeLimitS})
${loadOptionsUsage}
(the load options apply to the { __typename } reference only.)`;

function parseOnsaleOptions(args: string[]) {
  const { settings, values } = parseOptions(args, { values: ["crowd", "seats", "time-limit"] });
  const defaults = settings.quick ? QUICK : FULL;
  return {
    settings,
    crowd: integerOption("--crowd", values.crowd, defaults.crowd, { min: 20, max: 20_000 }),
    seats: integerOption("--seats", values.seats, defaults.seats, { min: 10, max: 60_000 }),
    timeLimitS: integerOption("--time-limit", values["time-limit"], defaults.timeLimitS, {
      min: 10,
      max: 3_600,
    }),
  };
}

// ---------------------------------------------------------------------------------------------------
// GraphQL as one account

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
  client: GraphQLClient;
  solve: (challenge: string, difficulty: number) => string;
  eventId: string;
  seatIds: string[];
  maxPerAccount: number;
  /** Set at sell-out or at the time limit: every actor stops. */
  over: boolean;
  /** Admission tokens that token-sharing bots hand to their partners. */
  sharedTokens: string[];
  outcomes: Map<string, number>;
  /** Requests the crowd sent. */
  requests: number;
}

interface Answer {
  code: string | undefined;
  data: Record<string, unknown> | undefined;
}

/** One operation as `account` (none: anonymous); counted, never thrown. */
async function send(
  sale: Sale,
  account: Fan | undefined,
  query: string,
  variables: Record<string, unknown>,
): Promise<Answer> {
  sale.requests++;
  const answer = await sale.client.send(query, variables, account?.cookie);
  return { code: answer.code, data: answer.data };
}

function count(sale: Sale, actor: string, what: string): void {
  const key = `${actor}: ${what}`;
  sale.outcomes.set(key, (sale.outcomes.get(key) ?? 0) + 1);
}

const outcome = (answer: Answer) => answer.code ?? "ok";

async function join(sale: Sale, account: Fan, actor: string): Promise<boolean> {
  let proof: string | undefined;
  if (POW_DIFFICULTY > 0) {
    const challenge = await send(sale, account, CHALLENGE, { e: sale.eventId });
    const text = (challenge.data?.proofOfWorkChallenge as { challenge: string } | undefined)?.challenge;
    if (!text) {
      count(sale, actor, `challenge ${outcome(challenge)}`);
      return false;
    }
    proof = sale.solve(text, POW_DIFFICULTY);
  }
  const joined = await send(sale, account, JOIN, { e: sale.eventId, p: proof });
  count(sale, actor, `joinQueue ${outcome(joined)}`);
  return !joined.code;
}

/** Polls queueStatus (which is also the heartbeat) until admitted; undefined if the turn was lost or the sale ended. */
async function waitForAdmission(sale: Sale, account: Fan, actor: string): Promise<string | undefined> {
  while (!sale.over) {
    await sleep(POLL_MS * (0.8 + 0.4 * Math.random()));
    const answer = await send(sale, account, STATUS, { e: sale.eventId });
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
async function buy(sale: Sale, account: Fan, actor: string, token: string, quantity: number) {
  const hold = await send(sale, account, HOLD_BEST, { e: sale.eventId, q: quantity, t: token });
  count(sale, actor, `holdBestAvailable ${outcome(hold)}`);
  const holdId = (hold.data?.holdBestAvailable as { id: string } | undefined)?.id;
  if (!holdId) return;
  if (actor === "fan") await sleep(FAN_THINK_MS);
  const paid = await send(sale, account, CHECKOUT, { h: holdId, k: `onsale-${holdId}` });
  count(sale, actor, `checkout ${outcome(paid)}`);
}

async function fan(sale: Sale, account: Fan): Promise<void> {
  if (!(await join(sale, account, "fan"))) return;
  const token = await waitForAdmission(sale, account, "fan");
  if (!token || sale.over) return;
  await sleep(FAN_THINK_MS);
  await buy(sale, account, "fan", token, 1 + Math.floor(Math.random() * sale.maxPerAccount));
  await send(sale, account, LEAVE, { e: sale.eventId });
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
const BOTS: Record<string, (sale: Sale, account: Fan, index: number) => Promise<void>> = {
  "bot no-token": (sale, account) =>
    hammer(sale, "bot no-token", () =>
      send(sale, account, HOLD_BEST, { e: sale.eventId, q: sale.maxPerAccount }),
    ),
  "bot forged-token": (sale, account) =>
    hammer(sale, "bot forged-token", () => {
      const forged = `${Buffer.from(JSON.stringify({ sub: account.id, event: sale.eventId, exp: 9e12 })).toString("base64url")}.${"A".repeat(43)}`;
      return send(sale, account, HOLD_BEST, { e: sale.eventId, q: sale.maxPerAccount, t: forged });
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
      return send(sale, account, HOLD_BEST, { e: sale.eventId, q: sale.maxPerAccount, t: token });
    }),
  "bot hammer": (sale, account) =>
    hammer(sale, "bot hammer", () =>
      send(sale, account, HOLD_SEATS, { e: sale.eventId, s: randomSeats(sale, 2) }),
    ),
  "bot sign-up farm": (sale, _account, index) => {
    let n = 0;
    return hammer(sale, "bot sign-up farm", () =>
      send(sale, undefined, SIGN_UP, {
        m: `farm-${index}-${n++}-${Date.now()}@${FAN_DOMAIN}`,
        p: "farm-password-1",
      }),
    );
  },
  // Joins and goes silent (a script that never keeps its tab alive), then tries its luck.
  "bot no-heartbeat": async (sale, account) => {
    if (!(await join(sale, account, "bot no-heartbeat"))) return;
    await sleep((HEARTBEAT_GRACE_S + 4) * 1000);
    const answer = await send(sale, account, STATUS, { e: sale.eventId });
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

async function restoreParkedSeats(db: PgClient): Promise<void> {
  const { rows } = await db.query<{ exists: boolean }>(
    `SELECT to_regclass('${PARKED_SEATS}') IS NOT NULL AS exists`,
  );
  if (!rows[0]?.exists) return;
  await db.query(`INSERT INTO event_seat SELECT * FROM ${PARKED_SEATS} ON CONFLICT DO NOTHING`);
  await db.query(`DROP TABLE ${PARKED_SEATS}`);
}

/**
 * Takes every free seat but the `keep` best off sale (parked in a table). Returns the seats in play: those
 * kept and any held when the run starts (they come back on sale when their holds lapse).
 */
async function limitInventory(db: PgClient, eventId: number, keep: number): Promise<string[]> {
  // A utility statement takes no bind parameters: both values are integers.
  await db.query(
    `CREATE TABLE ${PARKED_SEATS} AS SELECT * FROM event_seat WHERE event_id = ${Math.trunc(eventId)}
     AND status = 'AVAILABLE' AND seat_id NOT IN (SELECT seat_id FROM event_seat
       WHERE event_id = ${Math.trunc(eventId)} AND status = 'AVAILABLE' ORDER BY seat_id LIMIT ${Math.trunc(keep)})`,
  );
  await db.query(
    `DELETE FROM event_seat es USING ${PARKED_SEATS} p WHERE es.event_id = p.event_id AND es.seat_id = p.seat_id`,
  );
  const { rows } = await db.query<{ seatId: number }>(
    `SELECT seat_id AS "seatId" FROM event_seat WHERE event_id = $1 AND status <> 'SOLD'`,
    [eventId],
  );
  return rows.map((row) => String(row.seatId));
}

async function soldSeats(db: PgClient, eventId: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM event_seat WHERE event_id = $1 AND status = 'SOLD'`,
    [eventId],
  );
  return rows[0]?.n ?? 0;
}

async function ticketsByGroup(db: PgClient, eventId: number) {
  const { rows } = await db.query<{ bot: boolean; n: number }>(
    `SELECT u.email LIKE '%-bot-%' AS bot, count(*)::int AS n
     FROM ticket t JOIN "order" o ON o.id = t.order_id JOIN user_account u ON u.id = o.user_id
     WHERE t.event_id = $1 AND t.status = 'VALID' AND u.email LIKE $2 GROUP BY 1`,
    [eventId, domainEmails(FAN_DOMAIN)],
  );
  return { fans: rows.find((row) => !row.bot)?.n ?? 0, bots: rows.find((row) => row.bot)?.n ?? 0 };
}

/** Bot signals the API recorded during the run (sign-ups carry no event). */
async function botSignals(db: PgClient, eventId: number, since: Date) {
  const { rows } = await db.query<{ kind: string; n: number }>(
    `SELECT kind, count(*)::int AS n FROM bot_signal WHERE (event_id = $1 OR event_id IS NULL)
     AND created_at >= $2 GROUP BY kind ORDER BY kind`,
    [eventId, since],
  );
  return rows;
}

// ---------------------------------------------------------------------------------------------------

interface Rehearsal {
  seatIds: string[];
  sale: Sale;
  sellOutS: number | undefined;
  elapsedS: number;
  sold: number;
  /** The whole sale: operations are the tickets sold. */
  cost: StepCost;
  typename: Awaited<ReturnType<typeof typenameReference>>;
  invariants: Violations;
  tickets: { fans: number; bots: number };
  signals: { kind: string; n: number }[];
}

async function rehearse(
  bench: Bench,
  event: { id: number; name: string; maxTicketsPerAccount: number },
  options: ReturnType<typeof parseOnsaleOptions>,
): Promise<Rehearsal> {
  const { db } = bench;
  const botCount = Math.round(options.crowd * BOT_SHARE);
  const fanCount = options.crowd - botCount;
  const seatIds = await limitInventory(db, event.id, options.seats);
  const soldBefore = await soldSeats(db, event.id);
  const stamp = bench.startedAt.getTime().toString(36);
  const [solve, fanAccounts, botAccounts] = await Promise.all([
    proofOfWorkSolver(),
    createFans(db, { tag: `onsale-${stamp}-fan`, domain: FAN_DOMAIN }, fanCount, "not-a-password-hash"),
    createFans(db, { tag: `onsale-${stamp}-bot`, domain: FAN_DOMAIN }, botCount, "not-a-password-hash"),
  ]);
  const [fans, bots] = [await openSessions(db, fanAccounts), await openSessions(db, botAccounts)];
  const result = await withApi(
    bench,
    {
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
    },
    async ({ api, meter }) => {
      const typename = await typenameReference(api, options.settings, meter);
      console.log(
        `Event ${event.id} "${event.name}": ${integer(seatIds.length)} seats on sale, ${event.maxTicketsPerAccount} per ` +
          `account, ${ADMISSIONS_PER_MINUTE} admissions/min, ≤ ${MAX_ACTIVE_SHOPPERS} shoppers, ${POW_DIFFICULTY}-bit proof of work; ` +
          `${integer(fanCount)} fans and ${integer(botCount)} bots. Per-IP rate limits lifted (the crowd is 127.0.0.1), ` +
          "per-account limits as in production.",
      );
      const client = new GraphQLClient(api.graphqlUrl, { maxSockets: 256 });
      const sale: Sale = {
        client,
        solve,
        eventId: String(event.id),
        seatIds,
        maxPerAccount: event.maxTicketsPerAccount,
        over: false,
        sharedTokens: [],
        outcomes: new Map(),
        requests: 0,
      };
      const behaviours = Object.entries(BOTS);
      const crowd = [
        ...fans.map((account) => () => fan(sale, account)),
        ...bots.map((account, index) => {
          const [, behaviour] = behaviours[index % behaviours.length] as (typeof behaviours)[number];
          return () => behaviour(sale, account, index);
        }),
      ];
      try {
        const mark = await meter.start();
        const started = performance.now();
        process.stdout.write(`The sale is open: ${integer(crowd.length)} arrive within ${ARRIVAL_S} s… `);
        let finished = false;
        const everyoneDone = Promise.all(
          crowd.map(async (act) => {
            await sleep(Math.random() * ARRIVAL_S * 1000);
            await act();
          }),
        ).then(() => {
          finished = true;
        });
        let sellOutS: number | undefined;
        while (!finished) {
          const elapsedS = (performance.now() - started) / 1000;
          if ((await soldSeats(db, event.id)) - soldBefore >= seatIds.length) {
            sellOutS = elapsedS;
            break;
          }
          if (elapsedS >= options.timeLimitS) break;
          await sleep(250);
        }
        const elapsedS = (performance.now() - started) / 1000;
        sale.over = true;
        await everyoneDone;
        const sold = (await soldSeats(db, event.id)) - soldBefore;
        const cost = await meter.stop(mark, sold);
        console.log(
          sellOutS === undefined
            ? `stopped after ${elapsedS.toFixed(1)} s`
            : `sold out in ${sellOutS.toFixed(1)} s`,
        );
        console.log(`    ${costLine(cost)} (per ticket sold)`);
        return { sale, sellOutS, elapsedS, sold, cost, typename };
      } finally {
        sale.over = true;
        client.close();
      }
    },
  );
  const invariants = {
    ...(await saleInvariants(db, event.id)),
    ...(await holdInvariants(db, event.id)),
    ...(await accountsAboveLimit(db, event.id, event.maxTicketsPerAccount)),
  };
  return {
    ...result,
    seatIds,
    invariants,
    tickets: await ticketsByGroup(db, event.id),
    signals: await botSignals(db, event.id, bench.startedAt),
  };
}

export async function run(args: string[]): Promise<number> {
  const options = parseOnsaleOptions(args);
  const bench = await openBench("onsale", "On-sale rehearsal", options.settings.quick);
  const { db } = bench;
  const { slugs } = await seededEvents();
  const event = (
    await db.query<{ id: number; name: string; maxTicketsPerAccount: number }>(
      `SELECT id, name, max_tickets_per_account AS "maxTicketsPerAccount" FROM event WHERE slug = $1`,
      [slugs.stadiumQueueOnSale],
    )
  ).rows[0];
  if (!event) {
    await bench.close();
    throw new SetupError(`The seed has no event "${slugs.stadiumQueueOnSale}"`);
  }
  let restoreEvent: () => Promise<void> = async () => undefined;
  // What the run changes is put back at the end, also when it fails or is interrupted.
  const restore = onShutdown(
    async () => {
      try {
        await deleteFans(db, domainEmails(FAN_DOMAIN));
        await restoreParkedSeats(db);
        await restoreEvent();
      } finally {
        await bench.close();
      }
    },
    () => undefined,
  );
  let rehearsal: Rehearsal;
  try {
    await deleteFans(db, domainEmails(FAN_DOMAIN));
    await restoreParkedSeats(db);
    restoreEvent = await overrideEvent(db, event.id, {
      status: "ON_SALE",
      sale_starts_at: new Date(Date.now() - 60_000),
      queue_enabled: true,
      queue_paused: false,
      admission_rate_per_minute: ADMISSIONS_PER_MINUTE,
      max_active_shoppers: MAX_ACTIVE_SHOPPERS,
      pow_difficulty: POW_DIFFICULTY,
    });
    rehearsal = await rehearse(bench, event, options);
  } finally {
    await restore();
  }

  const { sale, seatIds, sold, sellOutS, elapsedS, cost, typename, invariants, tickets, signals } = rehearsal;
  const botCount = Math.round(options.crowd * BOT_SHARE);
  const fanCount = options.crowd - botCount;
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
  const totalTickets = tickets.fans + tickets.bots;
  const botTicketShare = totalTickets ? tickets.bots / totalTickets : 0;
  const botCrowdShare = botCount / options.crowd;
  // With no ticket sold there is no share: nothing to call fair.
  const fair = totalTickets > 0 && botTicketShare <= botCrowdShare;
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
          percent(botCrowdShare),
          percent(botTicketShare),
        ],
      ],
    )}`,
  );
  // The sale's API CPU per request against { __typename }'s: what the crowd's average request costs.
  const apiMsPerRequest =
    cost.msPerOperation.server === undefined
      ? undefined
      : (cost.msPerOperation.server * sold) / sale.requests;
  const typenameMsPerRequest = typename.load.cost.msPerOperation.server;
  const perRequestReference: Reference | undefined =
    typenameMsPerRequest === undefined
      ? undefined
      : { name: "{ __typename }'s", value: typenameMsPerRequest, unit: "ms of API CPU per request" };
  console.log(
    `\n${table(
      ["phase", "operations", "rate", ...costHeader, "step"],
      [
        [
          "{ __typename } (reference)",
          `${integer(typename.load.requests)} requests`,
          `${integer(typename.load.requestsPerSecond)}/s`,
          ...costCells(typename.load.cost),
          verdictCell(undefined),
        ],
        [
          "the sale, per ticket sold",
          `${integer(sold)} tickets`,
          `${(sold / elapsedS).toFixed(1)}/s`,
          ...costCells(cost),
          verdictCell(fair && intact(invariants)),
        ],
      ],
    )}`,
  );
  console.log(
    `\nThe crowd sent ${integer(sale.requests)} requests (${integer(sale.requests / elapsedS)}/s): API CPU ` +
      `${perOperation(apiMsPerRequest)} per request, ` +
      `${ratioText(ratio(apiMsPerRequest ?? Number.NaN, perRequestReference), "{ __typename }'s")}. ` +
      `The time to sell out includes the ${ARRIVAL_S} s arrival and is set by the admission rate, not by the API. ` +
      costLegend(bench.machine),
  );
  const targets: Target[] = [
    {
      name: "bots' share",
      goal: `≤ their share of the crowd (${percent(botCrowdShare)})`,
      measured:
        totalTickets > 0
          ? `${percent(botTicketShare)} of the tickets (${tickets.bots} of ${totalTickets})`
          : "no ticket sold: no share to judge",
      pass: fair,
    },
    {
      name: "zero oversold",
      goal: "SQL invariants after the sale",
      measured: describeViolations(invariants),
      pass: intact(invariants),
    },
  ];
  return finish({
    scenario: "onsale",
    startedAt: bench.startedAt,
    quick: options.settings.quick,
    machine: bench.machine,
    references: [typename.reference],
    targets,
    problems: [
      ...(totalTickets > 0 ? [] : ["no fan bought a ticket: the sale did not happen"]),
      ...(intact(invariants) ? [] : [`sale invariants broken: ${describeViolations(invariants)}`]),
      ...typename.problems.map((problem) => `{ __typename } under load: ${problem}`),
    ],
    figures: {
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
      requests: sale.requests,
      cost,
      typename: typename.load,
      fans: fanCount,
      bots: botCount,
      tickets,
      botTicketShare,
      outcomes: Object.fromEntries(sale.outcomes),
      botSignals: signals,
      invariants,
    },
  });
}
