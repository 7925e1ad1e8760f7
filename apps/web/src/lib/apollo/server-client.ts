import { ApolloClient, InMemoryCache, registerApolloClient } from "@apollo/client-integration-nextjs";
import { serverApiUrl } from "@/lib/api-url";
import { persistedHttpLink } from "./persisted-queries";

// A slow API must not hang page rendering forever: the error page is better than a spinner that never ends.
const SERVER_REQUEST_TIMEOUT_MS = 10_000;

function fetchWithTimeout(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const timeout = AbortSignal.timeout(SERVER_REQUEST_TIMEOUT_MS);
  const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  return fetch(input, { ...init, signal, cache: "no-store" });
}

/** One Apollo Client per request for Server Components. */
export const { query } = registerApolloClient(
  () =>
    new ApolloClient({
      cache: new InMemoryCache(),
      link: persistedHttpLink({ uri: serverApiUrl(), fetch: fetchWithTimeout }),
    }),
);
