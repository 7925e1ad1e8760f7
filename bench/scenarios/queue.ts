// `pnpm bench queue`: the waiting room: fans joining, the leader's per-tick cost as the line grows, and how
// fast a tick reaches the fans watching their position.
import { Agent, request } from "node:http";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import * as hdr from "hdr-histogram-js";
import WebSocket from "ws";
import { benchDatabaseUrl, importApiModule, prepareDatabase, requireApiBuild } from "../lib/api-build.js";
import { apiSummary, type RunningApi, startApi } from "../lib/api-process.js";
import { loadOptionsUsage, parseLoadOptions, UsageError } from "../lib/options.js";
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

type PrismaModule = typeof import("../../apps/api/src/infra/prisma.js");
type RedisModule = typeof import("../../apps/api/src/infra/redis.js");
type LoggerModule = typeof import("../../apps/api/src/infra/logger.js");
type SessionModule = typeof import("../../apps/api/src/modules/auth/session-store.js");
type QueueStoreModule = typeof import("../../apps/api/src/modules/queue/queue-store.js");
type QueueLeaderModule = typeof import("../../apps/api/src/modules/queue/queue-leader.js");
type ProofOfWorkModule = typeof import("../../apps/api/src/modules/queue/proof-of-work.js");
type CatalogSeedModule = typeof import("../../apps/api/src/seed/catalog.js");
type Db = import("../../apps/api/src/infra/prisma.js").Db;
type RedisClient = import("../../apps/api/src/infra/redis.js").RedisClient;
type QueueEvent = import("../../apps/api/src/modules/queue/queue.service.js").QueueEvent;

const FULL = { fans: 100_000, lines: [10_000, 100_000], subscribers: 1_000 };
const QUICK = { fans: 2_000, lines: [1_000, 10_000], subscribers: 200 };
const TICKS_MEASURED = 200;
const TICK_MS = 500;
const ADMITTED_PER_TICK = 50;
const TARGET_JOINS_PER_SECOND = 5_000;
const SUBSCRIBER_RATE_PER_MINUTE = 600;
const CONNECT_BATCH = 200;
// Leading zero bits each join must prove: ~256 hashes for the fan, one hash and one HMAC to verify.
const POW_DIFFICULTY = 8;

export const usage = `Usage: pnpm bench queue [options]

Prepares the database frontrow_bench (BENCH_DATABASE_URL overrides) and starts the built API. Three phases:
  joins     ${integer(FULL.fans)} fans (BENCH_QUEUE_FANS overrides) join the stadium's waiting room over HTTP,
            --connections at a time, each with a solved ${POW_DIFFICULTY}-bit proof of work (challenges fetched and
            solved first, untimed): joins/s, latency, API CPU per join (verification included).
  tick      the leader's tick, run here against Redis, with ${FULL.lines.map(integer).join(" and ")} fans waiting,
            ${ADMITTED_PER_TICK} admitted per tick: its cost must not grow with the line.
  position  ${integer(FULL.subscribers)} of the fans watch queueStatusChanged over graphql-ws while the leader admits
            ${SUBSCRIBER_RATE_PER_MINUTE}/min: the delay from the tick's broadcast (seen in Redis) to each fan's socket.

${loadOptionsUsage}
  --cpu-prof              profile the API (node --cpu-prof) over the whole run, into bench/results/
(--pipelining and --warmup do not apply; --quick uses ${integer(QUICK.fans)} fans, lines of
${QUICK.lines.map(integer).join(" and ")}, ${QUICK.subscribers} subscribers.)`;

const JOIN = `mutation Join($eventId: ID!, $proofOfWork: String) {
  joinQueue(eventId: $eventId, proofOfWork: $proofOfWork) { state position waitingCount } }`;
const CHALLENGE = "query Challenge($eventId: ID!) { proofOfWorkChallenge(eventId: $eventId) { challenge } }";

const WATCH = {
  query:
    "subscription Watch($eventId: ID!) { queueStatusChanged(eventId: $eventId) { state position etaSeconds } }",
};

const histogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000 });
const percentilesMs = (h: hdr.Histogram, unit = 1000) => ({
  p50: h.getValueAtPercentile(50) / unit,
  p90: h.getValueAtPercentile(90) / unit,
  p99: h.getValueAtPercentile(99) / unit,
  max: h.maxValue / unit,
});

interface Fan {
  userId: string;
  token: string;
}

/** Accounts with sessions made straight in the database and the API's Redis (logIn would cost an Argon2 each). */
export async function createFans(
  db: Db,
  sessions: SessionModule,
  redis: RedisClient,
  count: number,
  tag: string,
) {
  const emails = Array.from({ length: count }, (_, i) => `${tag}-${i}@queue-bench.test`);
  for (let i = 0; i < emails.length; i += 5_000) {
    const data = emails.slice(i, i + 5_000).map((email) => ({ email, passwordHash: "not-a-hash" }));
    await db.user.createMany({ data });
  }
  const users = await db.user.findMany({ where: { email: { startsWith: `${tag}-` } }, select: { id: true } });
  const { createLogger } = await importApiModule<LoggerModule>("infra/logger.js");
  const store = new sessions.SessionStore(db, redis, createLogger("warn"), 24 * 3600);
  const fans: Fan[] = [];
  for (let i = 0; i < users.length; i += 50) {
    const batch = users.slice(i, i + 50);
    const created = await Promise.all(
      batch.map((user) => store.create({ userId: user.id, role: "FAN" }, { ip: "127.0.0.1" })),
    );
    created.forEach((session, j) => {
      fans.push({ userId: batch[j]?.id as string, token: session.token });
    });
  }
  return fans;
}

interface JoinResult {
  fans: number;
  seconds: number;
  joinsPerSecond: number;
  latencyMs: ReturnType<typeof percentilesMs>;
  errors: number;
  apiCpuMsPerJoin: number | undefined;
}

/**
 * Sends one GraphQL request per fan as that fan, `connections` in flight at a time over keep-alive
 * connections; `onData` gets each successful response's text.
 */
async function requestAll(
  api: RunningApi,
  fans: Fan[],
  connections: number,
  bodyOf: (index: number) => string,
  onData: (index: number, text: string) => void = () => undefined,
) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latency = histogram();
  let errors = 0;
  let next = 0;
  const send = (index: number) =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = request(
        api.graphqlUrl,
        {
          method: "POST",
          agent,
          headers: {
            "content-type": "application/json",
            cookie: `frontrow_session=${(fans[index] as Fan).token}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            latency.recordValue(Math.max(1, Math.round((performance.now() - started) * 1000)));
            const text = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode !== 200 || text.includes('"errors"')) {
              if (errors++ < 3) console.error(`  request failed: ${text.slice(0, 200)}`);
            } else {
              onData(index, text);
            }
            resolve();
          });
        },
      );
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(bodyOf(index));
    });
  const cpuBefore = api.cpuSeconds();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < fans.length) await send(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = api.cpuSeconds();
  agent.destroy();
  const cpuSeconds = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
  return { seconds, latencyMs: percentilesMs(latency), errors, cpuSeconds };
}

/**
 * Every fan joins once with a solved proof of work: challenges are fetched and solved first (a fan's
 * browser does that before joining), then only the joins are timed.
 */
async function joinAll(
  api: RunningApi,
  pow: ProofOfWorkModule,
  eventId: number,
  fans: Fan[],
  connections: number,
): Promise<JoinResult> {
  const proofs: string[] = [];
  const challenge = JSON.stringify({ query: CHALLENGE, variables: { eventId: String(eventId) } });
  await requestAll(
    api,
    fans,
    connections,
    () => challenge,
    (index, text) => {
      const { data } = JSON.parse(text) as { data: { proofOfWorkChallenge: { challenge: string } } };
      proofs[index] = pow.solveProofOfWork(data.proofOfWorkChallenge.challenge, POW_DIFFICULTY);
    },
  );
  const joined = await requestAll(api, fans, connections, (index) =>
    JSON.stringify({ query: JOIN, variables: { eventId: String(eventId), proofOfWork: proofs[index] } }),
  );
  return {
    fans: fans.length,
    seconds: joined.seconds,
    joinsPerSecond: fans.length / joined.seconds,
    latencyMs: joined.latencyMs,
    errors: joined.errors,
    apiCpuMsPerJoin: joined.cpuSeconds === undefined ? undefined : (joined.cpuSeconds * 1000) / fans.length,
  };
}

interface TickResult {
  waiting: number;
  admittedPerTick: number;
  tickUs: ReturnType<typeof percentilesMs> & { mean: number };
}

/** The leader's tick against a line of `waiting` fans (its own Redis prefix), with a simulated clock. */
async function tickCost(redisModule: RedisModule, waiting: number, stamp: string): Promise<TickResult> {
  const [{ QueueStore }, { QueueLeader }, { createLogger }] = await Promise.all([
    importApiModule<QueueStoreModule>("modules/queue/queue-store.js"),
    importApiModule<QueueLeaderModule>("modules/queue/queue-leader.js"),
    importApiModule<LoggerModule>("infra/logger.js"),
  ]);
  const prefix = `bench:queue-tick:${stamp}:${waiting}:`;
  const redis = redisModule.createRedis(
    { url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", keyPrefix: prefix, commandTimeoutMs: 10_000 },
    "bench-tick",
  );
  await redis.connect();
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
    const costs = histogram();
    let admitted = 0;
    let sum = 0;
    for (let tick = -2; tick < TICKS_MEASURED; tick++) {
      clock += TICK_MS;
      const started = performance.now();
      const report = await leader.tickRoom(event.id);
      const us = (performance.now() - started) * 1000;
      if (tick < 0) continue; // the bucket fills on the first ticks
      costs.recordValue(Math.max(1, Math.round(us)));
      sum += us;
      admitted += report?.admitted ?? 0;
    }
    return {
      waiting,
      admittedPerTick: admitted / TICKS_MEASURED,
      tickUs: { mean: sum / TICKS_MEASURED, ...percentilesMs(costs, 1) },
    };
  } finally {
    await dropKeys(redis, prefix);
    redis.disconnect();
  }
}

export async function dropKeys(redis: RedisClient, prefix: string): Promise<void> {
  // SCAN does not apply ioredis' keyPrefix: match the full names, delete them without it.
  let cursor = "0";
  do {
    const [nextCursor, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1_000);
    cursor = nextCursor;
    if (keys.length) await redis.del(...keys.map((key) => key.slice(prefix.length)));
  } while (cursor !== "0");
}

interface PositionResult {
  subscribers: number;
  ticks: number;
  deliveries: number;
  latencyMs: ReturnType<typeof percentilesMs>;
  errors: number;
}

/** Fans watching their status; each delivery is timed from the last tick broadcast this process saw in Redis. */
async function positionLatency(
  api: RunningApi,
  redisModule: RedisModule,
  eventId: number,
  fans: Fan[],
  seconds: number,
): Promise<PositionResult> {
  const listener = redisModule.createRedis(
    { url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379", keyPrefix: "", commandTimeoutMs: 10_000 },
    "bench-listener",
    { enableOfflineQueue: true },
  );
  let lastTickAt = 0;
  let ticks = 0;
  let measuring = false;
  listener.on("message", () => {
    lastTickAt = performance.now();
    if (measuring) ticks++;
  });
  await listener.subscribe(`${api.redisKeyPrefix}QUEUE_TICK:${eventId}`);
  const latency = histogram();
  let deliveries = 0;
  let errors = 0;
  const sockets: WebSocket[] = [];
  const subscribe = JSON.stringify({
    id: "1",
    type: "subscribe",
    payload: { ...WATCH, variables: { eventId: String(eventId) } },
  });
  const connect = (fan: Fan) =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(api.graphqlUrl.toString().replace(/^http/, "ws"), "graphql-transport-ws", {
        perMessageDeflate: false,
      });
      sockets.push(socket);
      socket.once("error", reject);
      socket.once("open", () =>
        socket.send(JSON.stringify({ type: "connection_init", payload: { token: fan.token } })),
      );
      socket.on("message", (data: Buffer) => {
        const message = data.toString("utf8");
        if (message.includes('"next"')) {
          if (measuring && lastTickAt > 0) {
            deliveries++;
            latency.recordValue(Math.max(1, Math.round((performance.now() - lastTickAt) * 1000)));
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
    measuring = true;
    await sleep(seconds * 1000);
    measuring = false;
    return { subscribers: fans.length, ticks, deliveries, latencyMs: percentilesMs(latency), errors };
  } finally {
    for (const socket of sockets) socket.terminate();
    listener.disconnect();
  }
}

export async function run(args: string[]): Promise<number> {
  const { settings, flags } = parseLoadOptions(args, { "cpu-prof": { type: "boolean" } });
  requireApiBuild();
  const startedAt = new Date();
  const stamp = fileStamp(startedAt);
  const machine = machineInfo();
  const sizes = settings.quick ? QUICK : FULL;
  const fanCount = Number(process.env.BENCH_QUEUE_FANS ?? sizes.fans);
  if (!(Number.isInteger(fanCount) && fanCount >= sizes.subscribers && fanCount <= 1_000_000)) {
    throw new UsageError(`BENCH_QUEUE_FANS must be an integer from ${sizes.subscribers} to 1000000`);
  }
  console.log(
    `Waiting room benchmark${settings.quick ? " (quick smoke run: figures are indicative only)" : ""}: ` +
      `${machine.cpus} cores, load average ${machine.loadAverage1m} before the run, node ${machine.node}`,
  );
  process.stdout.write("Preparing the benchmark database (migrate, seed)… ");
  const preparation = await prepareDatabase(benchDatabaseUrl());
  console.log(`done in ${((preparation.migrateMs + preparation.seedMs) / 1000).toFixed(1)} s`);

  const [{ createPrisma }, redisModule, sessions, seed, pow] = await Promise.all([
    importApiModule<PrismaModule>("infra/prisma.js"),
    importApiModule<RedisModule>("infra/redis.js"),
    importApiModule<SessionModule>("modules/auth/session-store.js"),
    importApiModule<CatalogSeedModule>("seed/catalog.js"),
    importApiModule<ProofOfWorkModule>("modules/queue/proof-of-work.js"),
  ]);

  process.stdout.write("\nLeader tick cost");
  const tickResults: TickResult[] = [];
  for (const waiting of sizes.lines) {
    process.stdout.write(` · ${integer(waiting)} waiting…`);
    tickResults.push(await tickCost(redisModule, waiting, stamp));
  }
  console.log();

  const databaseUrl = benchDatabaseUrl();
  const db = createPrisma(databaseUrl, { poolSize: 8 });
  const profile = flags["cpu-prof"] ? { dir: resultsDir, name: `queue-${stamp}-api.cpuprofile` } : undefined;
  const api = await startApi({
    databaseUrl,
    // Every fan joins from this machine's one address: lift the per-IP join limit (docs/defences.md).
    env: {
      QUEUE_TICK_MS: String(TICK_MS),
      RATE_LIMITS: withoutRateLimits(["Mutation.joinQueue"]),
      // Challenges are all fetched before the timed joins.
      POW_CHALLENGE_TTL_SECONDS: "3600",
    },
    nodeArgs: profile
      ? ["--cpu-prof", `--cpu-prof-dir=${profile.dir}`, `--cpu-prof-name=${profile.name}`]
      : [],
  });
  const redis = redisModule.createRedis(
    {
      url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      keyPrefix: api.redisKeyPrefix,
      commandTimeoutMs: 10_000,
    },
    "bench",
  );
  await redis.connect();
  const tag = `queue-bench-${stamp.toLowerCase()}`;
  const event = await db.event.findUniqueOrThrow({
    where: { slug: seed.NOTABLE_EVENT_SLUGS.stadiumQueueOnSale },
  });
  const original = {
    admissionRatePerMinute: event.admissionRatePerMinute,
    maxActiveShoppers: event.maxActiveShoppers,
    powDifficulty: event.powDifficulty,
  };
  let joins: JoinResult | undefined;
  let positions: PositionResult | undefined;
  try {
    console.log(`API at ${api.graphqlUrl} (${apiSummary(api)})`);
    process.stdout.write(`Creating ${integer(fanCount)} fans with sessions… `);
    const fans = await createFans(db, sessions, redis, fanCount, tag);
    console.log("done");
    // Nobody is admitted while they join: the figures are the joins alone.
    await db.event.update({
      where: { id: event.id },
      data: { admissionRatePerMinute: 0, maxActiveShoppers: null, powDifficulty: POW_DIFFICULTY },
    });
    process.stdout.write(
      `Joins: ${integer(fanCount)} fans with ${POW_DIFFICULTY}-bit proofs of work, ${settings.connections} at a time… `,
    );
    joins = await joinAll(api, pow, event.id, fans, settings.connections);
    console.log(`${joins.seconds.toFixed(1)} s`);

    await db.event.update({
      where: { id: event.id },
      data: { admissionRatePerMinute: SUBSCRIBER_RATE_PER_MINUTE },
    });
    process.stdout.write(
      `Position updates: ${integer(sizes.subscribers)} subscribers, ${settings.durationS} s… `,
    );
    // The last fans to join: they stay in line for the whole phase.
    positions = await positionLatency(
      api,
      redisModule,
      event.id,
      fans.slice(-sizes.subscribers),
      settings.durationS,
    );
    console.log("done");
  } finally {
    await db.event.update({ where: { id: event.id }, data: original }).catch(() => undefined);
    await api.stop();
    await dropKeys(redis, api.redisKeyPrefix).catch(() => undefined);
    redis.disconnect();
    await db.session.deleteMany({ where: { user: { email: { startsWith: `${tag}-` } } } });
    await db.user.deleteMany({ where: { email: { startsWith: `${tag}-` } } });
    await db.$disconnect();
  }

  if (!joins || !positions) throw new Error("unreachable: the phases completed without results");
  console.log(
    `\n${table(
      ["joins", "seconds", "joins/s", "p50 ms", "p99 ms", "max ms", "errors", "API CPU ms/join"],
      [
        [
          integer(joins.fans),
          joins.seconds.toFixed(1),
          integer(joins.joinsPerSecond),
          milliseconds(joins.latencyMs.p50),
          milliseconds(joins.latencyMs.p99),
          milliseconds(joins.latencyMs.max),
          String(joins.errors),
          joins.apiCpuMsPerJoin === undefined ? "?" : joins.apiCpuMsPerJoin.toFixed(3),
        ],
      ],
    )}`,
  );
  console.log(
    `\n${table(
      ["waiting", "admitted/tick", "mean µs", "p50 µs", "p99 µs", "max µs"],
      tickResults.map((result) => [
        integer(result.waiting),
        result.admittedPerTick.toFixed(1),
        integer(result.tickUs.mean),
        integer(result.tickUs.p50),
        integer(result.tickUs.p99),
        integer(result.tickUs.max),
      ]),
    )}`,
  );
  console.log(
    `\n${table(
      ["subscribers", "ticks", "deliveries", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"],
      [
        [
          integer(positions.subscribers),
          String(positions.ticks),
          integer(positions.deliveries),
          milliseconds(positions.latencyMs.p50),
          milliseconds(positions.latencyMs.p90),
          milliseconds(positions.latencyMs.p99),
          milliseconds(positions.latencyMs.max),
          String(positions.errors),
        ],
      ],
    )}`,
  );
  console.log(
    "\nTick cost: one leader tick (expire windows, admit, measure, broadcast) timed in this process, Redis round " +
      "trips included. Position latency: from the tick's broadcast reaching this process through Redis to each " +
      "fan's socket. Everything shares this machine: see the load average above.",
  );
  const resultsPath = await writeResults(`queue-${stamp}.json`, {
    scenario: "queue",
    startedAt: startedAt.toISOString(),
    machine,
    settings,
    joins,
    ticks: tickResults,
    positions,
  });
  console.log(`\nResults: ${resultsPath}`);
  if (profile) console.log(`API CPU profile: ${join(profile.dir, profile.name)} (open in Chrome DevTools)`);
  const [smallest, largest] = [tickResults[0], tickResults.at(-1)];
  const flat = smallest && largest ? largest.tickUs.p50 <= smallest.tickUs.p50 * 2 : true;
  const fastEnough = joins.joinsPerSecond >= TARGET_JOINS_PER_SECOND;
  console.log(
    `Targets: ≥ ${integer(TARGET_JOINS_PER_SECOND)} joins/s: ${integer(joins.joinsPerSecond)} ${fastEnough ? "PASS" : "FAIL"}; ` +
      `tick cost flat from ${integer(smallest?.waiting ?? 0)} to ${integer(largest?.waiting ?? 0)} waiting ` +
      `(p50 within 2×): ${flat ? "PASS" : "FAIL"}`,
  );
  const problems = joins.errors + positions.errors;
  if (problems) console.error(`FAILED: ${problems} errors`);
  return problems || (!settings.quick && !(flat && fastEnough)) ? 1 : 0;
}
