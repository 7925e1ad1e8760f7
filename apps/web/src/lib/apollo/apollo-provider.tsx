"use client";

import { ApolloLink } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { relayStylePagination } from "@apollo/client/utilities";
import { ApolloClient, ApolloNextAppProvider, InMemoryCache } from "@apollo/client-integration-nextjs";
import { OperationTypeNode } from "graphql";
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useState,
  useSyncExternalStore,
} from "react";
import { createLiveConnection, type LiveConnection, type LiveConnectionState } from "./live-connection";
import { persistedHttpLink } from "./persisted-queries";

const LiveConnectionContext = createContext<LiveConnection | null>(null);

/** The browser's WebSocket to the API, or null while rendering on the server (which never subscribes). */
export function useLiveConnection(): LiveConnection | null {
  return useContext(LiveConnectionContext);
}

const IDLE: LiveConnectionState = { status: "idle", generation: 0 };

/** The live connection's state, re-rendering as it connects, drops and comes back (idle without one). */
export function useLiveConnectionState(connection: LiveConnection | null): LiveConnectionState {
  const subscribe = useCallback(
    (listener: () => void) => connection?.subscribe(listener) ?? (() => undefined),
    [connection],
  );
  return useSyncExternalStore(
    subscribe,
    () => connection?.getState() ?? IDLE,
    () => IDLE,
  );
}

// Apollo keeps one client per tab (a window singleton) however often the provider below mounts, so the
// WebSocket its link uses is one per tab too: a remounted provider must expose that same connection's
// state, not a new one that never connects.
let tabLiveConnection: LiveConnection | null = null;

function liveConnectionOfTab(apiUrl: string): LiveConnection {
  if (!tabLiveConnection) tabLiveConnection = createLiveConnection(apiUrl);
  return tabLiveConnection;
}

/** Apollo Client for Client Components; the API URL comes from the server at request time. */
export function ApolloProvider({ apiUrl, children }: { apiUrl: string; children: ReactNode }) {
  const [liveConnection] = useState(() =>
    typeof window === "undefined" ? null : liveConnectionOfTab(apiUrl),
  );
  const makeClient = useCallback(() => {
    // The session cookie must travel with cross-origin API calls; operations go by their hashes.
    const httpLink = persistedHttpLink({ uri: apiUrl, credentials: "include" });
    return new ApolloClient({
      cache: new InMemoryCache({
        typePolicies: {
          // A fan's holds always arrive as the whole current list: the new one replaces the old.
          User: { fields: { holds: { merge: false } } },
          // "Load more" appends the next page to the cached connection; a list per filter or event.
          Query: {
            fields: {
              myOrders: relayStylePagination(),
              myEvents: relayStylePagination(["status"]),
              auditLog: relayStylePagination(["eventId"]),
            },
          },
        },
      }),
      // Subscriptions go over the WebSocket, everything else over HTTP.
      link: liveConnection
        ? ApolloLink.split(
            ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
            new GraphQLWsLink(liveConnection.client),
            httpLink,
          )
        : httpLink,
    });
  }, [apiUrl, liveConnection]);
  return (
    <LiveConnectionContext value={liveConnection}>
      <ApolloNextAppProvider makeClient={makeClient}>{children}</ApolloNextAppProvider>
    </LiveConnectionContext>
  );
}
