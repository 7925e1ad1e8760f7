// The price editor's choice of seats (src/organizer/price-selection.ts): the rectangle dragged over the
// map, the keyboard's rows, and the fewest setPrices assignments for them. Pure, tested without a browser.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assignmentsFor, rowsOf, seatsInRect } from "../src/organizer/price-selection.ts";
import { buildSeatLayout } from "../src/seating/seat-layout.ts";

/** `rows` rows of `perRow` seats one unit apart from (x0, 0); rows go down the page. */
function section(id, rows, perRow, x0) {
  const seats = [];
  rows.forEach((row, rowIndex) => {
    for (let number = 1; number <= perRow; number++) {
      seats.push({ id: `${id}-${row}${number}`, row, number, x: x0 + number - 1, y: rowIndex });
    }
  });
  return { id, name: id, priceTierId: null, seats };
}

const layout = buildSeatLayout({
  eventId: "1",
  stage: { label: "Stage", x: 0, y: -5, width: 10, height: 2 },
  bounds: { minX: 0, minY: -5, maxX: 30, maxY: 10 },
  sections: [section("Left", ["A", "B", "C"], 4, 0), section("Right", ["A", "B"], 5, 10)],
});
const ids = (seats) => seats.map((seat) => layout.seatIds[seat]);

test("a rectangle chooses the seats whose centres it covers, dragged either way", () => {
  // Across the first two seats of rows A and B of Left: a rectangle from bottom right to top left.
  const inside = seatsInRect(layout, { minX: 1.4, minY: 1.2, maxX: -0.5, maxY: -0.5 });
  assert.deepEqual(ids(inside), ["Left-A1", "Left-A2", "Left-B1", "Left-B2"]);
  // Edges count; nothing outside the map.
  assert.deepEqual(ids(seatsInRect(layout, { minX: 13, minY: 1, maxX: 14, maxY: 1 })), [
    "Right-B4",
    "Right-B5",
  ]);
  assert.deepEqual(seatsInRect(layout, { minX: 50, minY: 50, maxX: 60, maxY: 60 }), []);
});

test("the keyboard's list has every row of every section with its seats", () => {
  const rows = rowsOf(layout);
  assert.deepEqual(
    rows.map((row) => `${row.section} ${row.row} ${row.seats.length}`),
    ["Left A 4", "Left B 4", "Left C 4", "Right A 5", "Right B 5"],
  );
});

test("whole sections go by id, whole rows by label, the rest seat by seat, in one call", () => {
  // All of Right, row B of Left whole, and two seats of Left's row C.
  const right = seatsInRect(layout, { minX: 9.5, minY: -1, maxX: 20, maxY: 5 });
  const leftB = rowsOf(layout).find((row) => row.section === "Left" && row.row === "B")?.seats ?? [];
  const someOfC = seatsInRect(layout, { minX: 1.5, minY: 1.5, maxX: 3.5, maxY: 2.5 });
  const assignments = assignmentsFor(layout, [...right, ...leftB, ...someOfC], "Gold");
  assert.deepEqual(assignments, [
    { tier: "Gold", sectionId: "Left", row: "B", seatIds: null },
    { tier: "Gold", sectionId: "Left", row: null, seatIds: ["Left-C3", "Left-C4"] },
    { tier: "Gold", sectionId: "Right", row: null, seatIds: null },
  ]);
  assert.deepEqual(assignmentsFor(layout, [], "Gold"), []);
});

test("a stadium-sized map: a rectangle over 52,800 seats is quick, and priced by sections", () => {
  const sections = Array.from({ length: 60 }, (_, index) =>
    section(
      `S${index}`,
      Array.from({ length: 40 }, (_, row) => `R${row}`),
      22,
      index * 30,
    ),
  );
  const stadium = buildSeatLayout({
    eventId: "2",
    stage: { label: "Stage", x: 0, y: -5, width: 10, height: 2 },
    bounds: { minX: 0, minY: -5, maxX: 1800, maxY: 40 },
    sections,
  });
  assert.equal(stadium.seatCount, 52_800);
  const started = performance.now();
  const everything = seatsInRect(stadium, { minX: -1, minY: -1, maxX: 2000, maxY: 100 });
  const elapsed = performance.now() - started;
  assert.equal(everything.length, 52_800);
  assert.ok(elapsed < 200, `${elapsed} ms for one rectangle`);
  const assignments = assignmentsFor(stadium, everything, "Standard");
  assert.equal(assignments.length, 60);
  assert.ok(assignments.every((assignment) => assignment.row === null && assignment.seatIds === null));
});
