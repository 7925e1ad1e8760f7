// `pnpm bench seatmap`: thousands of fans opening the same stadium seat map when a sale starts.
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { benchDatabaseUrl, prepareDatabase, requireApiBuild } from "../lib/api-build.js";
import { apiSummary, type RunningApi, startApi } from "../lib/api-process.js";
import { decodedBody, type GraphQLPayload, parseGraphQL, postGraphQL, queryGraphQL } from "../lib/http.js";
import { failures, type LoadResult, measure, type ResponseCheck } from "../lib/load.js";
import { type LoadSettings, loadOptionsUsage, parseLoadOptions } from "../lib/options.js";
import {
  bytes,
  fileStamp,
  integer,
  type MachineInfo,
  machineInfo,
  milliseconds,
  resultsDir,
  table,
  writeResults,
} from "../lib/report.js";

export const usage = `Usage: pnpm bench seatmap [options]

Prepares the database frontrow_bench (BENCH_DATABASE_URL overrides), starts the built API, then measures
  (0) { __typename }                        the cheapest GraphQL request: the baseline
  (a) seatMap { version statuses }          what every fan fetches when the sale opens
  (b) seatMap with the full layout, br      the first map a browser loads
  (c) one cold full-map load                the first load after the API started

${loadOptionsUsage}
  --cpu-prof              profile the API (node --cpu-prof) over the whole run, into bench/results/`;

const STADIUM_MIN_SEATS = 50_000;
const MAX_COMPRESSED_MAP_BYTES = 1_000_000;
const MIN_FULL_MAPS_PER_SECOND = 100;
const MIN_STATUSES_SHARE_OF_BASELINE = 0.25;
// Postgres and Redis barely work while the responses come from the cache: more than this is someone else.
const OTHER_WORK_WARNING_CORES = 0.25;
// Seat maps are cache-hinted for this long: waiting it out makes the next load a miss again.
const SEAT_MAP_MAX_AGE_MS = 1_000;

const BASELINE_QUERY = "{ __typename }";
const STATUSES_QUERY =
  "query SeatStatuses($eventId: ID!) { seatMap(eventId: $eventId) { version statuses } }";
const FULL_MAP_QUERY = `query FullSeatMap($eventId: ID!) {
  seatMap(eventId: $eventId) {
    eventId version statuses
    stage { label x y width height }
    bounds { minX minY maxX maxY }
    sections { id name priceTierId seats { id row number x y status } }
  }
}`;

interface StadiumEvent {
  id: string;
  name: string;
  queueEnabled: boolean;
  venue: { name: string; capacity: number };
}

interface FullSeatMap {
  seatMap: {
    statuses: string;
    sections: { seats: { id: string; status: string }[] }[];
  };
}

type PhaseKey = "baseline" | "statuses" | "fullMap";

interface PhaseDefinition {
  key: PhaseKey;
  label: string;
  payload: GraphQLPayload;
}

interface EncodedSizes {
  raw: number;
  gzip: number;
  br: number;
}

interface PhaseOutcome extends PhaseDefinition {
  sizes: EncodedSizes;
  result: LoadResult;
  problems: string[];
}

interface Target {
  name: string;
  goal: string;
  measured: string;
  pass: boolean;
}

async function findStadiumEvent(endpoint: URL): Promise<StadiumEvent> {
  const data = await queryGraphQL<{ events: { edges: { node: StadiumEvent }[] } }>(endpoint, {
    query: `query BenchStadiumEvent($filter: EventFilter!) {
      events(filter: $filter, first: 20) { edges { node { id name queueEnabled venue { name capacity } } } }
    }`,
    variables: { filter: { search: "Tejo", onSale: true } },
  });
  const stadiumEvents = data.events.edges
    .map((edge) => edge.node)
    .filter((event) => event.venue.capacity >= STADIUM_MIN_SEATS);
  // Without a waiting room every fan reaches the map at once: the case this scenario is about.
  const event = stadiumEvents.find((candidate) => !candidate.queueEnabled) ?? stadiumEvents[0];
  if (!event) {
    throw new Error(`No event on sale matching "Tejo" at a venue of ${integer(STADIUM_MIN_SEATS)}+ seats`);
  }
  return event;
}

/** Checks a full map once, thoroughly: the load phases then only check cheap signs of the same answer. */
function verifyFullMap(body: Buffer, expectedSeats: number): void {
  const { seatMap } = parseGraphQL<FullSeatMap>({ status: 200, headers: {}, body, ms: 0 });
  const seats = seatMap.sections.flatMap((section) => section.seats);
  if (seats.length !== expectedSeats || seatMap.statuses.length !== expectedSeats) {
    throw new Error(
      `The map has ${seats.length} seats and ${seatMap.statuses.length} statuses; the venue has ${expectedSeats}`,
    );
  }
  const letter: Record<string, string> = { AVAILABLE: "A", HELD: "H", SOLD: "S", NOT_FOR_SALE: "X" };
  const mismatch = seats.findIndex((seat, index) => letter[seat.status] !== seatMap.statuses[index]);
  if (mismatch >= 0) throw new Error(`Seat #${mismatch} has a status other than statuses[${mismatch}]`);
}

async function encodedSizes(endpoint: URL, payload: GraphQLPayload): Promise<EncodedSizes> {
  const sizes: EncodedSizes = { raw: 0, gzip: 0, br: 0 };
  for (const encoding of ["identity", "gzip", "br"] as const) {
    const response = await postGraphQL(endpoint, payload, encoding);
    parseGraphQL(response);
    sizes[encoding === "identity" ? "raw" : encoding] = response.body.length;
  }
  return sizes;
}

/**
 * What each phase accepts as a right answer. Seat map responses arrive brotli-encoded, so their checks
 * read headers: an ETag is only set on responses served from the shared cache, which stores error-free,
 * public cache-hinted results only. (Their size is no sign: other scenarios' holds change the statuses.)
 */
function checkFor(key: PhaseKey, referenceBody: string): ResponseCheck {
  if (key === "baseline") {
    return (_headers, body) => (body === referenceBody ? undefined : `unexpected body ${body.slice(0, 120)}`);
  }
  return (headers) => {
    if (headers["content-encoding"] !== "br") return `content-encoding ${headers["content-encoding"]}`;
    if (!headers.etag) return "not served from the shared cache (no ETag)";
    return undefined;
  };
}

function evaluateTargets(outcomes: Measurements["outcomes"]): Target[] {
  const baseline = outcomes.baseline.result.requestsPerSecond;
  const statuses = outcomes.statuses.result.requestsPerSecond;
  const fullMap = outcomes.fullMap;
  const needed = baseline * MIN_STATUSES_SHARE_OF_BASELINE;
  return [
    {
      name: "(a) statuses rate",
      goal: `≥ ${MIN_STATUSES_SHARE_OF_BASELINE * 100}% of (0): ≥ ${integer(needed)} req/s`,
      measured: `${integer(statuses)} req/s = ${Math.round((statuses / baseline) * 100)}% of (0)`,
      pass: statuses >= needed,
    },
    {
      name: "(b) full map size",
      goal: `< ${bytes(MAX_COMPRESSED_MAP_BYTES)} compressed (br)`,
      measured: `${bytes(fullMap.sizes.br)} br (gzip ${bytes(fullMap.sizes.gzip)}, raw ${bytes(fullMap.sizes.raw)})`,
      pass: fullMap.sizes.br < MAX_COMPRESSED_MAP_BYTES,
    },
    {
      name: "(b) full map rate",
      goal: `≥ ${MIN_FULL_MAPS_PER_SECOND} loads/s`,
      measured: `${integer(fullMap.result.requestsPerSecond)} loads/s`,
      pass: fullMap.result.requestsPerSecond >= MIN_FULL_MAPS_PER_SECOND,
    },
  ];
}

interface SingleLoads {
  cold: { ms: number; brBytes: number };
  expired: { ms: number };
}

interface Measurements {
  event: StadiumEvent;
  single: SingleLoads;
  outcomes: Record<PhaseKey, PhaseOutcome>;
}

const cores = (value: number | undefined) => (value === undefined ? "?" : value.toFixed(2));

function printReport(
  settings: LoadSettings,
  machine: MachineInfo,
  { single, outcomes }: Measurements,
  targets: Target[],
): void {
  const rows = Object.values(outcomes).map(({ label, result, sizes }) => [
    label,
    integer(result.requestsPerSecond),
    integer(result.latencyMs.p50),
    integer(result.latencyMs.p99),
    integer(result.latencyMs.max),
    bytes(sizes.raw),
    bytes(sizes.gzip),
    bytes(sizes.br),
    cores(result.cpu.api),
    cores(result.cpu.loadGenerator),
    cores(result.cpu.others),
    String(result.errors),
    String(result.non2xx),
    String(result.wrongResponses),
  ]);
  rows.push(
    [
      "(c) cold full map, 1 load",
      "",
      milliseconds(single.cold.ms),
      "",
      "",
      "",
      "",
      bytes(single.cold.brBytes),
    ],
    ["    full map after max-age, 1 load", "", milliseconds(single.expired.ms)],
  );
  const header = ["phase", "req/s", "p50 ms", "p99 ms", "max ms", "raw", "gzip", "br"];
  const cpuAndErrors = ["CPU: API", "gen", "other", "errors", "non-2xx", "wrong"];
  console.log(`\n${table([...header, ...cpuAndErrors], rows)}`);
  console.log(
    `\n${settings.connections} connections, pipelining ${settings.pipelining}, ${settings.durationS} s per phase ` +
      `after ${settings.warmupS} s of warm-up; every request sends accept-encoding: br. Sizes are bytes per ` +
      "response as sent; CPU in cores busy: the API process, this process, the rest of the machine.",
  );
  console.log(
    `The load generator (autocannon, in this process) shares this ${machine.cpus}-core machine with the ` +
      "API, Postgres and Redis: the rates are a floor, not what the API does with the CPUs to itself.",
  );
  const busiest = Math.max(...Object.values(outcomes).map(({ result }) => result.cpu.others ?? 0));
  if (busiest > OTHER_WORK_WARNING_CORES) {
    console.log(
      `WARNING: other processes kept up to ${cores(busiest)} cores busy during a phase: ` +
        "these figures are lower than on a quiet machine.",
    );
  }
  const targetRows = targets.map((target) => [
    target.name,
    target.goal,
    target.measured,
    target.pass ? "PASS" : "FAIL",
  ]);
  console.log(`\n${table(["target", "goal", "measured", ""], targetRows)}`);
}

async function measureAll(api: RunningApi, settings: LoadSettings): Promise<Measurements> {
  const event = await findStadiumEvent(api.graphqlUrl);
  console.log(
    `Event ${event.id} "${event.name}" at ${event.venue.name}: ${integer(event.venue.capacity)} seats`,
  );
  const variables = { eventId: event.id };
  const fullMapPayload: GraphQLPayload = { query: FULL_MAP_QUERY, variables };

  // (c) first, while nothing about this map is cached: not the layout, not the statuses, not the response.
  const cold = await postGraphQL(api.graphqlUrl, fullMapPayload, "br");
  verifyFullMap(decodedBody(cold), event.venue.capacity);
  await sleep(SEAT_MAP_MAX_AGE_MS + 200);
  const expired = await postGraphQL(api.graphqlUrl, fullMapPayload, "br");
  verifyFullMap(decodedBody(expired), event.venue.capacity);

  const phases: PhaseDefinition[] = [
    { key: "baseline", label: "(0) { __typename }", payload: { query: BASELINE_QUERY } },
    {
      key: "statuses",
      label: "(a) seatMap { version statuses }",
      payload: { query: STATUSES_QUERY, variables },
    },
    { key: "fullMap", label: "(b) seatMap full map + layout", payload: fullMapPayload },
  ];
  const outcomes: Partial<Record<PhaseKey, PhaseOutcome>> = {};
  for (const phase of phases) {
    const sizes = await encodedSizes(api.graphqlUrl, phase.payload);
    const reference = await postGraphQL(api.graphqlUrl, phase.payload, "br");
    const check = checkFor(phase.key, decodedBody(reference).toString("utf8"));
    console.log(`Measuring ${phase.label}…`);
    const load = {
      url: api.graphqlUrl,
      headers: { "content-type": "application/json", "accept-encoding": "br" },
      body: JSON.stringify(phase.payload),
      readsBody: phase.key === "baseline",
      check,
    };
    const result = await measure(load, settings, api.cpuSeconds);
    outcomes[phase.key] = { ...phase, sizes, result, problems: failures(result) };
  }
  // The map must still be whole after the load.
  verifyFullMap(decodedBody(await postGraphQL(api.graphqlUrl, fullMapPayload, "br")), event.venue.capacity);

  const { baseline, statuses, fullMap } = outcomes;
  if (!baseline || !statuses || !fullMap) throw new Error("A phase did not run");
  return {
    event,
    single: { cold: { ms: cold.ms, brBytes: cold.body.length }, expired: { ms: expired.ms } },
    outcomes: { baseline, statuses, fullMap },
  };
}

export async function run(args: string[]): Promise<number> {
  const { settings, flags } = parseLoadOptions(args, { "cpu-prof": { type: "boolean" } });
  requireApiBuild();
  const startedAt = new Date();
  // Taken before the run: a load average above zero here means other work shares the CPUs.
  const machine = machineInfo();
  const stamp = fileStamp(startedAt);
  const databaseUrl = benchDatabaseUrl();
  const databaseName = new URL(databaseUrl).pathname.slice(1);

  console.log(
    `Seat map benchmark${settings.quick ? " (quick smoke run: figures are indicative only)" : ""}: ` +
      `${machine.cpus} cores, load average ${machine.loadAverage1m} before the run, node ${machine.node}`,
  );
  process.stdout.write(`Preparing database ${databaseName} (migrate, seed)… `);
  const preparation = await prepareDatabase(databaseUrl);
  console.log(`done in ${((preparation.migrateMs + preparation.seedMs) / 1000).toFixed(1)} s`);

  const profile = flags["cpu-prof"]
    ? { dir: resultsDir, name: `seatmap-${stamp}-api.cpuprofile` }
    : undefined;
  const api = await startApi({
    databaseUrl,
    nodeArgs: profile
      ? ["--cpu-prof", `--cpu-prof-dir=${profile.dir}`, `--cpu-prof-name=${profile.name}`]
      : [],
  });
  let measurements: Measurements;
  try {
    console.log(`API at ${api.graphqlUrl} (${apiSummary(api)})`);
    measurements = await measureAll(api, settings);
  } finally {
    await api.stop();
  }

  const targets = evaluateTargets(measurements.outcomes);
  printReport(settings, machine, measurements, targets);
  const resultsPath = await writeResults(`seatmap-${stamp}.json`, {
    scenario: "seatmap",
    startedAt: startedAt.toISOString(),
    machine,
    settings,
    database: databaseName,
    event: measurements.event,
    phases: measurements.outcomes,
    coldFullMap: measurements.single.cold,
    expiredFullMap: measurements.single.expired,
    targets,
  });
  console.log(`\nResults: ${resultsPath}`);
  if (profile) console.log(`API CPU profile: ${join(profile.dir, profile.name)} (open in Chrome DevTools)`);

  const problems = Object.values(measurements.outcomes).flatMap((outcome) =>
    outcome.problems.map((problem) => `${outcome.label}: ${problem}`),
  );
  if (problems.length) {
    console.error(`\nFAILED: the API answered wrongly under load:\n  ${problems.join("\n  ")}`);
    return 1;
  }
  const failed = targets.filter((target) => !target.pass);
  if (failed.length && !settings.quick) {
    console.error(`\nFAILED targets: ${failed.map((target) => target.name).join(", ")}`);
    return 1;
  }
  return 0;
}
