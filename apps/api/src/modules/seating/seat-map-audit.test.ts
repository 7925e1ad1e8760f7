import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger } from "../../infra/logger.js";
import { type AuditedSeating, type AuditFindings, SeatMapAudit } from "./seat-map-audit.js";
import type { SeatMapDeltaMessage, StatusSnapshot, VenueLayout } from "./seating.service.js";

// The audit's bookkeeping with a database whose reads the test releases: the live-seat-map tests cover
// the audit end to end, on Postgres and Redis, but cannot time a delta into the middle of a read.

const EVENT_ID = 1;
const SEAT_IDS = [11, 12, 13];
const layout: VenueLayout = {
  chartId: 1,
  stage: { label: "Stage", x: 0, y: 0, width: 1, height: 1 },
  bounds: { minX: 0, minY: 0, maxX: 1, maxY: 1 },
  sections: [],
  seatCount: SEAT_IDS.length,
  indexBySeatId: new Map(SEAT_IDS.map((seatId, index) => [seatId, index])),
};

/** The event's statuses ("A" available, "H" held), one character per seat; reads wait for `release`. */
class Database implements AuditedSeating {
  version = 0;
  statuses = "AAA";
  private waiting?: () => void;

  reads = 0;

  async readStatuses(): Promise<StatusSnapshot> {
    this.reads++;
    const read = { version: this.version, statuses: this.statuses, areas: [] };
    if (this.waiting === undefined) await new Promise<void>((resolve) => (this.waiting = resolve));
    return read;
  }

  /** Lets the read under way answer (with what the database had when it began), and the next ones at once. */
  release(): void {
    this.waiting?.();
    this.waiting = () => undefined;
  }

  async layoutOf(): Promise<VenueLayout> {
    return layout;
  }

  /** A committed change: told by the returned delta, or untold when nobody publishes it. */
  hold(seatId: number): SeatMapDeltaMessage {
    const index = SEAT_IDS.indexOf(seatId);
    this.statuses = `${this.statuses.slice(0, index)}H${this.statuses.slice(index + 1)}`;
    this.version++;
    return { eventId: EVENT_ID, version: this.version, changes: [{ seatId, status: "HELD" }], areas: [] };
  }
}

class Notifier implements AuditFindings {
  readonly told: number[][] = [];
  seatsChanged(_eventId: number, seatIds: readonly number[]): void {
    this.told.push([...seatIds]);
  }
  areasChanged(): void {}
}

test("a delta that arrives while the map is read is applied to the read: a later untold change is found", async () => {
  const database = new Database();
  const notifier = new Notifier();
  const audit = new SeatMapAudit(database, notifier, createLogger("silent"), 0, () => true);
  audit.observe(database.hold(11)); // the event has live deltas: the audit follows it

  // The first read starts at version 1; a hold is told while it is under way.
  const reading = audit.auditAll();
  audit.observe(database.hold(12));
  database.release();
  await reading;

  // Seat 13 changes as by an instance that died before publishing: two audits in a row see it.
  database.statuses = "HHH";
  await audit.auditAll();
  await audit.auditAll();
  assert.deepEqual(notifier.told, [[13]]);
});

test("an event that no client of this instance watches is not read; once watched, it is audited afresh", async () => {
  const database = new Database();
  database.release();
  const notifier = new Notifier();
  let watched = false;
  const audit = new SeatMapAudit(database, notifier, createLogger("silent"), 0, () => watched);
  audit.observe(database.hold(11));
  await audit.auditAll();
  database.statuses = "HHA"; // seat 12 changes untold while nobody watches
  await audit.auditAll();
  assert.equal(database.reads, 0);

  // A client subscribes: its snapshot comes from the database, seat 12 included, and the audit starts
  // from a read of its own, so only what changes untold from then on is published.
  watched = true;
  await audit.auditAll();
  database.statuses = "HHH";
  await audit.auditAll();
  await audit.auditAll();
  assert.equal(database.reads, 3);
  assert.deepEqual(notifier.told, [[13]]);
});
