import type { ApolloClient, OperationVariables, TypedDocumentNode } from "@apollo/client";

// After an error or a completion, a subscription starts over this long later.
const RESUBSCRIBE_DELAY_MS = 3_000;

/**
 * Subscribes and stays subscribed: only fatal problems end a subscription (the live connection itself
 * retries forever), so after one it starts over in a while. Returns what stops it.
 */
export function keepSubscribed<TData, TVariables extends OperationVariables>(
  client: ApolloClient,
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  next: (data: TData | undefined) => void,
): () => void {
  let disposed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const subscribe = () =>
    client.subscribe({ query, variables, fetchPolicy: "no-cache" }).subscribe({
      next: ({ data }) => next((data ?? undefined) as TData | undefined),
      error: () => resubscribeLater(),
      complete: () => resubscribeLater(),
    });
  let subscription = subscribe();
  const resubscribeLater = () => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      if (disposed) return;
      subscription.unsubscribe();
      subscription = subscribe();
    }, RESUBSCRIBE_DELAY_MS);
  };
  return () => {
    disposed = true;
    clearTimeout(retryTimer);
    subscription.unsubscribe();
  };
}
