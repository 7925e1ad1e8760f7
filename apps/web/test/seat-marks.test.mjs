// Seat statuses differ by shape and meet WCAG 2.2 AA non-text contrast (3:1) against the map's background.
import assert from "node:assert/strict";
import { test } from "node:test";
import { tierColour } from "../src/lib/tier-colours.ts";
import { contrastRatio, MAP_BACKGROUND, STATUS_STYLES } from "../src/seating/seat-marks.ts";

test("the contrast ratio matches WCAG's reference values", () => {
  assert.equal(contrastRatio("#000000", "#ffffff"), 21);
  assert.equal(contrastRatio("#777777", "#777777"), 1);
  assert.ok(Math.abs(contrastRatio("#767676", "#ffffff") - 4.54) < 0.01);
});

test("every status colour and every tier colour has at least 3:1 against the map's background", () => {
  const colours = [
    ...Object.entries(STATUS_STYLES).map(([name, style]) => [name, style.colour]),
    ...Array.from({ length: 8 }, (_, index) => [`tier ${index}`, tierColour(index)]),
  ];
  for (const [name, colour] of colours) {
    const ratio = contrastRatio(colour, MAP_BACKGROUND);
    assert.ok(ratio >= 3, `${name} (${colour}) has only ${ratio.toFixed(2)}:1`);
  }
});

test("held, sold and not for sale each have their own shape, none of them the available seats' disc", () => {
  const marks = [STATUS_STYLES.held.mark, STATUS_STYLES.sold.mark, STATUS_STYLES.notForSale.mark];
  assert.equal(new Set(marks).size, 3);
  assert.ok(!marks.includes("fill"));
});
