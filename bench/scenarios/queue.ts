// `pnpm bench queue`: the waiting room: fans joining, the leader's per-tick cost as the line grows, and how
// fast a tick reaches the fans watching their position.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";
import { SetupError } from "../lib/api-build.js";
import {
  type ApiRedisClient,
  proofOfWorkSolver,
  type QueueEvent,
  queueLeaderParts,
  seededEvents,
} from "../lib/api-modules.js";
import type { RunningApi } from "../lib/api-process.js";
import { overrideEvent } from "../lib/event-settings.js";
import { createFans, deleteFans, domainEmails, type Fan, openSessions } from "../lib/fans.js";
import { GraphQLClient, readAnswer } from "../lib/http.js";
import { latencyHistogram, type Percentiles, percentilesMs, recordMs } from "../lib/latency.js";
import type { LoadResult } from "../lib/load.js";
import type { Meter, StepCost } from "../lib/meter.js";
import { integerOption, loadOptionsUsage, parseOptions } from "../lib/options.js";
import { withoutRateLimits } from "../lib/rate-limits.js";
import { connectRedis, dropKeys } from "../lib/redis.js";
import { type Reference, ratio, typenameReference } from "../lib/reference.js";
import {
  costCells,
  costHeader,
  costLegend,
  costLine,
  fileStamp,
  integer,
  milliseconds,
  ratioText,
  table,
  verdictCell,
} from "../lib/report.js";
import { type Bench, openBench, withApi } from "../lib/scenario.js";
import { finish, type Target } from "../lib/verdict.js";

const FULL = { fans: 100_000, lines: [10_000, 100_000], subscribers: 1_000 };
const QUICK = { fans: 2_000, lines: [1_000, 10_000], subscribers: 200 };
const TICKS_MEASURED = 200;
const TICK_MS = 500;
const ADMITTED_PER_TICK = 50;
/** The target (docs/benchmarks.md): joins/s ≥ 0.5 × { __typename } req/s, one API process. */
const TARGET_SHARE_OF_TYPENAME = 0.5;
const SUBSCRIBER_RATE_PER_MINUTE = 600;
const CONNECT_BATCH = 200;
// Leading zero bits each join must prove: ~256 hashes for the fan, one hash and one HMAC to verify.
const POW_DIFFICULTY = 8;
const FAN_DOMAIN = "queue.bench.invalid";

export const usage = `Usage: pnpm bench queue [options]

Prepares the database frontrow_bench (BENCH_DATABASE_URL overrides), times the leader's tick, then starts
the built API, measures { __typename } (closed loop, the reference) and runs two more phases:
  tick      the leader's tick, run here against Redis, with ${FULL.lines.map(integer).join(" and ")} fans waiting,
            ${ADMITTED_PER_TICK} admitted per tick: its cost must not grow with the line.
  joins     ${integer(FULL.fans)} fans (--fans, BENCH_QUEUE_FANS) join the stadium's waiting room over HTTP,
            --connections at a time, each with a solved ${POW_DIFFICULTY}-bit proof of work (challenges fetched and
            solved first, untimed): joins/s, latency, CPU per join (verification included).
  position  ${integer(FULL.subscribers)} of the fans watch queueStatusChanged over graphql-ws while the leader admits
            ${SUBSCRIBER_RATE_PER_MINUTE}/min: the delay from the tick's broadcast (seen in Redis) to each fan's socket.
Each phase prints its CPU per operation by process and the API's event-loop delay.

Targets: joins/s ≥ ${TARGET_SHARE_OF_TYPENAME} × the run's { __typename } req/s with one API process (API_WORKERS=1) and
proofs of work verified; tick cost flat from the shortest line to the longest (p50 within 2×).

  --fans N                BENCH_QUEUE_FANS    fans who join (${integer(FULL.fans)}; --quick ${integer(QUICK.fans)})
  --cpu-prof              profile the API (node --cpu-prof) over the whole run, into bench/results/
${loadOptionsUsage}
(--connections applies to the joins and to { __typename }; --pipelining to { __typename } only; --duration
to { __typename } and the position phase; --quick uses lines of ${QUICK.lines.map(integer).join(" and ")} and ${QUICK.subscribers} subscribers.)`;

const JOIN = `mutation Join($eventId: ID!, $proofOfWork: String) {
  joinQueue(eventId: $eventId, proofOfWork: $proofOfWork) { state position waitingCount } }`;
const CHALLENGE = "query Challenge($eventId: ID!) { proofOfWorkChallenge(eventId: $eventId) { challenge } }";
const WATCH =
  "subscription Watch($eventId: ID!) { queueStatusChanged(eventId: $eventId) { state position etaSeconds } }";

// ---------------------------------------------------------------------------------------------------
// Joins

interface JoinResult {
  fans: number;
  seconds: number;
  joinsPerSecond: number;
  latencyMs: Percentiles;
  errors: number;
  cost: StepCost;
}

/**
 * Sends one GraphQL request per fan as that fan, `connections` in flight at a time over keep-alive
 * connections; `onData` gets each successful answer's data.
 */
async function requestAll(
  api: RunningApi,
  fans: readonly Fan[],
  connections: number,
  bodyOf: (index: number) => string,
  onData: (index: number, data: Record<string, unknown>) => void = () => undefined,
) {
  const client = new GraphQLClient(api.graphqlUrl, { maxSockets: connections });
  const latency = latencyHistogram();
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < fans.length) {
        const index = next++;
        const sent = performance.now();
        const answer = await client
          .post(bodyOf(index), (fans[index] as Fan).cookie)
          .then(({ status, text }) => readAnswer(status, text))
          .catch(() => undefined);
        recordMs(latency, performance.now() - sent);
        if (answer?.ok && answer.data) onData(index, answer.data);
        else if (errors++ < 3)
          console.error(`  request failed: ${answer?.errors[0]?.message ?? "no answer"}`);
      }
    }),
  );
  client.close();
  return { seconds: (performance.now() - started) / 1000, latencyMs: percentilesMs(latency), errors };
}

/**
 * Every fan joins once with a solved proof of work: challenges are fetched and solved first (a fan's
 * browser does that before joining), then only the joins are measured.
 */
async function joinAll(
  api: RunningApi,
  meter: Meter,
  eventId: number,
  fans: readonly Fan[],
  connections: number,
): Promise<JoinResult> {
  const solve = await proofOfWorkSolver();
  const proofs: string[] = [];
  const challenge = JSON.stringify({ query: CHALLENGE, variables: { eventId: String(eventId) } });
  await requestAll(
    api,
    fans,
    connections,
    () => challenge,
    (index, data) => {
      const { proofOfWorkChallenge } = data as { proofOfWorkChallenge: { challenge: string } };
      proofs[index] = solve(proofOfWorkChallenge.challenge, POW_DIFFICULTY);
    },
  );
  const mark = await meter.start();
  const joined = await requestAll(api, fans, connections, (index) =>
    JSON.stringify({ query: JOIN, variables: { eventId: String(eventId), proofOfWork: proofs[index] } }),
  );
  const cost = await meter.stop(mark, fans.length);
  return {
    fans: fans.length,
    seconds: joined.seconds,
    joinsPerSecond: fans.length / joined.seconds,
    latencyMs: joined.latencyMs,
    errors: joined.errors,
    cost,
  };
}

// ---------------------------------------------------------------------------------------------------
// The leader's tick, alone

interface TickResult {
  waiting: number;
  admittedPerTick: number;
  tickUs: Percentiles;
  /** CPU per tick: "gen" is this process, where the leader runs here. */
  cost: StepCost;
}

/** The leader's tick against a line of `waiting` fans (its own Redis prefix), with a simulated clock. */
async function tickCost(bench: Bench, waiting: number): Promise<TickResult> {
  const { QueueStore, QueueLeader, createLogger } = await queueLeaderParts();
  const prefix = `bench:queue-tick:${fileStamp(bench.startedAt)}:${waiting}:`;
  // The API's own Redis client type: the leader is the API's code, run here on the same ioredis.
  const redis = (await connectRedis("tick", prefix)) as unknown as ApiRedisClient;
  let clock = Date.now();
  const event: QueueEvent = {
    id: 1,
    queueEnabled: true,
    organizerId: null,
    saleStartsAt: new Date(clock - 60_000),
    startsAt: new Date(clock + 86_400_000),
    status: "ON_SALE",
    paused: false,
    admissionRatePerMinute: (ADMITTED_PER_TICK * 60_000) / TICK_MS,
    maxActiveShoppers: null,
    shoppingWindowSeconds: 600,
    powDifficulty: 0,
  };
  try {
    const store = new QueueStore(redis);
    await store.init(event.id, {
      commitment: "00".repeat(32),
      epoch: "bench",
      now: clock,
      drawn: true,
      liveAdmissions: [],
    });
    const total = waiting + (TICKS_MEASURED + 2) * ADMITTED_PER_TICK;
    for (let i = 0; i < total; i += 500) {
      const batch = Array.from({ length: Math.min(500, total - i) }, (_, j) => `fan-${i + j}`);
      await Promise.all(batch.map((fan) => store.join(event.id, fan, fan, clock, 0)));
    }
    const leader = new QueueLeader(
      {
        redis,
        store,
        // The Redis side of a tick alone: the room is set up and drawn, and the tick's one INSERT of its
        // admissions into Postgres is left out.
        rooms: { open: async () => [event.id], ensure: async () => undefined, draw: async () => null },
        records: { saveAdmissions: async () => undefined },
        queueEvent: async () => event,
        broadcast: async () => undefined,
        log: createLogger("warn"),
      },
      { tickMs: TICK_MS, leaseMs: 3_000, heartbeatGraceMs: 3_600_000, clock: () => clock },
    );
    const costs = latencyHistogram();
    let admitted = 0;
    // The bucket fills on the first ticks: two are not measured.
    for (let tick = 0; tick < 2; tick++) {
      clock += TICK_MS;
      await leader.tickRoom(event.id);
    }
    const mark = await bench.meter.start();
    for (let tick = 0; tick < TICKS_MEASURED; tick++) {
      clock += TICK_MS;
      const started = performance.now();
      const report = await leader.tickRoom(event.id);
      recordMs(costs, performance.now() - started);
      admitted += report?.admitted ?? 0;
    }
    const cost = await bench.meter.stop(mark, TICKS_MEASURED);
    return { waiting, admittedPerTick: admitted / TICKS_MEASURED, tickUs: percentilesMs(costs), cost };
  } finally {
    await dropKeys(bench.redis, prefix);
    redis.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------------
// Position updates

interface PositionResult {
  subscribers: number;
  ticks: number;
  deliveries: number;
  latencyMs: Percentiles;
  errors: number;
  cost: StepCost;
}

/** Fans watching their status; each delivery is timed from the last tick broadcast this process saw in Redis. */
async function positionLatency(
  api: RunningApi,
  meter: Meter,
  eventId: number,
  fans: readonly Fan[],
  seconds: number,
): Promise<PositionResult> {
  const listener = await connectRedis("queue-listener");
  let lastTickAt = 0;
  let ticks = 0;
  let measuring = false;
  listener.on("message", () => {
    lastTickAt = performance.now();
    if (measuring) ticks++;
  });
  // The channel the API publishes a room's ticks on (its pub/sub topic QUEUE_TICK, per event).
  await listener.subscribe(`${api.redisKeyPrefix}QUEUE_TICK:${eventId}`);
  const latency = latencyHistogram();
  let deliveries = 0;
  let errors = 0;
  const sockets: WebSocket[] = [];
  const subscribe = JSON.stringify({
    id: "1",
    type: "subscribe",
    payload: { query: WATCH, variables: { eventId: String(eventId) } },
  });
  const connect = (fan: Fan) =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(api.graphqlUrl.toString().replace(/^http/, "ws"), "graphql-transport-ws", {
        perMessageDeflate: false,
      });
      sockets.push(socket);
      socket.once("error", reject);
      socket.once("open", () =>
        socket.send(
          JSON.stringify({
            type: "connection_init",
            payload: { token: fan.cookie.slice("frontrow_session=".length) },
          }),
        ),
      );
      socket.on("message", (data: Buffer) => {
        const message = data.toString("utf8");
        if (message.includes('"next"')) {
          if (measuring && lastTickAt > 0) {
            deliveries++;
            recordMs(latency, performance.now() - lastTickAt);
          }
        } else if (message.includes('"connection_ack"')) {
          socket.send(subscribe);
          resolve();
        } else if (message.includes('"error"')) {
          errors++;
        }
      });
    });
  try {
    for (let i = 0; i < fans.length; i += CONNECT_BATCH)
      await Promise.all(fans.slice(i, i + CONNECT_BATCH).map(connect));
    await sleep(2 * TICK_MS);
    const mark = await meter.start();
    measuring = true;
    await sleep(seconds * 1000);
    measuring = false;
    const cost = await meter.stop(mark, deliveries);
    return { subscribers: fans.length, ticks, deliveries, latencyMs: percentilesMs(latency), errors, cost };
  } finally {
    for (const socket of sockets) socket.terminate();
    listener.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------------

interface Measurements {
  typename: LoadResult;
  typenameProblems: string[];
  reference: Reference;
  workers: number;
  joins: JoinResult;
  positions: PositionResult;
}

export async function run(args: string[]): Promise<number> {
  const { settings, flags, values } = parseOptions(args, { flags: ["cpu-prof"], values: ["fans"] });
  const sizes = settings.quick ? QUICK : FULL;
  const fanCount = integerOption("--fans", values.fans ?? process.env.BENCH_QUEUE_FANS, sizes.fans, {
    min: sizes.subscribers,
    max: 1_000_000,
  });
  const bench = await openBench("queue", "Waiting room benchmark", settings.quick);
  const { db } = bench;

  console.log("Leader tick cost (this process against Redis):");
  const ticks: TickResult[] = [];
  for (const waiting of sizes.lines) {
    process.stdout.write(`  ${integer(waiting)} waiting… `);
    const tick = await tickCost(bench, waiting);
    ticks.push(tick);
    console.log(`p50 ${integer(tick.tickUs.p50 * 1000)} µs; ${costLine(tick.cost)}`);
  }

  const { slugs } = await seededEvents();
  const event = (
    await db.query<{ id: number; name: string }>("SELECT id, name FROM event WHERE slug = $1", [
      slugs.stadiumQueueOnSale,
    ])
  ).rows[0];
  if (!event) {
    await bench.close();
    throw new SetupError(`The seed has no event "${slugs.stadiumQueueOnSale}"`);
  }
  const crowd = { tag: `queue-${bench.startedAt.getTime().toString(36)}`, domain: FAN_DOMAIN };
  let restoreEvent: () => Promise<void> = async () => undefined;
  let measured: Measurements;
  try {
    await deleteFans(db, domainEmails(FAN_DOMAIN));
    measured = await withApi(
      bench,
      {
        cpuProfile: flags["cpu-prof"] === true,
        env: {
          QUEUE_TICK_MS: String(TICK_MS),
          // Every fan joins from this machine's one address: lift the per-IP join limit (docs/defences.md).
          RATE_LIMITS: withoutRateLimits(["Mutation.joinQueue"]),
          // Challenges are all fetched before the measured joins.
          POW_CHALLENGE_TTL_SECONDS: "3600",
        },
      },
      async ({ api, meter }) => {
        process.stdout.write(`Creating ${integer(fanCount)} fans with sessions… `);
        const fans = await openSessions(db, await createFans(db, crowd, fanCount, "not-a-password-hash"));
        console.log("done");
        const typename = await typenameReference(api, settings, meter);
        // Nobody is admitted while they join: the figures are the joins alone.
        restoreEvent = await overrideEvent(db, event.id, {
          admission_rate_per_minute: 0,
          max_active_shoppers: null,
          pow_difficulty: POW_DIFFICULTY,
        });
        process.stdout.write(
          `Joins: ${integer(fanCount)} fans with ${POW_DIFFICULTY}-bit proofs of work, ${settings.connections} at a time… `,
        );
        const joins = await joinAll(api, meter, event.id, fans, settings.connections);
        console.log(
          `${joins.seconds.toFixed(1)} s, ${integer(joins.joinsPerSecond)} joins/s ` +
            `(${ratioText(ratio(joins.joinsPerSecond, typename.reference), "{ __typename }")}), ${joins.errors} errors\n` +
            `    ${costLine(joins.cost)}`,
        );
        await db.query("UPDATE event SET admission_rate_per_minute = $2 WHERE id = $1", [
          event.id,
          SUBSCRIBER_RATE_PER_MINUTE,
        ]);
        process.stdout.write(
          `Position updates: ${integer(sizes.subscribers)} subscribers, ${settings.durationS} s… `,
        );
        // The last fans to join: they stay in line for the whole phase.
        const positions = await positionLatency(
          api,
          meter,
          event.id,
          fans.slice(-sizes.subscribers),
          settings.durationS,
        );
        console.log(
          `${integer(positions.deliveries)} deliveries, p99 ${milliseconds(positions.latencyMs.p99)} ms\n    ${costLine(positions.cost)}`,
        );
        return {
          typename: typename.load,
          typenameProblems: typename.problems,
          reference: typename.reference,
          workers: api.workers,
          joins,
          positions,
        };
      },
    );
  } finally {
    await restoreEvent().catch(() => undefined);
    await deleteFans(db, domainEmails(FAN_DOMAIN));
    await bench.close();
  }

  const { joins, positions, typename, reference } = measured;
  const neededJoins = TARGET_SHARE_OF_TYPENAME * reference.value;
  const joinsPass = measured.workers === 1 && joins.errors === 0 && joins.joinsPerSecond >= neededJoins;
  const [shortest, longest] = [ticks[0], ticks.at(-1)];
  // A tick step passes when its p50 is within 2× of the fewest waiting's: the tick cost stays flat.
  const tickPass = (tick: (typeof ticks)[number]) => !shortest || tick.tickUs.p50 <= shortest.tickUs.p50 * 2;
  console.log(
    `\n${table(
      [
        "phase",
        "operations",
        "rate",
        "× typename",
        "p50 ms",
        "p99 ms",
        "max ms",
        "errors",
        ...costHeader,
        "step",
      ],
      [
        [
          "{ __typename } (reference)",
          integer(typename.requests),
          `${integer(typename.requestsPerSecond)}/s`,
          "1",
          milliseconds(typename.latencyMs.p50),
          milliseconds(typename.latencyMs.p99),
          milliseconds(typename.latencyMs.max),
          String(typename.errors + typename.non2xx + typename.wrongResponses),
          ...costCells(typename.cost),
          verdictCell(undefined),
        ],
        [
          `joins, ${measured.workers} API process${measured.workers > 1 ? "es" : ""}`,
          integer(joins.fans),
          `${integer(joins.joinsPerSecond)}/s`,
          ratio(joins.joinsPerSecond, reference).toFixed(3),
          milliseconds(joins.latencyMs.p50),
          milliseconds(joins.latencyMs.p99),
          milliseconds(joins.latencyMs.max),
          String(joins.errors),
          ...costCells(joins.cost),
          verdictCell(joinsPass),
        ],
        [
          `position deliveries, ${integer(positions.subscribers)} subscribers, ${positions.ticks} ticks`,
          integer(positions.deliveries),
          `${integer(positions.deliveries / settings.durationS)}/s`,
          "",
          milliseconds(positions.latencyMs.p50),
          milliseconds(positions.latencyMs.p99),
          milliseconds(positions.latencyMs.max),
          String(positions.errors),
          ...costCells(positions.cost),
          verdictCell(positions.errors === 0),
        ],
      ],
    )}`,
  );
  console.log(
    `\n${table(
      ["leader tick", "admitted/tick", "mean µs", "p50 µs", "p99 µs", "max µs", ...costHeader, "step"],
      ticks.map((tick) => [
        `${integer(tick.waiting)} waiting`,
        tick.admittedPerTick.toFixed(1),
        integer(tick.tickUs.mean * 1000),
        integer(tick.tickUs.p50 * 1000),
        integer(tick.tickUs.p99 * 1000),
        integer(tick.tickUs.max * 1000),
        ...costCells(tick.cost),
        verdictCell(tickPass(tick)),
      ]),
    )}`,
  );
  console.log(
    "\nTick cost: one leader tick (expire windows, admit, measure, broadcast) timed in this process, Redis round " +
      'trips included (its CPU is "gen"). Position latency: from the tick\'s broadcast reaching this process through ' +
      `Redis to each fan's socket. ${costLegend(bench.machine)}`,
  );

  const flat = ticks.every(tickPass);
  const targets: Target[] = [
    {
      name: "joins",
      goal: `≥ ${TARGET_SHARE_OF_TYPENAME} × { __typename } = ${integer(neededJoins)}/s, one API process, proofs verified`,
      measured:
        `${integer(joins.joinsPerSecond)}/s (${ratioText(ratio(joins.joinsPerSecond, reference), "{ __typename }")})` +
        (measured.workers === 1 ? "" : ` with ${measured.workers} API processes: the target names one`),
      pass: joinsPass,
    },
    {
      name: "tick cost",
      goal: `flat from ${integer(shortest?.waiting ?? 0)} to ${integer(longest?.waiting ?? 0)} waiting (p50 within 2×)`,
      measured: ticks
        .map((tick) => `${integer(tick.tickUs.p50 * 1000)} µs at ${integer(tick.waiting)}`)
        .join(", "),
      pass: flat,
    },
  ];
  const problems = [
    ...(joins.errors ? [`${joins.errors} joins failed`] : []),
    ...(positions.errors ? [`${positions.errors} position subscriptions answered errors`] : []),
    ...measured.typenameProblems.map((problem) => `{ __typename } under load: ${problem}`),
  ];
  return finish({
    scenario: "queue",
    startedAt: bench.startedAt,
    quick: settings.quick,
    machine: bench.machine,
    references: [reference],
    targets,
    problems,
    figures: { settings, fans: fanCount, typename, joins, ticks, positions },
  });
}
