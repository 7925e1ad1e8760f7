"use client";

import { useApolloClient } from "@apollo/client/react";
import { useEffect, useState } from "react";
import {
  MyWaitlistsDocument,
  type WaitlistEntryFieldsFragment,
  WaitlistOfferReceivedDocument,
} from "@/gql/graphql";
import { useLiveConnection } from "@/lib/apollo/apollo-provider";

const RESUBSCRIBE_DELAY_MS = 3_000;

/**
 * Listens for the signed-in fan's waitlist offers (waitlistOfferReceived) while mounted: each one updates
 * the cached place (the cache keys it by id) and refreshes the list, whose positions moved with it.
 * Returns the latest offer received, for an in-app notice.
 */
export function useWaitlistOffers(signedIn: boolean): WaitlistEntryFieldsFragment | null {
  const client = useApolloClient();
  const liveConnection = useLiveConnection();
  const [latest, setLatest] = useState<WaitlistEntryFieldsFragment | null>(null);
  useEffect(() => {
    if (!signedIn || !liveConnection) return;
    let disposed = false;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    const subscribe = () =>
      client.subscribe({ query: WaitlistOfferReceivedDocument }).subscribe({
        next: ({ data }) => {
          if (!data?.waitlistOfferReceived) return;
          setLatest(data.waitlistOfferReceived);
          void client.refetchQueries({ include: [MyWaitlistsDocument] });
        },
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
  }, [client, signedIn, liveConnection]);
  return latest;
}
