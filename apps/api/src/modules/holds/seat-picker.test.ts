import assert from "node:assert/strict";
import { test } from "node:test";
import type { SeatMapView } from "../seating/seating.service.js";
import {
  accessiblePreferenceOrder,
  type CandidateSeat,
  type FreeRun,
  freeRuns,
  pickAccessible,
  pickAdjacent,
  pickFromMap,
  pickSplit,
  preferenceOrder,
} from "./seat-picker.js";

// A small hall: the stage at the top, rows A (closest) to C of seats 1..6, one section at one tier.
// Seat ids are row * 10 + number (A1 = 11, C6 = 36).
const ROWS = ["A", "B", "C"];
function hall(
  statuses = "A".repeat(18),
  flags: { wheelchair?: number[]; companion?: number[] } = {},
): SeatMapView {
  const seats = ROWS.flatMap((row, r) =>
    [1, 2, 3, 4, 5, 6].map((number) => {
      const id = (r + 1) * 10 + number;
      const wheelchair = flags.wheelchair?.includes(id) ?? false;
      const companion = flags.companion?.includes(id) ?? false;
      return {
        id,
        row,
        number,
        x: number * 10,
        y: 20 + r * 10,
        accessible: wheelchair || companion,
        wheelchair,
        companion,
        index: r * 6 + number - 1,
      };
    }),
  );
  return {
    eventId: 1,
    version: 1,
    statuses,
    stage: { label: "Stage", x: 30, y: 0, width: 10, height: 5 },
    bounds: { minX: 0, minY: 0, maxX: 70, maxY: 50 },
    sections: [
      { id: 1, name: "Stalls", kind: "SEATED", capacity: null, outline: null, priceTierId: 7, seats },
    ],
    areas: [],
  };
}

const ids = (seats: readonly { seatId: number }[]) => seats.map((seat) => seat.seatId);

/** Candidates as the database would return them for the preferred seats. */
function candidates(runs: readonly FreeRun[], quantity: number, adjacent: boolean): CandidateSeat[] {
  return preferenceOrder(runs, quantity, { adjacent, max: 100 }).map((seat) => ({
    ...seat,
    section: "Stalls",
    price: 5000,
  }));
}

test("free runs split at taken and not-for-sale seats, and keep to the price tier asked for", () => {
  const map = hall(`AAXAAA${"A".repeat(12)}`);
  const runs = freeRuns(map, new Set([15]), null);
  assert.deepEqual(
    runs.filter((run) => run.row === "A").map((run) => run.seats.map((seat) => seat.seatId)),
    [[11, 12], [14], [16]],
  );
  assert.equal(runs.length, 5);
  assert.deepEqual(freeRuns(map, new Set(), 8), [], "no section sells at tier 8");
});

test("preferred seats: the closest run first, its middle before its ends; a run that would strand one seat last", () => {
  const runs = freeRuns(hall(), new Set([16, 25, 26]), null);
  // Row A has 5 free seats (11..15): 4 adjacent there would strand one, so row B's 4 (21..24) come first.
  const order = preferenceOrder(runs, 4, { adjacent: true, max: 100 });
  assert.deepEqual(ids(order.slice(0, 4)).sort(), [21, 22, 23, 24]);
  assert.ok(ids(order).indexOf(33) < ids(order).indexOf(31), "in a run, seats near the middle first");
  assert.equal(preferenceOrder(runs, 4, { adjacent: true, max: 3 }).length, 3);
});

test("pickAdjacent takes a block in one row that strands no single seat, closest first", () => {
  const runs = freeRuns(hall(), new Set([16]), null);
  const block = pickAdjacent(candidates(runs, 4, true), 4);
  assert.ok(block);
  const seats = ids(block);
  assert.equal(new Set(block.map((seat) => seat.row)).size, 1);
  assert.deepEqual(
    seats,
    [...seats].sort((a, b) => a - b),
  );
  assert.equal((seats[3] as number) - (seats[0] as number), 3, "consecutive numbers");
  assert.equal(pickAdjacent(candidates(freeRuns(hall(), new Set([13, 23, 33]), null), 4, true), 4), null);
});

test("pickSplit uses the fewest rows when no row has the seats together", () => {
  // Every row has only pairs: 11-12, 14-15 … so 4 seats cannot sit together.
  const taken = new Set([13, 16, 23, 26, 33, 36]);
  const split = pickSplit(candidates(freeRuns(hall(), taken, null), 4, false), 4);
  assert.ok(split);
  assert.equal(split.length, 4);
  assert.equal(new Set(split.map((seat) => seat.row)).size, 1, "one row (two pairs) before two rows");
  assert.equal(pickSplit(candidates(freeRuns(hall(), taken, null), 4, false).slice(0, 3), 4), null);
});

// Row B: wheelchair spaces at 23 and 24, companion seats beside them at 22 and 25.
const ACCESSIBLE = { wheelchair: [23, 24], companion: [22, 25] };

test("a request that did not ask for accessible places never gets them before their release", () => {
  const runs = freeRuns(hall(undefined, ACCESSIBLE), new Set(), null);
  const offered = ids(preferenceOrder(runs, 2, { adjacent: true, max: 100 }));
  // Rows A and C: row B's 21 and 26 are runs of one, no room for two.
  assert.equal(offered.length, 12);
  for (const seatId of [22, 23, 24, 25]) assert.ok(!offered.includes(seatId));
  // Row B splits at the accessible places: 21 and 26 are runs of one.
  assert.deepEqual(
    runs
      .filter((run) => run.row === "B")
      .map((run) => ids(run.seats.map((seat) => ({ seatId: seat.seatId })))),
    [[21], [26]],
  );
  const released = freeRuns(hall(undefined, ACCESSIBLE), new Set(), null, "include");
  assert.equal(released.filter((run) => run.row === "B").length, 1, "after the release: one run of six");
});

test("accessibleSeats: wheelchair places with companion seats beside them, in one row", () => {
  const map = hall(undefined, ACCESSIBLE);
  const runs = freeRuns(map, new Set(), null, "include");
  const offer = (quantity: number, wheelchair: number) =>
    accessiblePreferenceOrder(runs, quantity, wheelchair, 100).map((seat) => ({
      ...seat,
      section: "Stalls",
      price: 5000,
    }));
  const one = pickAccessible(offer(2, 1), 2, 1);
  assert.ok(one);
  assert.equal(one.filter((seat) => seat.wheelchair).length, 1);
  assert.ok(
    one.every((seat) => seat.wheelchair || seat.companion),
    "the companion seat beside the space",
  );
  const both = pickAccessible(offer(4, 2), 4, 2);
  assert.deepEqual(ids(both ?? []), [22, 23, 24, 25]);
  assert.equal(pickAccessible(offer(3, 3), 3, 3), null, "only two wheelchair spaces");
  // Row B taken: no wheelchair place left for anyone.
  assert.deepEqual(
    accessiblePreferenceOrder(freeRuns(map, new Set([23, 24]), null, "include"), 2, 1, 100),
    [],
  );
});

test("the optimistic pick reads the live map: held and sold seats, and the seats left out, are not chosen", () => {
  const request = { quantity: 4, priceTierId: null, accessibleSeats: 0 };
  // Row A: seats 3 and 4 held, 5 sold (as the live map shows them); row B left out by the caller.
  const statuses = `AAHHSA${"A".repeat(12)}`;
  const taken = new Set([21, 22, 23, 24, 25, 26]);
  const four = ids(pickFromMap(hall(statuses), request, taken, "exclude") ?? []).sort();
  assert.ok(["31,32,33,34", "32,33,34,35", "33,34,35,36"].includes(four.join()), `row C, adjacent: ${four}`);
  // The same statuses for the exact path's freeRuns ("offSale"): only not-for-sale seats are ruled out.
  assert.equal(freeRuns(hall(statuses), new Set(), null).filter((run) => run.row === "A").length, 1);
  const full = `${"H".repeat(16)}AA`;
  assert.equal(pickFromMap(hall(full), request, new Set(), "exclude"), null, "two seats left: none of four");
  assert.deepEqual(
    ids(pickFromMap(hall(full), { ...request, quantity: 2 }, new Set(), "exclude") ?? []),
    [35, 36],
  );
});

test("the optimistic pick keeps accessible places last and finds them when asked for", () => {
  const map = hall(undefined, ACCESSIBLE);
  const accessiblePlaces = [22, 23, 24, 25];
  // Every other seat taken: only row B's accessible places are left.
  const others = new Set([11, 12, 13, 14, 15, 16, 21, 26, 31, 32, 33, 34, 35, 36]);
  const two = { quantity: 2, priceTierId: null, accessibleSeats: 0 };
  assert.equal(
    pickFromMap(map, two, others, "exclude"),
    null,
    "before the release: never the accessible places",
  );
  const released = ids(pickFromMap(map, two, others, "include") ?? []);
  assert.ok(
    released.length === 2 && released.every((seatId) => accessiblePlaces.includes(seatId)),
    `${released}`,
  );
  const wheelchair = ids(pickFromMap(map, { ...two, accessibleSeats: 1 }, new Set(), "exclude") ?? []);
  assert.ok(wheelchair.includes(23) || wheelchair.includes(24), `a wheelchair space: ${wheelchair}`);
});
