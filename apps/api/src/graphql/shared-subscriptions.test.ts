import assert from "node:assert/strict";
import { test } from "node:test";
import { GraphQLInt, GraphQLObjectType, GraphQLSchema, parse } from "graphql";
import { createSharedSubscribe, type Delivery, SHARED_RESULT } from "./shared-subscriptions.js";

// A broadcast group with thousands of members, written to through plain Delivery objects (the WebSocket
// transport's last hop), fed by an in-memory event source in place of the pub/sub listener.

const SUBSCRIBERS = 2_000;

/** An event source the test pushes to, as a pub/sub listener would be. */
function eventSource() {
  const queued: number[] = [];
  const waiting: ((result: IteratorResult<number>) => void)[] = [];
  const iterator: AsyncIterator<number> = {
    next: () => {
      const value = queued.shift();
      if (value !== undefined) return Promise.resolve({ value, done: false });
      return new Promise((resolve) => waiting.push(resolve));
    },
    return: async () => {
      for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
      return { value: undefined, done: true };
    },
  };
  return {
    push(value: number) {
      const resolve = waiting.shift();
      if (resolve) resolve({ value, done: false });
      else queued.push(value);
    },
    iterable: { [Symbol.asyncIterator]: () => iterator },
  };
}

/** A group of SUBSCRIBERS members; `onSend` runs at each write, inside the broadcast. */
async function broadcastGroup(onSend: (index: number) => void = () => {}) {
  const source = eventSource();
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: "Query", fields: { ok: { type: GraphQLInt } } }),
    subscription: new GraphQLObjectType({
      name: "Subscription",
      fields: {
        tick: {
          type: GraphQLInt,
          extensions: SHARED_RESULT,
          subscribe: () => source.iterable,
          resolve: (tick: number) => tick,
        },
      },
    }),
  });
  const document = parse("subscription { tick }");
  const subscribe = createSharedSubscribe({ executed() {}, reused() {}, unshared() {} });
  /** Every send in order: a member's index, or "turn" when the event loop got a turn in between. */
  const log: (number | "turn")[] = [];
  const join = async (index: number) => {
    const delivery: Delivery = {
      id: String(index),
      send: () => {
        log.push(index);
        onSend(index);
        return true;
      },
    };
    const iterator = await subscribe({ schema, document, contextValue: { delivery } });
    assert.ok(Symbol.asyncIterator in iterator, "a shared subscription");
    return iterator as AsyncIterableIterator<unknown>;
  };
  const members = [];
  for (let index = 0; index < SUBSCRIBERS; index++) members.push(await join(index));
  return { source, log, members, join };
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 1));
}

test("a delta to thousands of subscribers lets the event loop turn while it is written", async () => {
  let scheduled = false;
  const { source, log } = await broadcastGroup(() => {
    if (scheduled) return;
    scheduled = true;
    // Queued at the first write: it runs at the loop's next turn, whenever the broadcast yields it.
    setImmediate(() => log.push("turn"));
  });
  source.push(1);
  await until(() => log.filter((entry) => entry !== "turn").length === SUBSCRIBERS && log.includes("turn"));
  const turn = log.indexOf("turn");
  assert.ok(turn < SUBSCRIBERS, `the loop turned after ${turn} of ${SUBSCRIBERS} writes`);
});

test("while a delta is written, a subscriber who leaves gets no more of it, one who joins waits for the next", async () => {
  const leaving = SUBSCRIBERS - 1;
  let joined: Promise<AsyncIterableIterator<unknown>> | undefined;
  const group = await broadcastGroup((index) => {
    // At the first write of the first delta, inside the broadcast.
    if (index !== 0 || joined) return;
    void group.members[leaving]?.return?.();
    joined = group.join(SUBSCRIBERS);
  });
  const { source, log } = group;
  source.push(1);
  await until(() => log.includes(SUBSCRIBERS - 2));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(log.length, SUBSCRIBERS - 1, "every member but the one who left");
  assert.ok(!log.includes(leaving) && !log.includes(SUBSCRIBERS));

  log.length = 0;
  source.push(2);
  await until(() => log.length === SUBSCRIBERS);
  assert.ok(log.includes(SUBSCRIBERS), "the member who joined gets the next delta");
  await (await joined)?.return?.();
});
