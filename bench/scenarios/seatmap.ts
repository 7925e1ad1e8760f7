// `pnpm bench seatmap`: thousands of fans opening the same stadium seat map when a sale starts.
import { setTimeout as sleep } from "node:timers/promises";
import { seatMapWriterParts } from "../lib/api-modules.js";
import type { RunningApi } from "../lib/api-process.js";
import { decodedBody, type GraphQLPayload, parseGraphQL, postGraphQL, queryGraphQL } from "../lib/http.js";
import { failures, type LoadResult, measure, type ResponseCheck } from "../lib/load.js";
import type { Meter, StepCost } from "../lib/meter.js";
import { type LoadSettings, loadOptionsUsage, parseOptions } from "../lib/options.js";
import { type Reference, ratio, typenameReference } from "../lib/reference.js";
import {
  bytes,
  costCells,
  costHeader,
  costLegend,
  costLine,
  integer,
  type MachineInfo,
  milliseconds,
  ratioText,
  table,
  verdictCell,
} from "../lib/report.js";
import { type Bench, openBench, withApi } from "../lib/scenario.js";
import { finish, type Target } from "../lib/verdict.js";

export const usage = `Usage: pnpm bench seatmap [options]

Prepares the database frontrow_bench (BENCH_DATABASE_URL overrides), starts the built API, then measures
  (0) { __typename }                        the cheapest GraphQL request: the reference
  (a) seatMap { version statuses }          what every fan fetches when the sale opens
  (b) seatMap with the full layout, br      the first map a browser loads
  (c) one cold full-map load                the first load after the API started
  (d) the statuses read from Postgres       what the API's 500 ms status cache and the seat-map audit
                                            read: the API's code, run in this process
Each phase prints its CPU per request by process, its rate over (0)'s and the API's event-loop delay.

Targets: (a) ≥ 25% of (0)'s rate; (b) < 1 MB compressed and ≥ 100 loads/s.

${loadOptionsUsage}
  --cpu-prof              profile the API (node --cpu-prof) over the whole run, into bench/results/`;

const STADIUM_MIN_SEATS = 50_000;
const MAX_COMPRESSED_MAP_BYTES = 1_000_000;
const MIN_FULL_MAPS_PER_SECOND = 100;
const MIN_STATUSES_SHARE_OF_BASELINE = 0.25;
// More than this busy elsewhere during a phase (other sessions' work) and the figures are skewed.
const OTHER_WORK_WARNING_CORES = 0.25;
// Seat maps are cache-hinted for this long: waiting it out makes the next load a miss again.
const SEAT_MAP_MAX_AGE_MS = 1_000;
const STATUS_READS = { full: 40, quick: 5 };

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

type PhaseKey = "statuses" | "fullMap";

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
const seatMapCheck: ResponseCheck = (headers) => {
  if (headers["content-encoding"] !== "br") return `content-encoding ${headers["content-encoding"]}`;
  if (!headers.etag) return "not served from the shared cache (no ETag)";
  return undefined;
};

function evaluateTargets({ typename, outcomes }: Measurements): Target[] {
  const statuses = outcomes.statuses.result.requestsPerSecond;
  const fullMap = outcomes.fullMap;
  const needed = typename.value * MIN_STATUSES_SHARE_OF_BASELINE;
  return [
    {
      name: "(a) statuses rate",
      goal: `≥ ${MIN_STATUSES_SHARE_OF_BASELINE * 100}% of (0): ≥ ${integer(needed)} req/s`,
      measured: `${integer(statuses)} req/s = ${Math.round(ratio(statuses, typename) * 100)}% of (0)`,
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

/** (d): reads of the event's statuses from Postgres, one after the other, by the API's SeatingService. */
interface StatusReads {
  reads: number;
  msPerRead: number;
  cost: StepCost;
}

interface Measurements {
  event: StadiumEvent;
  typenameLoad: LoadResult;
  typename: Reference;
  single: SingleLoads;
  outcomes: Record<PhaseKey, PhaseOutcome>;
  statusReads: StatusReads;
}

/** A phase's verdict: its targets ("(a) …" for phase (a)) and no wrong answers; undefined for (0). */
function phasePassed(outcome: PhaseOutcome, targets: readonly Target[]): boolean {
  const mark = outcome.label.slice(0, 3);
  const own = targets.filter((target) => target.name.startsWith(mark));
  return outcome.problems.length === 0 && own.every((target) => target.pass);
}

function printReport(
  settings: LoadSettings,
  machine: MachineInfo,
  measured: Measurements,
  targets: readonly Target[],
): void {
  const { single, outcomes, typename, typenameLoad } = measured;
  const phases = [
    { label: "(0) { __typename }", result: typenameLoad, sizes: undefined, pass: undefined },
    ...Object.values(outcomes).map((outcome) => ({ ...outcome, pass: phasePassed(outcome, targets) })),
  ];
  const rows = phases.map(({ label, result, sizes, pass }) => [
    label,
    integer(result.requestsPerSecond),
    ratio(result.requestsPerSecond, typename).toFixed(2),
    integer(result.latencyMs.p50),
    integer(result.latencyMs.p99),
    integer(result.latencyMs.max),
    sizes ? bytes(sizes.raw) : "",
    sizes ? bytes(sizes.gzip) : "",
    sizes ? bytes(sizes.br) : "",
    `${result.errors} / ${result.non2xx} / ${result.wrongResponses}`,
    ...costCells(result.cost),
    verdictCell(pass),
  ]);
  rows.push(
    [
      "(c) cold full map, 1 load",
      "",
      "",
      milliseconds(single.cold.ms),
      "",
      "",
      "",
      "",
      bytes(single.cold.brBytes),
    ],
    ["    full map after max-age, 1 load", "", "", milliseconds(single.expired.ms)],
    [
      `(d) statuses from Postgres, ${measured.statusReads.reads} reads`,
      "",
      "",
      milliseconds(measured.statusReads.msPerRead),
      "",
      "",
      "",
      "",
      "",
      "",
      ...costCells(measured.statusReads.cost),
    ],
  );
  const header = [
    "phase",
    "req/s",
    "× (0)",
    "p50 ms",
    "p99 ms",
    "max ms",
    "raw",
    "gzip",
    "br",
    "errors/non-2xx/wrong",
  ];
  console.log(`\n${table([...header, ...costHeader, "step"], rows)}`);
  console.log(
    `\n${settings.connections} connections, pipelining ${settings.pipelining}, ${settings.durationS} s per phase ` +
      `after ${settings.warmupS} s of warm-up; the seat map requests send accept-encoding: br. Sizes are bytes per ` +
      `response as sent. CPU per request; (d): per read, the API's code ran in this process ("gen"). ` +
      costLegend(machine, "this process, the load generator (autocannon)"),
  );
  const busiest = Math.max(...phases.map(({ result }) => result.cost.cores.other ?? 0));
  if (busiest > OTHER_WORK_WARNING_CORES) {
    console.log(
      `WARNING: other processes kept up to ${busiest.toFixed(2)} cores busy during a phase: ` +
        "these figures are lower than on a quiet machine.",
    );
  }
}

/** (d): what one read of a stadium's statuses costs the API (its SeatingService, in this process) and Postgres. */
async function measureStatusReads(
  bench: Bench,
  eventId: number,
  meter: Meter,
  reads: number,
): Promise<StatusReads> {
  const parts = await seatMapWriterParts();
  const db = parts.createPrisma(bench.databaseUrl, { poolSize: 1 });
  const pool = parts.createSqlPool(bench.databaseUrl, { max: 1, onIdleError: () => {} });
  try {
    const seating = new parts.SeatingService(db, pool);
    // The first read also reads the layout, which stays cached: not what is measured.
    await seating.readStatuses(eventId);
    const mark = await meter.start();
    const started = performance.now();
    for (let read = 0; read < reads; read++) await seating.readStatuses(eventId);
    const msPerRead = (performance.now() - started) / reads;
    return { reads, msPerRead, cost: await meter.stop(mark, reads) };
  } finally {
    await db.$disconnect();
    await pool.end();
  }
}

async function measureAll(
  bench: Bench,
  api: RunningApi,
  meter: Meter,
  settings: LoadSettings,
): Promise<Measurements> {
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

  const typename = await typenameReference(api, settings, meter);
  const phases: PhaseDefinition[] = [
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
    console.log(`Measuring ${phase.label}…`);
    const load = {
      url: api.graphqlUrl,
      headers: { "content-type": "application/json", "accept-encoding": "br" },
      body: JSON.stringify(phase.payload),
      readsBody: false,
      check: seatMapCheck,
    };
    const result = await measure(load, settings, meter);
    console.log(
      `    ${integer(result.requestsPerSecond)} req/s (${ratioText(ratio(result.requestsPerSecond, typename.reference), "{ __typename }")}); ` +
        costLine(result.cost),
    );
    outcomes[phase.key] = { ...phase, sizes, result, problems: failures(result) };
  }
  // The map must still be whole after the load.
  verifyFullMap(decodedBody(await postGraphQL(api.graphqlUrl, fullMapPayload, "br")), event.venue.capacity);

  const { statuses, fullMap } = outcomes;
  if (!statuses || !fullMap) throw new Error("A phase did not run");
  const reads = settings.quick ? STATUS_READS.quick : STATUS_READS.full;
  console.log(`Measuring (d) ${reads} reads of the statuses from Postgres…`);
  const statusReads = await measureStatusReads(bench, Number(event.id), meter.serving(undefined), reads);
  console.log(`    ${milliseconds(statusReads.msPerRead)} ms a read; ${costLine(statusReads.cost)}`);
  return {
    event,
    typenameLoad: typename.load,
    typename: typename.reference,
    single: { cold: { ms: cold.ms, brBytes: cold.body.length }, expired: { ms: expired.ms } },
    outcomes: { statuses, fullMap },
    statusReads,
  };
}

export async function run(args: string[]): Promise<number> {
  const { settings, flags } = parseOptions(args, { flags: ["cpu-prof"] });
  const bench = await openBench("seatmap", "Seat map benchmark", settings.quick);
  let measured: Measurements;
  try {
    measured = await withApi(bench, { cpuProfile: flags["cpu-prof"] === true }, ({ api, meter }) =>
      measureAll(bench, api, meter, settings),
    );
  } finally {
    await bench.close();
  }
  const targets = evaluateTargets(measured);
  printReport(settings, bench.machine, measured, targets);
  const problems = [
    ...failures(measured.typenameLoad).map((problem) => `(0) { __typename }: ${problem}`),
    ...Object.values(measured.outcomes).flatMap((outcome) =>
      outcome.problems.map((problem) => `${outcome.label}: ${problem}`),
    ),
  ];
  return finish({
    scenario: "seatmap",
    startedAt: bench.startedAt,
    quick: settings.quick,
    machine: bench.machine,
    references: [measured.typename],
    targets,
    problems: problems.length ? [`the API answered wrongly under load: ${problems.join("; ")}`] : [],
    figures: {
      settings,
      event: measured.event,
      typename: measured.typenameLoad,
      phases: measured.outcomes,
      coldFullMap: measured.single.cold,
      expiredFullMap: measured.single.expired,
      statusReads: measured.statusReads,
    },
  });
}
