import { setImmediate as nextLoopTurn } from "node:timers/promises";
import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  type FormattedExecutionResult,
  getOperationAST,
  Kind,
} from "graphql";
import type { PromiseOrValue } from "graphql/jsutils/PromiseOrValue.js";

/**
 * Sockets written between two turns of the event loop. A socket write costs ~10–15 µs of CPU on a small
 * machine, so one delta to 5,000 subscribers held the loop ~70 ms, two in a row over 100 ms; in turns
 * of this many, every other request waits a few ms at most (docs/seat-map.md, "Fan-out cost").
 */
const SOCKETS_PER_TURN = 500;

/**
 * `@Extensions(SHARED_RESULT)` on a subscription field: its results depend only on the event and the
 * operation (document, variables), never on who subscribed, so one execution can serve everyone.
 */
export const SHARED_RESULT = { sharedResult: true } as const;

export interface SharedSubscribeCounters {
  executed(): void;
  /** How many further subscribers got an execution's result without executing it again. */
  reused(count: number): void;
  unshared(): void;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

/**
 * Maps an async iterable, forwarding `return()` at once: a subscriber who leaves while no event is
 * coming must release the source (its Redis subscription) now, not after the next event.
 */
function mapAsyncIterable<T, U>(
  source: AsyncIterable<T>,
  map: (value: T) => PromiseOrValue<U>,
): AsyncIterableIterator<U> {
  const iterator = source[Symbol.asyncIterator]();
  const done = { value: undefined, done: true } as const;
  return {
    async next() {
      const result = await iterator.next();
      return result.done ? done : { value: await map(result.value), done: false };
    },
    async return() {
      await iterator.return?.();
      return done;
    },
    async throw(error: unknown) {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** True when every root field of the subscription is marked SHARED_RESULT (fragments: not shared). */
function isSharedOperation({ schema, document, operationName }: ExecutionArgs): boolean {
  const operation = getOperationAST(document, operationName);
  const fields = schema.getSubscriptionType()?.getFields();
  if (!operation || !fields) return false;
  return operation.selectionSet.selections.every((selection) => {
    if (selection.kind !== Kind.FIELD) return false;
    const name = selection.name.value;
    return name === "__typename" || fields[name]?.extensions.sharedResult === true;
  });
}

/** Where a subscriber's messages go: its graphql-ws subscription id and its socket. */
export interface Delivery {
  id: string;
  /** Sends one text frame; false when the socket is closed or too far behind to keep. */
  send(message: string): boolean;
}

/** The Delivery a WebSocket transport put on the operation's context (graphql/context.ts), if any. */
function deliveryOf(contextValue: unknown): Delivery | null {
  if (typeof contextValue !== "object" || contextValue === null || !("delivery" in contextValue)) return null;
  return (contextValue as { delivery: Delivery | null }).delivery;
}

interface Member {
  idJson: string;
  delivery: Delivery;
  finish(): void;
}

/**
 * The subscribers of one shared operation on this instance. They share ONE source stream (one
 * pub/sub listener); every event is executed once and serialized once, and each member's socket gets
 * the same payload text inside its own graphql-ws `next` envelope. This bypasses graphql-ws's
 * per-subscriber iteration, execution and JSON framing, which is what limits fan-out to thousands.
 */
class BroadcastGroup {
  private readonly members = new Set<Member>();

  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly run: (payload: unknown) => PromiseOrValue<FormattedExecutionResult>,
    private readonly counters: SharedSubscribeCounters,
    private readonly onEmpty: () => void,
  ) {}

  join(delivery: Delivery): AsyncIterableIterator<ExecutionResult> {
    const done = { value: undefined, done: true } as const;
    let finish = () => {};
    const finished = new Promise<typeof done>((resolve) => {
      finish = () => resolve(done);
    });
    const member: Member = { idJson: JSON.stringify(delivery.id), delivery, finish };
    this.members.add(member);
    const leave = () => {
      this.members.delete(member);
      member.finish();
      if (this.members.size === 0) this.close();
    };
    // graphql-ws waits on next() (it never yields: messages go straight to the socket) and calls
    // return() when the client completes or the socket closes.
    return {
      next: () => finished,
      async return() {
        leave();
        return done;
      },
      async throw(error: unknown) {
        leave();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  async pump(): Promise<void> {
    try {
      for (;;) {
        const next = await this.source.next();
        if (next.done) break;
        if (this.members.size === 0) continue;
        const result = await this.run(next.value);
        this.counters.executed();
        const payload = JSON.stringify(result);
        // The members when the delta came: one who joins during the turns gets the next delta, as
        // before; one who leaves gets nothing more (their subscription is complete).
        const members = [...this.members];
        for (let sent = 0; sent < members.length; sent++) {
          if (sent > 0 && sent % SOCKETS_PER_TURN === 0) await nextLoopTurn();
          const member = members[sent] as Member;
          if (!this.members.has(member)) continue;
          const delivered = member.delivery.send(
            `{"id":${member.idJson},"type":"next","payload":${payload}}`,
          );
          if (!delivered) this.members.delete(member);
        }
        this.counters.reused(Math.max(this.members.size - 1, 0));
      }
    } finally {
      for (const member of this.members) member.finish();
      this.members.clear();
      this.onEmpty();
    }
  }

  private close(): void {
    this.onEmpty();
    void this.source.return?.();
  }
}

/**
 * A graphql-ws `subscribe` for shared subscriptions (fields marked SHARED_RESULT): graphql-js would
 * execute the selection set once per event per subscriber, and graphql-ws serialize it once more, so
 * 5,000 fans watching one stadium would cost 5,000 executions and serializations per delta. Here all
 * subscribers of the same operation on this instance form one BroadcastGroup. Subscriptions that are
 * not shared, or whose context carries no Delivery, run the usual way.
 */
export function createSharedSubscribe(
  counters: SharedSubscribeCounters,
  /** Formats a broadcast result as graphql-ws's onNext formats the others (its errors' codes, masking). */
  formatResult: (result: ExecutionResult) => FormattedExecutionResult = (result) =>
    result as FormattedExecutionResult,
) {
  const documentIds = new WeakMap<DocumentNode, number>();
  let lastDocumentId = 0;
  const groups = new Map<string, Promise<BroadcastGroup | ExecutionResult>>();

  function operationKey({ document, operationName, variableValues }: ExecutionArgs): string {
    let documentId = documentIds.get(document);
    if (documentId === undefined) {
      documentId = ++lastDocumentId;
      documentIds.set(document, documentId);
    }
    return `${documentId}\n${operationName ?? ""}\n${JSON.stringify(variableValues ?? {})}`;
  }

  function openGroup(args: ExecutionArgs, key: string): Promise<BroadcastGroup | ExecutionResult> {
    const opening: Promise<BroadcastGroup | ExecutionResult> = (async () => {
      const stream = await createSourceEventStream(args);
      if (!isAsyncIterable(stream)) return stream;
      const group = new BroadcastGroup(
        stream[Symbol.asyncIterator](),
        async (payload) => formatResult(await execute({ ...args, rootValue: payload })),
        counters,
        () => {
          if (groups.get(key) === opening) groups.delete(key);
        },
      );
      void group.pump();
      return group;
    })();
    groups.set(key, opening);
    return opening;
  }

  return async function subscribe(
    args: ExecutionArgs,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const delivery = deliveryOf(args.contextValue);
    if (!delivery || !isSharedOperation(args)) {
      const stream = await createSourceEventStream(args);
      if (!isAsyncIterable(stream)) return stream;
      return mapAsyncIterable(stream, (payload) => {
        counters.unshared();
        return execute({ ...args, rootValue: payload });
      });
    }
    const key = operationKey(args);
    const group = await (groups.get(key) ?? openGroup(args, key));
    if (!(group instanceof BroadcastGroup)) {
      groups.delete(key);
      return group;
    }
    return group.join(delivery);
  };
}
