"use client";

import { HttpLink } from "@apollo/client";
import { ApolloClient, ApolloNextAppProvider, InMemoryCache } from "@apollo/client-integration-nextjs";
import { type ReactNode, useCallback } from "react";

/** Apollo Client for Client Components; the API URL comes from the server at request time. */
export function ApolloProvider({ apiUrl, children }: { apiUrl: string; children: ReactNode }) {
  const makeClient = useCallback(
    () =>
      new ApolloClient({
        cache: new InMemoryCache(),
        // The session cookie (sign-in comes later) must travel with cross-origin API calls.
        link: new HttpLink({ uri: apiUrl, credentials: "include" }),
      }),
    [apiUrl],
  );
  return <ApolloNextAppProvider makeClient={makeClient}>{children}</ApolloNextAppProvider>;
}
