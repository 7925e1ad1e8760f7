import { performance } from "node:perf_hooks";
import type { RunningApi } from "./api-process.js";
import { decodedBody, parseGraphQL, postGraphQL } from "./http.js";
import { latencyHistogram, type Percentiles, percentilesMs, recordMs } from "./latency.js";
import { failures, type LoadResult, measure } from "./load.js";
import type { Meter, StepCost } from "./meter.js";
import type { LoadSettings } from "./options.js";
import { connectPg } from "./pg.js";
import { costCells, costHeader, costLine, integer, milliseconds, ratioText, table } from "./report.js";

// References measured in the same run as a scenario: the machine of the day moves every absolute rate,
// and moves these alike, so a scenario's figure over its reference is what compares across machines.

/** A scenario's figure next to its reference: a rate over a rate, or a cost over a cost. */
export interface Reference {
  /** E.g. "{ __typename }". */
  name: string;
  /** Its figure, in `unit`. */
  value: number;
  unit: string;
}

export const ratio = (figure: number, reference: Reference | undefined) =>
  reference && reference.value > 0 ? figure / reference.value : Number.NaN;

const TYPENAME_QUERY = "{ __typename }";

/** `{ __typename }`, closed loop (autocannon): the API's cost of any GraphQL request over HTTP. */
export async function measureTypename(
  api: RunningApi,
  settings: LoadSettings,
  meter: Meter,
): Promise<{ load: LoadResult; problems: string[]; reference: Reference }> {
  const expected = decodedBody(await postGraphQL(api.graphqlUrl, { query: TYPENAME_QUERY }));
  parseGraphQL({ status: 200, headers: {}, body: expected, ms: 0 });
  const body = expected.toString("utf8");
  const load = await measure(
    {
      url: api.graphqlUrl,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: TYPENAME_QUERY }),
      readsBody: true,
      check: (_headers, text) => (text === body ? undefined : `unexpected body ${text.slice(0, 120)}`),
    },
    settings,
    meter,
  );
  return {
    load,
    problems: failures(load),
    reference: { name: "{ __typename }", value: load.requestsPerSecond, unit: "req/s" },
  };
}

/** measureTypename as a run's reference, printed as it ends. */
export async function typenameReference(api: RunningApi, settings: LoadSettings, meter: Meter) {
  console.log(`Reference: { __typename }, closed loop, ${settings.connections} connections…`);
  const typename = await measureTypename(api, settings, meter);
  console.log(`    ${integer(typename.load.requestsPerSecond)} req/s; ${costLine(typename.load.cost)}`);
  return typename;
}

const CONDITIONAL_UPDATE =
  "UPDATE event_seat SET version = version + 1 WHERE event_id = $1 AND seat_id = $2 AND status = 'AVAILABLE'";
export const UPDATE_CLIENTS = 32;
const MAX_UPDATES_PER_SECOND = 200_000;
const UPDATE_SECONDS = { full: 5, quick: 2 };

export interface UpdateRateResult {
  prepared: boolean;
  clients: number;
  seconds: number;
  updates: number;
  rowsUpdated: number;
  updatesPerSecond: number;
  latencyMs: Percentiles;
  cost: StepCost;
  reference: Reference;
}

/** xorshift32: a seeded generator, so every run picks the same seats in the same order. */
export function seededRandom(seed: number): () => number {
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

/**
 * What Postgres alone does with the core of a hold: one conditional single-row UPDATE per transaction on
 * random seats of `event`, from 32 clients, without the product's triggers. Unnamed, Postgres parses and plans it every time; named, once
 * per connection, as the API's hot statements are. It leaves every seat as it was (only `version` moves).
 */
async function measureConditionalUpdate(
  databaseUrl: string,
  event: { id: number; seatIds: readonly number[] },
  meter: Meter,
  seconds: number,
  prepared: boolean,
): Promise<UpdateRateResult> {
  const clients = await Promise.all(
    Array.from({ length: UPDATE_CLIENTS }, (_, index) => connectPg(databaseUrl, `bench-update-${index}`)),
  );
  // The reference is Postgres' own speed, not the product's: the product's triggers on event_seat (the
  // sales counters) stay out of it, or a trigger made slower would slow the reference with the holds and
  // hide in their ratio. (The bench connects as a superuser; these sessions only.)
  await Promise.all(clients.map((client) => client.query("SET session_replication_role = replica")));
  const histogram = latencyHistogram();
  const random = seededRandom(7);
  let rowsUpdated = 0;
  const maxUpdatesPerClient = Math.ceil((seconds * MAX_UPDATES_PER_SECOND) / UPDATE_CLIENTS);
  try {
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const { cost } = await meter.measure(async () => {
      let operations = 0;
      await Promise.all(
        clients.map(async (client) => {
          for (let done = 0; done < maxUpdatesPerClient && performance.now() < deadline; done++) {
            const seatId = event.seatIds[Math.floor(random() * event.seatIds.length)];
            const sent = performance.now();
            const result = await client.query({
              ...(prepared ? { name: "bench-conditional-update" } : {}),
              text: CONDITIONAL_UPDATE,
              values: [event.id, seatId],
            });
            recordMs(histogram, performance.now() - sent);
            operations++;
            rowsUpdated += result.rowCount ?? 0;
          }
        }),
      );
      return { operations };
    });
    const updatesPerSecond = cost.operations / cost.seconds;
    return {
      prepared,
      clients: UPDATE_CLIENTS,
      seconds: cost.seconds,
      updates: cost.operations,
      rowsUpdated,
      updatesPerSecond,
      latencyMs: percentilesMs(histogram),
      cost,
      reference: {
        name: `conditional UPDATE (${prepared ? "prepared" : "unnamed"})`,
        value: updatesPerSecond,
        unit: "upd/s",
      },
    };
  } finally {
    await Promise.allSettled(clients.map((client) => client.end()));
  }
}

export interface HttpAndPostgresReferences {
  typename: Awaited<ReturnType<typeof measureTypename>>;
  /** The prepared UPDATE first, then (when asked) the unnamed one. */
  updates: UpdateRateResult[];
  /** The prepared UPDATE's. */
  update: Reference;
}

/**
 * The references of a scenario whose operations go through the API to Postgres: `{ __typename }`, then
 * the conditional UPDATE (prepared; unnamed too when asked, after `beforeUpdate`), each printed as it ends.
 */
export async function measureHttpAndPostgresReferences(
  api: RunningApi,
  meter: Meter,
  settings: LoadSettings,
  databaseUrl: string,
  event: { id: number; seatIds: readonly number[] },
  {
    unnamedToo = false,
    beforeUpdate = async () => undefined,
  }: { unnamedToo?: boolean; beforeUpdate?: () => Promise<unknown> } = {},
): Promise<HttpAndPostgresReferences> {
  const typename = await typenameReference(api, settings, meter);
  const seconds = settings.quick ? UPDATE_SECONDS.quick : UPDATE_SECONDS.full;
  const updates: UpdateRateResult[] = [];
  for (const prepared of unnamedToo ? [true, false] : [true]) {
    console.log(
      `Reference: raw Postgres conditional UPDATE, ${UPDATE_CLIENTS} clients, ${prepared ? "prepared" : "unnamed"}, ${seconds} s…`,
    );
    await beforeUpdate();
    const update = await measureConditionalUpdate(
      databaseUrl,
      event,
      meter.serving(undefined),
      seconds,
      prepared,
    );
    console.log(`    ${integer(update.updatesPerSecond)} upd/s; ${costLine(update.cost)}`);
    updates.push(update);
  }
  const [prepared] = updates;
  if (!prepared) throw new Error("unreachable: the prepared UPDATE runs first");
  return { typename, updates, update: prepared.reference };
}

/** The references as table rows: the header, then a row each. */
export function referenceTable({ typename, updates }: HttpAndPostgresReferences): string {
  const ms = (value: number) => (Number.isNaN(value) ? "–" : milliseconds(value));
  return table(
    ["reference (same run)", "rate", "p50 ms", "p99 ms", ...costHeader],
    [
      [
        "{ __typename }, closed loop",
        `${integer(typename.load.requestsPerSecond)} req/s`,
        String(typename.load.latencyMs.p50),
        String(typename.load.latencyMs.p99),
        ...costCells(typename.load.cost),
      ],
      ...updates.map((update) => [
        `UPDATE … status = 'AVAILABLE', ${update.clients} clients, ${update.prepared ? "prepared" : "unnamed"}`,
        `${integer(update.updatesPerSecond)} upd/s`,
        ms(update.latencyMs.p50),
        ms(update.latencyMs.p99),
        ...costCells(update.cost),
      ]),
    ],
  );
}

/** A rate over both references, e.g. "0.16 × { __typename }, 0.11 × UPDATE". */
export function ratiosText(rate: number, { typename, update }: HttpAndPostgresReferences): string {
  return `${ratioText(ratio(rate, typename.reference), "{ __typename }")}, ${ratioText(ratio(rate, update), "UPDATE")}`;
}

/** The references' problems under load, and the references themselves, for a run's verdict. */
export function referenceOutcome({ typename, updates }: HttpAndPostgresReferences) {
  return {
    problems: typename.problems.map((problem) => `{ __typename } under load: ${problem}`),
    references: [typename.reference, ...updates.map((update) => update.reference)],
  };
}
