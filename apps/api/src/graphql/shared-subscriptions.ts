import {
  createSourceEventStream,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  getOperationAST,
  Kind,
} from "graphql";
import type { PromiseOrValue } from "graphql/jsutils/PromiseOrValue.js";

/**
 * `@Extensions(SHARED_RESULT)` on a subscription field: its results depend only on the event and the
 * operation (document, variables), never on who subscribed, so one execution can serve everyone.
 */
export const SHARED_RESULT = { sharedResult: true } as const;

export interface SharedSubscribeCounters {
  executed(): void;
  reused(): void;
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

/**
 * A graphql-ws `subscribe` that executes a shared subscription once per event payload for all the
 * subscribers of the same operation: graphql-js executes the selection set once per event per
 * subscriber, so 5,000 fans watching one stadium would cost 5,000 executions per delta.
 *
 * The pub/sub layer hands one payload object to every local subscriber of a topic, so results are
 * memoized per payload object (weakly: they go when the event does) and per operation.
 */
export function createSharedSubscribe(counters: SharedSubscribeCounters) {
  const documentIds = new WeakMap<DocumentNode, number>();
  let lastDocumentId = 0;
  const resultsByPayload = new WeakMap<object, Map<string, PromiseOrValue<ExecutionResult>>>();

  function operationKey({ document, operationName, variableValues }: ExecutionArgs): string {
    let documentId = documentIds.get(document);
    if (documentId === undefined) {
      documentId = ++lastDocumentId;
      documentIds.set(document, documentId);
    }
    return `${documentId}\n${operationName ?? ""}\n${JSON.stringify(variableValues ?? {})}`;
  }

  return async function subscribe(
    args: ExecutionArgs,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream;
    const executeFor = (payload: unknown) => execute({ ...args, rootValue: payload });
    if (!isSharedOperation(args)) {
      return mapAsyncIterable(stream, (payload) => {
        counters.unshared();
        return executeFor(payload);
      });
    }
    const key = operationKey(args);
    return mapAsyncIterable(stream, (payload) => {
      if (typeof payload !== "object" || payload === null) return executeFor(payload);
      let results = resultsByPayload.get(payload);
      if (!results) {
        results = new Map();
        resultsByPayload.set(payload, results);
      }
      const known = results.get(key);
      if (known) {
        counters.reused();
        return known;
      }
      const result = executeFor(payload);
      results.set(key, result);
      counters.executed();
      return result;
    });
  };
}
