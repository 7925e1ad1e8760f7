"use client";

import { useApolloClient } from "@apollo/client/react";
import { useEffect, useState } from "react";
import {
  MyWaitlistsDocument,
  type WaitlistEntryFieldsFragment,
  WaitlistOfferReceivedDocument,
} from "@/gql/graphql";
import { useLiveConnection } from "@/lib/apollo/apollo-provider";
import { keepSubscribed } from "@/lib/apollo/keep-subscribed";

/**
 * Listens for the signed-in fan's waitlist offers (waitlistOfferReceived) while mounted: each one refreshes
 * the fan's places (the offered one, and the positions that moved with it).
 * Returns the latest offer received, for an in-app notice.
 */
export function useWaitlistOffers(signedIn: boolean): WaitlistEntryFieldsFragment | null {
  const client = useApolloClient();
  const liveConnection = useLiveConnection();
  const [latest, setLatest] = useState<WaitlistEntryFieldsFragment | null>(null);
  useEffect(() => {
    if (!signedIn || !liveConnection) return;
    return keepSubscribed(client, WaitlistOfferReceivedDocument, {}, (data) => {
      if (!data?.waitlistOfferReceived) return;
      setLatest(data.waitlistOfferReceived);
      void client.refetchQueries({ include: [MyWaitlistsDocument] });
    });
  }, [client, signedIn, liveConnection]);
  return latest;
}
