import assert from "node:assert/strict";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { after, before, describe, it } from "node:test";
import { freezeChart } from "../src/modules/venues/chart-store.js";
import { VenuesService } from "../src/modules/venues/venues.service.js";
import { DEMO_ACCOUNTS, VENUE_SLUGS } from "../src/seed/seed.js";
import { chartSeatDigest } from "./support/charts.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { createFanAccounts, errorCode, logIn } from "./support/holds.js";
import { type GraphQLResult, gql, startTestServer, type TestServer } from "./support/server.js";

// Organizers' venues and seating charts (docs/venues.md): who may do what, validation that lists every
// problem with its line and writes nothing, chart versions, and the 52,800-seat import.

let database: TestDatabase;
let server: TestServer;
const cookies: Record<"organizer" | "other" | "admin" | "fan", string> = {
  organizer: "",
  other: "",
  admin: "",
  fan: "",
};

type Who = keyof typeof cookies | "anonymous";
const as = <T = Record<string, unknown>>(who: Who, query: string, variables?: Record<string, unknown>) =>
  gql<T>(server.url, query, variables, who === "anonymous" ? {} : { cookie: cookies[who] });

interface Problem {
  path: string;
  line?: number;
  message: string;
}
const problemsOf = (result: GraphQLResult<unknown>) =>
  (result.errors?.[0]?.extensions?.problems ?? []) as Problem[];

const CREATE_VENUE = `mutation ($input: VenueInput!) {
  createVenue(input: $input) { id name city timezone stage { label width } charts { id } }
}`;
const UPDATE_VENUE = `mutation ($id: ID!, $input: VenueInput!) { updateVenue(venueId: $id, input: $input) { id name } }`;
const SAVE_CHART = `mutation ($id: ID!, $chart: JSONObject!) {
  saveSeatingChart(venueId: $id, chart: $chart) {
    newVersion previousVersion message chart { id name version seats sections standingCapacity frozenAt }
  }
}`;
const IMPORT_CHART = `mutation ($id: ID!, $format: ChartFormat!, $data: String!, $name: String) {
  importSeatingChart(venueId: $id, format: $format, data: $data, name: $name) {
    newVersion message chart { id version seats sections }
  }
}`;
const EXPORT_CHART = `query ($id: ID!, $format: ChartFormat!) { exportSeatingChart(chartId: $id, format: $format) }`;
const MY_VENUES = "{ myVenues { id slug charts { id name version seats frozenAt publishedEvents } } }";

const VENUE_INPUT = {
  name: "Kleine Zaal",
  city: "Utrecht",
  address: "Oudegracht 245, 3511 NK Utrecht, Netherlands",
  timezone: "Europe/Amsterdam",
};

/** A small chart: a curved block of 3 rows and a standing area. */
const SMALL_CHART = {
  name: "Main",
  sections: [
    {
      name: "Stalls",
      position: { x: 10, y: 2 },
      rows: [
        { label: "A", seats: 10, y: 8, radius: 8, accessible: [1, 10] },
        { label: "B", seats: 11, y: 9, radius: 9, skip: [13], numbering: { start: 10 } },
        { label: "C", seats: 12, y: 10, numbering: { direction: "RIGHT_TO_LEFT" } },
      ],
    },
    { name: "Standing", kind: "STANDING", capacity: 150, shape: { x: 2, y: 14, width: 16, height: 4 } },
  ],
};

async function chartsOf(venueId: string) {
  return database.db.seatingChart.findMany({
    where: { venueId: Number(venueId) },
    include: { _count: { select: { sections: true } } },
    orderBy: [{ name: "asc" }, { version: "asc" }],
  });
}

async function newVenue(who: Who = "organizer"): Promise<string> {
  const result = await as<{ createVenue: { id: string } }>(who, CREATE_VENUE, { input: VENUE_INPUT });
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data?.createVenue.id as string;
}

before(async () => {
  database = await createTestDatabase({ seeded: true });
  server = await startTestServer(database.url);
  const [other, fan] = await createFanAccounts(database.db, 2, `venues-${process.pid}`);
  await database.db.user.update({ where: { id: other?.id }, data: { role: "ORGANIZER" } });
  [cookies.organizer, cookies.admin, cookies.other, cookies.fan] = await Promise.all([
    logIn(server.url, DEMO_ACCOUNTS.organizer.email, DEMO_ACCOUNTS.organizer.password),
    logIn(server.url, DEMO_ACCOUNTS.admin.email, DEMO_ACCOUNTS.admin.password),
    logIn(server.url, other?.email as string),
    logIn(server.url, fan?.email as string),
  ]);
});

after(async () => {
  await server?.close();
  await database?.dispose();
});

describe("venues", () => {
  it("lets organizers and admins manage venues, and nobody else", async () => {
    assert.equal(errorCode(await as("anonymous", CREATE_VENUE, { input: VENUE_INPUT })), "UNAUTHENTICATED");
    assert.equal(errorCode(await as("fan", CREATE_VENUE, { input: VENUE_INPUT })), "FORBIDDEN");
    assert.equal(errorCode(await as("fan", MY_VENUES)), "FORBIDDEN");

    const created = await as<{ createVenue: { id: string; stage: { label: string }; charts: [] } }>(
      "organizer",
      CREATE_VENUE,
      { input: VENUE_INPUT },
    );
    const venueId = created.data?.createVenue.id as string;
    assert.equal(created.data?.createVenue.stage.label, "STAGE", "a default stage");

    // Another organizer may not touch it: not its details, its charts or its exports.
    const rename = { id: venueId, input: { name: "Taken over" } };
    assert.equal(errorCode(await as("other", UPDATE_VENUE, rename)), "FORBIDDEN");
    assert.equal(errorCode(await as("fan", UPDATE_VENUE, rename)), "FORBIDDEN");
    assert.equal(errorCode(await as("anonymous", UPDATE_VENUE, rename)), "UNAUTHENTICATED");
    assert.equal(errorCode(await as("other", SAVE_CHART, { id: venueId, chart: SMALL_CHART })), "FORBIDDEN");
    const data = "section,row,number,x,y,flags\nA,1,1,0,0,";
    const imported = await as("other", IMPORT_CHART, { id: venueId, format: "CSV", data });
    assert.equal(errorCode(imported), "FORBIDDEN");
    const stadium = await database.db.venue.findUniqueOrThrow({
      where: { slug: VENUE_SLUGS.lisbonStadium },
      include: { charts: true },
    });
    const stadiumChart = String(stadium.charts[0]?.id);
    assert.equal(
      errorCode(await as("other", EXPORT_CHART, { id: stadiumChart, format: "CSV" })),
      "FORBIDDEN",
    );
    assert.equal(errorCode(await as("fan", EXPORT_CHART, { id: stadiumChart, format: "CSV" })), "FORBIDDEN");

    // The admin may.
    const renamed = await as<{ updateVenue: { name: string } }>("admin", UPDATE_VENUE, rename);
    assert.equal(renamed.data?.updateVenue.name, "Taken over");

    // Each sees their own venues; the admin every one.
    type Listed = { myVenues: { id: string; slug: string }[] };
    const mine = (await as<Listed>("organizer", MY_VENUES)).data?.myVenues ?? [];
    const theirs = (await as<Listed>("other", MY_VENUES)).data?.myVenues ?? [];
    const all = (await as<Listed>("admin", MY_VENUES)).data?.myVenues ?? [];
    assert.ok(mine.some((venue) => venue.id === venueId));
    assert.ok(mine.some((venue) => venue.slug === VENUE_SLUGS.lisbonStadium));
    assert.deepEqual(theirs, []);
    assert.equal(all.length, await database.db.venue.count());

    // The audit log has who did what.
    const audit = await database.db.auditLog.findMany({
      where: { venueId: Number(venueId) },
      orderBy: { id: "asc" },
    });
    assert.deepEqual(
      audit.map((entry) => entry.action),
      ["venue.create", "venue.update"],
    );
    assert.deepEqual(audit[1]?.after, { name: "Taken over" });
  });

  it("checks a venue's fields, naming each field at fault", async () => {
    const result = await as("organizer", CREATE_VENUE, {
      input: {
        ...VENUE_INPUT,
        name: " ",
        timezone: "Mars/Olympus_Mons",
        stage: { label: "STAGE", x: 0, y: 0, width: 0, height: 4 },
      },
    });
    assert.equal(errorCode(result), "BAD_USER_INPUT");
    assert.equal(result.errors?.[0]?.extensions?.field, "name");
    assert.deepEqual(
      problemsOf(result).map((problem) => problem.path),
      ["name", "timezone", "stage.width"],
    );
  });

  it("saves a chart, generating every seat, and rewrites a version no event uses", async () => {
    const venueId = await newVenue();
    type Saved = {
      saveSeatingChart: {
        newVersion: boolean;
        chart: { id: string; version: number; seats: number; standingCapacity: number };
      };
    };
    const first = await as<Saved>("organizer", SAVE_CHART, { id: venueId, chart: SMALL_CHART });
    assert.equal(first.errors, undefined, JSON.stringify(first.errors));
    assert.deepEqual(
      { ...first.data?.saveSeatingChart.chart, id: undefined },
      {
        id: undefined,
        version: 1,
        seats: 33,
        standingCapacity: 150,
        sections: 2,
        name: "Main",
        frozenAt: null,
      },
    );
    const seats = await database.db.seat.findMany({
      where: { section: { chartId: Number(first.data?.saveSeatingChart.chart.id) } },
      orderBy: [{ rowRank: "asc" }, { number: "asc" }],
    });
    const numbers = (row: string) => seats.filter((seat) => seat.rowLabel === row).map((seat) => seat.number);
    assert.deepEqual(numbers("A"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(numbers("B"), [10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21], "13 skipped");
    assert.deepEqual(
      seats.filter((seat) => seat.accessible).map((seat) => `${seat.rowLabel}${seat.number}`),
      ["A1", "A10"],
    );
    // Right to left: seat 1 of row C is the rightmost.
    const rowC = seats.filter((seat) => seat.rowLabel === "C");
    assert.ok((rowC[0]?.x ?? 0) > (rowC.at(-1)?.x ?? 0));

    const again = await as<Saved>("organizer", SAVE_CHART, {
      id: venueId,
      chart: { ...SMALL_CHART, sections: SMALL_CHART.sections.slice(0, 1) },
    });
    assert.equal(again.data?.saveSeatingChart.newVersion, false);
    assert.equal(again.data?.saveSeatingChart.chart.version, 1);
    assert.equal(again.data?.saveSeatingChart.chart.seats, 33);
    const charts = await chartsOf(venueId);
    assert.deepEqual(
      charts.map((chart) => [chart.version, chart._count.sections]),
      [[1, 1]],
    );
  });

  it("makes the next version when the chart is frozen, and the events keep theirs", async () => {
    const venueId = await newVenue();
    type Saved = {
      saveSeatingChart: {
        newVersion: boolean;
        previousVersion: number;
        message: string;
        chart: { id: string; version: number };
      };
    };
    const first = await as<Saved>("organizer", SAVE_CHART, { id: venueId, chart: SMALL_CHART });
    const firstChartId = Number(first.data?.saveSeatingChart.chart.id);
    await freezeChart(database.db, firstChartId);
    const seatsBefore = await database.db.seat.findMany({
      where: { section: { chartId: firstChartId } },
      orderBy: { id: "asc" },
    });

    const edited = structuredClone(SMALL_CHART);
    (edited.sections[0] as { rows: { seats: number }[] }).rows[0] = {
      ...SMALL_CHART.sections[0]?.rows?.[0],
      seats: 8,
      accessible: [1, 8],
    } as never;
    const second = await as<Saved>("organizer", SAVE_CHART, { id: venueId, chart: edited });
    assert.equal(second.errors, undefined, JSON.stringify(second.errors));
    const saved = second.data?.saveSeatingChart;
    assert.equal(saved?.newVersion, true);
    assert.equal(saved?.previousVersion, 1);
    assert.equal(saved?.chart.version, 2);
    assert.match(saved?.message ?? "", /frozen.*version 2/);
    const seatsAfter = await database.db.seat.findMany({
      where: { section: { chartId: firstChartId } },
      orderBy: { id: "asc" },
    });
    assert.deepEqual(seatsAfter, seatsBefore, "version 1 is untouched");
  });

  it("lists every problem of a chart with its path, and writes nothing", async () => {
    const venueId = await newVenue();
    const broken = {
      name: "Main",
      sections: [
        {
          name: "Stalls",
          rows: [
            { label: "A", seats: 0, y: 5 },
            { label: "A", seats: 4, y: 6, wheelchair: [9] },
          ],
        },
        { name: "Stalls", rows: [{ label: "B", seats: 4, y: 6 }] },
        { name: "Pit", kind: "STANDING", shape: { x: 0, y: 0, width: 5 } },
        {
          name: "Box",
          seats: [
            { row: "1", number: 1, x: 30, y: 30 },
            { row: "1", number: 1, x: 40, y: 30 },
          ],
        },
      ],
    };
    const result = await as("organizer", SAVE_CHART, { id: venueId, chart: broken });
    assert.equal(errorCode(result), "BAD_USER_INPUT");
    assert.equal(result.errors?.[0]?.extensions?.field, "chart");
    assert.deepEqual(
      problemsOf(result).map((problem) => `${problem.path}: ${problem.message}`),
      [
        "sections.0.rows.0.seats: seats must be a whole number from 1 to 1000",
        "sections.0.rows.1.wheelchair: wheelchair names seat 9, which row A does not have",
        "sections.0.rows.1.label: row A appears twice (rows 0 and 1)",
        "sections.1.name: section Stalls appears twice (sections 0 and 1)",
        "sections.2.capacity: capacity must be a whole number from 1 to 1000000",
        "sections.2.shape.height: height is missing",
      ],
    );
    // Once the shape is right, the seats are checked: a seat twice, rows on top of each other.
    const overlapping = {
      name: "Main",
      sections: [
        {
          name: "Stalls",
          rows: [
            { label: "A", seats: 4, y: 5 },
            { label: "B", seats: 4, y: 5.1 },
          ],
        },
        {
          name: "Box",
          seats: [
            { row: "1", number: 1, x: 30, y: 30 },
            { row: "1", number: 1, x: 40, y: 30 },
          ],
        },
      ],
    };
    const second = await as("organizer", SAVE_CHART, { id: venueId, chart: overlapping });
    assert.deepEqual(
      problemsOf(second).map((problem) => problem.path),
      ["sections.0.rows.1", "sections.1.seats.1"],
    );
    assert.match(problemsOf(second)[0]?.message ?? "", /row B of Stalls overlaps row A of Stalls/);
    assert.match(problemsOf(second)[1]?.message ?? "", /seat 1 of row 1 in Box appears twice/);
    assert.deepEqual(await chartsOf(venueId), [], "nothing written");
  });

  it("imports CSV and JSON with every problem on its line, nothing half-written", async () => {
    const venueId = await newVenue();
    const csv = [
      "section,row,number,x,y,flags",
      "Stalls,A,1,0,0,accessible",
      "Stalls,A,x,0.6,0,",
      ",A,3,1.2,0,",
      "Stalls,A,4,1.8,0,wheelchair|sparkly",
      "Stalls,A,5,2.4,0",
      "Stalls,A,5,3.0,0",
      "Stalls,B,1,0.1,0.1,",
    ].join("\n");
    const result = await as("organizer", IMPORT_CHART, { id: venueId, format: "CSV", data: csv });
    assert.equal(errorCode(result), "BAD_USER_INPUT");
    assert.equal(result.errors?.[0]?.extensions?.field, "data");
    assert.deepEqual(
      problemsOf(result).map((problem) => problem.line),
      [3, 4, 5],
      JSON.stringify(problemsOf(result)),
    );
    // With the lines fixed, the seats' problems: line 7 repeats seat A5, line 8 sits on A1.
    const fixed = csv.replace("A,x,", "A,2,").replace(",A,3", "Stalls,A,3").replace("|sparkly", "");
    const second = await as("organizer", IMPORT_CHART, { id: venueId, format: "CSV", data: fixed });
    assert.deepEqual(
      problemsOf(second).map((problem) => [problem.line, problem.message.split(" ").slice(0, 4).join(" ")]),
      [
        [7, "seat 5 of row"],
        [8, "row B of Stalls"],
      ],
    );
    assert.deepEqual(await chartsOf(venueId), [], "nothing written");

    const json = JSON.stringify(
      {
        name: "Main",
        sections: [
          {
            name: "Stalls",
            rows: [
              { label: "A", seats: 4, y: 2 },
              { label: "B", y: 3 },
            ],
          },
        ],
      },
      null,
      2,
    );
    const jsonResult = await as("organizer", IMPORT_CHART, { id: venueId, format: "JSON", data: json });
    const [missing] = problemsOf(jsonResult);
    assert.equal(missing?.path, "sections.0.rows.1.seats");
    assert.equal(
      missing?.line,
      json.split("\n").findIndex((line) => line.includes('"B"')),
      "the line of row B",
    );
    const notJson = await as("organizer", IMPORT_CHART, {
      id: venueId,
      format: "JSON",
      data: '{\n  "name": "Main",\n  "sections": [,]\n}',
    });
    assert.equal(problemsOf(notJson)[0]?.line, 3);

    const ok = await as<{ importSeatingChart: { chart: { id: string; seats: number; sections: number } } }>(
      "organizer",
      IMPORT_CHART,
      {
        id: venueId,
        format: "CSV",
        data: fixed.split("\n").slice(0, 6).join("\n"),
        name: "Drawn elsewhere",
      },
    );
    assert.deepEqual(ok.data?.importSeatingChart.chart, {
      id: ok.data?.importSeatingChart.chart.id,
      version: 1,
      seats: 5,
      sections: 1,
    });
    // A chart's text is longer than a field's usual 2,000 characters: 300 seats in 10 rows.
    const grid = Array.from({ length: 300 }, (_, seat) =>
      [
        "Grid",
        String.fromCharCode(65 + Math.floor(seat / 30)),
        (seat % 30) + 1,
        (seat % 30) * 0.55,
        Math.floor(seat / 30) * 0.9,
        "",
      ].join(","),
    ).join("\n");
    assert.ok(grid.length > 2_000);
    const large = await as<{ importSeatingChart: { chart: { seats: number } } }>("organizer", IMPORT_CHART, {
      id: venueId,
      format: "CSV",
      data: grid,
      name: "Grid",
    });
    assert.equal(large.errors, undefined, JSON.stringify(large.errors));
    assert.equal(large.data?.importSeatingChart.chart.seats, 300);
    // Exported as CSV, it reads back as what was imported.
    const exported = await as<{ exportSeatingChart: string }>("organizer", EXPORT_CHART, {
      id: ok.data?.importSeatingChart.chart.id,
      format: "CSV",
    });
    assert.equal(
      exported.data?.exportSeatingChart,
      `${fixed.split("\n").slice(0, 6).join("\n").replace("Stalls,A,5,2.4,0", "Stalls,A,5,2.4,0,")}\n`,
    );
  });

  it("imports the stadium's 52,800 seats in a few seconds without stalling the event loop", async () => {
    const venues = new VenuesService(database.db);
    const admin = await database.db.user.findUniqueOrThrow({ where: { email: DEMO_ACCOUNTS.admin.email } });
    const viewer = { userId: admin.id, role: "ADMIN" as const };
    const stadium = await database.db.venue.findUniqueOrThrow({
      where: { slug: VENUE_SLUGS.lisbonStadium },
      include: { charts: true },
    });
    const main = stadium.charts.find((chart) => chart.name === "Main");
    assert.ok(main?.frozenAt, "events are published with the stadium's Main chart");
    const csv = await venues.exportChart(viewer, main.id, "CSV");
    const json = await venues.exportChart(viewer, main.id, "JSON");

    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const saved = await venues.importChart(viewer, stadium.id, "CSV", csv, "Drawn elsewhere");
    const csvMs = performance.now() - started;
    const jsonStarted = performance.now();
    const fromJson = await venues.importChart(viewer, stadium.id, "JSON", json);
    const jsonMs = performance.now() - jsonStarted;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 2_000;
    loop.disable();
    const maxDelayMs = loop.max / 1e6;
    console.log(
      `52,800-seat import: CSV ${Math.round(csvMs)} ms, JSON ${Math.round(jsonMs)} ms ` +
        `(API process CPU ${Math.round(cpuMs)} ms per import); ` +
        `event loop delay max ${Math.round(maxDelayMs)} ms, p99 ${Math.round(loop.percentile(99) / 1e6)} ms`,
    );
    assert.equal(saved.chart.seats, 52_800);
    assert.equal(fromJson.chart.seats, 52_800);
    // The frozen Main chart stays as the events have it: the JSON import made its version 2.
    assert.equal(fromJson.newVersion, true);
    assert.equal(fromJson.chart.version, 2);
    // The stadium's events keep the charts they were published with (Main, or the Concert chart).
    const events = await database.db.event.findMany({
      where: { venueId: stadium.id },
      select: { chartId: true },
    });
    const published = new Set(stadium.charts.map((chart) => chart.id));
    assert.ok(events.some((event) => event.chartId === main.id));
    assert.ok(events.every((event) => published.has(event.chartId)));
    const digest = (chartId: number) => chartSeatDigest(database.db, chartId);
    const [before, afterImport] = await Promise.all([digest(main.id), digest(Number(fromJson.chart.id))]);
    assert.deepEqual(afterImport, before, "the JSON export imports back to the same seats");

    // Re-imported with every seat renumbered, the unused draft is rewritten: its 52,800 seats go and new
    // ones come. Each removed seat's foreign key looks for its rows in event_seat by seat_id (before the
    // index on it, a scan of event_seat per seat: minutes for this import).
    const renumbered = csv.replace(
      /^([^,\n]*,[^,\n]*,)(\d+),/gm,
      (_, head: string, number: string) => `${head}${Number(number) + 500},`,
    );
    const redrawStarted = performance.now();
    const redrawn = await venues.importChart(viewer, stadium.id, "CSV", renumbered, "Drawn elsewhere");
    console.log(
      `52,800 seats renumbered over the draft: ${Math.round(performance.now() - redrawStarted)} ms`,
    );
    assert.equal(redrawn.chart.id, saved.chart.id, "the unused draft is rewritten in place");
    assert.equal(redrawn.chart.seats, 52_800);
    const numbers = await database.db.seat.aggregate({
      where: { section: { chartId: Number(saved.chart.id) } },
      _min: { number: true },
    });
    assert.ok((numbers._min.number ?? 0) > 500, "every seat has its new number");
  });
});
