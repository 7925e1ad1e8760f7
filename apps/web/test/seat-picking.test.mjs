// The event page's seat-picking state (src/holds/seat-picking.ts): a pure reducer, tested without a browser.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  initialSeatPicking,
  restorablePicks,
  seatPickingReducer,
  settlePicks,
  ticketCount,
} from "../src/holds/seat-picking.ts";
import { buildSeatLayout, seatLabelAt } from "../src/seating/seat-layout.ts";

const seat = (number, availability = "available") => ({
  id: `s${number}`,
  label: `Stalls · Row A · Seat ${number}`,
  availability,
});
const noHolds = { perAccount: 4, held: 0 };

/** Runs the actions in order from the initial state. */
function after(...actions) {
  return actions.reduce(seatPickingReducer, initialSeatPicking);
}
const choose = (place, limit = noHolds) => ({ type: "choose", place, limit });
const pickedIds = (state) => [...state.picked.keys()];

describe("choosing a place", () => {
  test("picks a free seat, in the order chosen, and clears the message", () => {
    const state = after(choose(seat(1, "held")), choose(seat(3)), choose(seat(2)));
    assert.deepEqual(pickedIds(state), ["s3", "s2"]);
    assert.equal(ticketCount(state.picked), 2);
    assert.equal(state.notice, null);
  });

  test("choosing a picked seat again unpicks it", () => {
    const state = after(choose(seat(1)), choose(seat(2)), choose(seat(1)));
    assert.deepEqual(pickedIds(state), ["s2"]);
  });

  test("says why a seat can't be picked", () => {
    const reasons = {
      held: "Stalls · Row A · Seat 1 is held by another fan right now. It may come back if they release it.",
      sold: "Stalls · Row A · Seat 1 is sold.",
      notForSale: "Stalls · Row A · Seat 1 is not for sale.",
    };
    for (const [availability, message] of Object.entries(reasons)) {
      const state = after(choose(seat(1, availability)));
      assert.deepEqual(state.notice, { tone: "info", title: "That seat can't be picked", message });
      assert.equal(state.picked.size, 0);
    }
    assert.deepEqual(after(choose(seat(1, "yours"))).notice, {
      tone: "info",
      title: "Already yours",
      message: "Stalls · Row A · Seat 1 is in your hold.",
    });
  });

  test("stops at the per-account limit, counting the seats the fan already holds", () => {
    const fresh = { perAccount: 2, held: 0 };
    const full = after(choose(seat(1), fresh), choose(seat(2), fresh), choose(seat(3), fresh));
    assert.deepEqual(pickedIds(full), ["s1", "s2"]);
    assert.deepEqual(full.notice, {
      tone: "error",
      title: "That's the limit",
      message: "Each fan can pick up to 2 seats for this event.",
    });

    const holdingOne = { perAccount: 2, held: 1 };
    const state = after(choose(seat(1), holdingOne), choose(seat(2), holdingOne));
    assert.deepEqual(pickedIds(state), ["s1"]);
    assert.equal(
      state.notice?.message,
      "Each fan can have 2 tickets for this event, and you already hold 1.",
    );
  });

  test("counts tickets, not places, against the limit", () => {
    // A place sold by quantity (a standing area) carries its count; seats count one each.
    const state = { ...initialSeatPicking, picked: new Map([["area", 3]]) };
    assert.equal(ticketCount(state.picked), 3);
    assert.equal(
      seatPickingReducer(state, choose(seat(1), { perAccount: 3, held: 0 })).notice?.title,
      "That's the limit",
    );
    assert.deepEqual(pickedIds(seatPickingReducer(state, choose(seat(1), { perAccount: 5, held: 0 }))), [
      "area",
      "s1",
    ]);
  });

  test("unpick and clear", () => {
    const picked = after(choose(seat(1)), choose(seat(2)), choose(seat(3)));
    assert.deepEqual(pickedIds(seatPickingReducer(picked, { type: "unpick", placeIds: ["s2"] })), [
      "s1",
      "s3",
    ]);
    assert.equal(seatPickingReducer(picked, { type: "clear" }).picked.size, 0);
    assert.equal(seatPickingReducer(picked, { type: "unpick", placeIds: ["s9"] }), picked, "nothing to do");
  });
});

describe("seats restored after logging in", () => {
  test("keeps only free ones and at most the per-account limit", () => {
    const free = new Set(["s1", "s2", "s3", "s4"]);
    const placeIds = restorablePicks(["s1", 7, "gone", "s2", "s3", "s4"], (id) => free.has(id));
    assert.deepEqual(placeIds, ["s1", "s2", "s3", "s4"]);
    const state = after({ type: "restore", placeIds, perAccount: 3 });
    assert.deepEqual(pickedIds(state), ["s1", "s2", "s3"]);
  });

  test("ignores whatever else storage holds", () => {
    assert.deepEqual(
      restorablePicks({ s1: true }, () => true),
      [],
    );
    assert.deepEqual(
      restorablePicks(null, () => true),
      [],
    );
    assert.equal(after({ type: "restore", placeIds: [], perAccount: 3 }), initialSeatPicking);
  });
});

describe("when the map changes under the picks", () => {
  const picked = after(choose(seat(1)), choose(seat(2)), choose(seat(3)));

  test("sorts picks into the fan's own, the taken and the still free", () => {
    const yours = new Set(["s1"]);
    const free = new Set(["s3"]);
    assert.deepEqual(
      settlePicks(
        picked.picked,
        (id) => yours.has(id),
        (id) => free.has(id),
      ),
      { nowYours: ["s1"], taken: ["s2"] },
    );
  });

  test("seats now in the fan's hold leave quietly; taken ones are ringed and explained", () => {
    const state = seatPickingReducer(picked, {
      type: "picksOvertaken",
      nowYours: ["s1"],
      taken: [{ id: "s2", label: "Stalls · Row A · Seat 2" }],
    });
    assert.deepEqual(pickedIds(state), ["s3"]);
    assert.deepEqual([...state.flagged], ["s2"]);
    assert.deepEqual(state.notice, {
      tone: "error",
      title: "A seat you picked was just taken",
      message: "Stalls · Row A · Seat 2 is no longer available (ringed in red). Pick another?",
    });

    const quiet = seatPickingReducer(picked, { type: "picksOvertaken", nowYours: ["s1"], taken: [] });
    assert.deepEqual(pickedIds(quiet), ["s2", "s3"]);
    assert.equal(quiet.notice, null);
    assert.equal(quiet.flagged.size, 0);
  });

  test("names every taken seat", () => {
    const taken = [seat(1), seat(2)].map(({ id, label }) => ({ id, label }));
    const state = seatPickingReducer(picked, { type: "picksOvertaken", nowYours: [], taken });
    assert.equal(state.notice?.title, "Seats you picked were just taken");
    assert.equal(
      state.notice?.message,
      "Stalls · Row A · Seat 1 and Stalls · Row A · Seat 2 are no longer available (ringed in red). Pick another?",
    );
  });

  test("waits while a hold request is out: its answer decides", () => {
    const holding = seatPickingReducer(picked, { type: "holdRequested", request: "hold" });
    const overtaken = { type: "picksOvertaken", nowYours: ["s1"], taken: [{ id: "s2", label: "x" }] };
    assert.equal(seatPickingReducer(holding, overtaken), holding);
  });

  test("flags clear when their time is up", () => {
    const flagged = seatPickingReducer(picked, {
      type: "picksOvertaken",
      nowYours: [],
      taken: [{ id: "s2", label: "x" }],
    });
    assert.equal(seatPickingReducer(flagged, { type: "flagsExpired" }).flagged.size, 0);
  });
});

describe("holding", () => {
  const picked = after(choose(seat(1)), choose(seat(2)));

  test("a request clears the message and the flags, and says which one is out", () => {
    const flagged = seatPickingReducer(picked, { type: "picksOvertaken", nowYours: [], taken: [seat(2)] });
    const state = seatPickingReducer(flagged, { type: "holdRequested", request: "best" });
    assert.equal(state.pending, "best");
    assert.equal(state.notice, null);
    assert.equal(state.flagged.size, 0);
  });

  test("holding the picked seats empties the selection; best available keeps it", () => {
    const held = (request, ticketCount) =>
      after(
        choose(seat(1)),
        choose(seat(2)),
        { type: "holdRequested", request },
        {
          type: "held",
          request,
          ticketCount,
          holdSeconds: 600,
        },
      );
    const mine = held("hold", 2);
    assert.equal(mine.pending, null);
    assert.equal(mine.picked.size, 0);
    assert.deepEqual(mine.notice, {
      tone: "success",
      title: "Your 2 seats are held",
      message: "No one else can take them for the next 10 minutes.",
    });
    const best = held("best", 1);
    assert.deepEqual(pickedIds(best), ["s1", "s2"]);
    assert.equal(best.notice?.title, "Your seat is held");
    assert.equal(best.notice?.message, "No one else can take it for the next 10 minutes.");
  });

  test("seats someone else got first leave the selection, ringed", () => {
    const problem = { kind: "seatsTaken", seatIds: ["s2"], title: "Someone else was faster", message: "…" };
    const state = after(
      choose(seat(1)),
      choose(seat(2)),
      { type: "holdRequested", request: "hold" },
      {
        type: "holdFailed",
        problem,
      },
    );
    assert.equal(state.pending, null);
    assert.deepEqual(pickedIds(state), ["s1"]);
    assert.deepEqual([...state.flagged], ["s2"]);
    assert.deepEqual(state.notice, { tone: "error", title: "Someone else was faster", message: "…" });

    const noBlock = { kind: "seatsTaken", seatIds: [], title: "Not enough seats free", message: "…" };
    const best = seatPickingReducer(picked, { type: "holdFailed", problem: noBlock });
    assert.deepEqual(pickedIds(best), ["s1", "s2"]);
    assert.equal(best.notice?.title, "Not enough seats free");
  });

  test("a request that needs a login leaves the picks and no message (the page goes to log in)", () => {
    const holding = seatPickingReducer(picked, { type: "holdRequested", request: "hold" });
    const state = seatPickingReducer(holding, { type: "holdFailed", problem: { kind: "signIn" } });
    assert.equal(state.pending, null);
    assert.deepEqual(pickedIds(state), ["s1", "s2"]);
    assert.equal(state.notice, null);
  });
});

describe("releasing and expiry", () => {
  test("release: in progress, then done or refused", () => {
    const releasing = after(
      { type: "holdExpired", ticketCount: 1 },
      { type: "releaseRequested", holdId: "h1" },
    );
    assert.equal(releasing.releasingHoldId, "h1");
    assert.equal(releasing.notice, null);
    assert.deepEqual(seatPickingReducer(releasing, { type: "released" }), {
      ...releasing,
      releasingHoldId: null,
      notice: { tone: "info", title: "Seats released", message: "They are back on the map for other fans." },
    });
    const problem = {
      kind: "message",
      title: "Too many requests",
      message: "Please wait 3 s and try again.",
    };
    const refused = seatPickingReducer(releasing, { type: "releaseFailed", problem });
    assert.equal(refused.releasingHoldId, null);
    assert.equal(refused.notice?.title, "Too many requests");
  });

  test("a hold that ran out says what was released", () => {
    assert.equal(
      after({ type: "holdExpired", ticketCount: 1 }).notice?.message,
      "The seat was released for other fans. Pick again if you still want it.",
    );
    assert.equal(
      after({ type: "holdExpired", ticketCount: 3 }).notice?.message,
      "The 3 seats were released for other fans. Pick again if you still want them.",
    );
  });
});

test("a seat's label names its section, row and number", () => {
  const layout = buildSeatLayout({
    eventId: "1",
    stage: { label: "Stage", x: 0, y: -10, width: 40, height: 5 },
    bounds: { minX: 0, minY: -10, maxX: 40, maxY: 10 },
    sections: [
      {
        id: "a",
        name: "Balcony Left",
        priceTierId: "t1",
        seats: [{ id: "1", row: "B", number: 7, x: 0, y: 0 }],
      },
      { id: "b", name: "101", priceTierId: "t1", seats: [{ id: "2", row: "C", number: 5, x: 10, y: 0 }] },
    ],
  });
  assert.equal(seatLabelAt(layout, 0), "Balcony Left · Row B · Seat 7");
  assert.equal(seatLabelAt(layout, 1), "Section 101 · Row C · Seat 5");
});
