// Moving between seats with the arrow keys (src/seating/seat-navigation.ts): pure, tested without a browser.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildSeatLayout } from "../src/seating/seat-layout.ts";
import { buildSeatRows, nextSeat } from "../src/seating/seat-navigation.ts";

/** Seats "row-number" laid out from (x0, y0), one unit apart; rows go down the page. */
function section(id, rowNames, seatsPerRow, x0, y0, { vertical = false } = {}) {
  const seats = [];
  rowNames.forEach((row, rowIndex) => {
    // Numbered right to left, as some venues do: navigation follows the screen, not the numbers.
    for (let number = seatsPerRow; number >= 1; number--) {
      const along = seatsPerRow - number;
      const x = vertical ? x0 + rowIndex : x0 + along;
      const y = vertical ? y0 + along : y0 + rowIndex;
      seats.push({ id: `${id}-${row}${number}`, row, number, x, y });
    }
  });
  return { id, name: id, priceTierId: "t", seats };
}

const joined = (first, second) => ({ ...first, seats: [...first.seats, ...second.seats] });

const layout = buildSeatLayout({
  eventId: "1",
  stage: { label: "Stage", x: 0, y: -5, width: 10, height: 2 },
  bounds: { minX: 0, minY: -5, maxX: 30, maxY: 10 },
  sections: [
    section("Left", ["A", "B"], 4, 0, 0),
    // A shorter row, offset by half a seat: down from the middle lands on the nearest seat.
    joined(section("Centre", ["A"], 3, 10, 0), section("Centre", ["B"], 2, 10.6, 1)),
    section("Side", ["A", "B"], 3, 20, 0, { vertical: true }),
  ],
});
const rows = buildSeatRows(layout);
const at = (id) => layout.seatIndexById.get(id);
const go = (id, ...directions) =>
  layout.seatIds[directions.reduce((seat, direction) => nextSeat(layout, rows, seat, direction), at(id))];

test("left and right move along the row in screen order, whatever the numbering", () => {
  assert.equal(go("Left-A4", "right"), "Left-A3");
  assert.equal(go("Left-A3", "left"), "Left-A4");
  assert.equal(go("Left-A4", "right", "right", "right"), "Left-A1");
});

test("up and down move to the nearest seat of the next row", () => {
  assert.equal(go("Left-A2", "down"), "Left-B2");
  assert.equal(go("Left-B2", "up"), "Left-A2");
  assert.equal(go("Centre-A2", "down"), "Centre-B2");
  assert.equal(go("Centre-A1", "down"), "Centre-B1");
});

test("past the end of a row or section, the nearest seat that way in the next section", () => {
  assert.equal(go("Left-A1", "right"), "Centre-A3");
  assert.equal(go("Centre-A3", "left"), "Left-A1");
  assert.equal(go("Centre-A1", "right"), "Side-A3");
});

test("nothing further that way keeps the seat", () => {
  assert.equal(go("Left-A4", "left"), "Left-A4");
  assert.equal(go("Left-A4", "up"), "Left-A4");
  assert.equal(go("Left-B1", "down"), "Left-B1");
});

test("a section whose rows run down the page: up and down go along the row, left and right across", () => {
  assert.equal(go("Side-A3", "down"), "Side-A2");
  assert.equal(go("Side-A3", "right"), "Side-B3");
  assert.equal(go("Side-B3", "left"), "Side-A3");
  assert.equal(go("Side-A1", "down"), "Side-A1");
});
