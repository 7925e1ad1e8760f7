// The live seat map's bookkeeping: a snapshot plus deltas applied strictly in version order.
// TypeScript sources are loaded through tsx (`pnpm test` runs node with `--import tsx`).
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildSeatLayout, SeatStatus } from "../src/seating/seat-layout.ts";
import { SeatStatusSync } from "../src/seating/seat-status-sync.ts";

const { Available, Held, Sold } = SeatStatus;

/** Four seats in one row, ids "1" to "4". */
function fourSeatLayout() {
  return buildSeatLayout({
    eventId: "1",
    stage: { label: "Stage", x: 0, y: -10, width: 40, height: 5 },
    bounds: { minX: 0, minY: -10, maxX: 40, maxY: 10 },
    sections: [
      {
        id: "s1",
        name: "Stalls",
        priceTierId: "t1",
        seats: [1, 2, 3, 4].map((number) => ({ id: String(number), row: "A", number, x: number * 10, y: 0 })),
      },
    ],
  });
}

const delta = (version, changes) => ({
  version,
  changes: Object.entries(changes).map(([seatId, status]) => ({ seatId, status })),
});

function syncedAt(version, statuses = "AAAA") {
  const sync = new SeatStatusSync();
  sync.setLayout(fourSeatLayout());
  sync.receiveSnapshot(version, statuses);
  return sync;
}

test("applies deltas one version at a time, each to a new array", () => {
  const sync = syncedAt(5);
  const before = sync.current.statuses;
  assert.equal(sync.receiveDelta(delta(6, { 1: "HELD", 2: "HELD" })), true);
  assert.equal(sync.receiveDelta(delta(7, { 2: "SOLD" })), true);
  assert.deepEqual([...sync.current.statuses], [Held, Sold, Available, Available]);
  assert.equal(sync.current.version, 7);
  assert.deepEqual([...before], [Available, Available, Available, Available], "the old array is untouched");
  assert.equal(sync.hasGap, false);
});

test("skips deltas the snapshot already contains", () => {
  const sync = syncedAt(5, "HAAA");
  assert.equal(sync.receiveDelta(delta(5, { 1: "AVAILABLE" })), false);
  assert.equal(sync.receiveDelta(delta(3, { 2: "HELD" })), false);
  assert.deepEqual([...sync.current.statuses], [Held, Available, Available, Available]);
});

test("a missing version is a gap that only a newer snapshot fills; waiting deltas then apply", () => {
  const sync = syncedAt(5);
  assert.equal(sync.receiveDelta(delta(7, { 3: "HELD" })), false);
  assert.equal(sync.hasGap, true);
  // The API may answer from a cache up to a second old: a snapshot no newer than ours changes nothing.
  assert.equal(sync.receiveSnapshot(5, "AAAA"), false);
  assert.equal(sync.hasGap, true);
  assert.equal(sync.receiveSnapshot(6, "HAAA"), true);
  assert.equal(sync.hasGap, false);
  assert.equal(sync.current.version, 7);
  assert.deepEqual([...sync.current.statuses], [Held, Available, Held, Available]);
});

test("out-of-order deltas wait for the one before them", () => {
  const sync = syncedAt(1);
  sync.receiveDelta(delta(3, { 2: "SOLD" }));
  assert.equal(sync.current.version, 1);
  sync.receiveDelta(delta(2, { 2: "HELD", 4: "HELD" }));
  assert.equal(sync.current.version, 3);
  assert.deepEqual([...sync.current.statuses], [Available, Sold, Available, Held]);
});

test("deltas and a snapshot that arrive before the layout wait for it", () => {
  const sync = new SeatStatusSync();
  assert.equal(sync.receiveDelta(delta(10, { 4: "HELD" })), false);
  assert.equal(sync.receiveSnapshot(9, "AAAS"), false);
  assert.equal(sync.current, null);
  assert.equal(sync.hasGap, false, "no gap before there is anything to compare with");
  assert.equal(sync.setLayout(fourSeatLayout()), true);
  assert.equal(sync.current.version, 10);
  assert.deepEqual([...sync.current.statuses], [Available, Available, Available, Held]);
});

test("a snapshot that does not fit the layout is refused", () => {
  const sync = new SeatStatusSync();
  sync.setLayout(fourSeatLayout());
  assert.throws(() => sync.receiveSnapshot(1, "AAA"), /3 seats but the layout has 4/);
});

test("standing areas: the snapshot's places left, then each delta's counts in version order", () => {
  const sync = new SeatStatusSync();
  sync.setLayout(fourSeatLayout());
  const pit = { id: "9", name: "Pit", capacity: 100, available: 100, outline: null };
  const floor = { id: "10", name: "Floor", capacity: 50, available: 50, outline: null };
  sync.receiveSnapshot(3, "AAAA", [pit, floor]);
  sync.receiveDelta({ version: 5, changes: [], areas: [{ areaId: "9", available: 90 }] });
  assert.equal(sync.current?.areas[0]?.available, 100, "version 5 waits for 4");
  sync.receiveDelta({
    ...delta(4, { 1: "HELD" }),
    areas: [
      { areaId: "9", available: 96 },
      { areaId: "10", available: 48 },
    ],
  });
  assert.deepEqual(
    sync.current?.areas.map((area) => area.available),
    [90, 48],
  );
  assert.equal(sync.current?.version, 5);
});
