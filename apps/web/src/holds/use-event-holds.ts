"use client";

import { useApolloClient, useQuery } from "@apollo/client/react";
import { useCallback, useMemo } from "react";
import { type HoldFieldsFragment, MyHoldsDocument } from "@/gql/graphql";

/**
 * The signed-in fan's live holds on one event. They live in the Apollo cache (`me.holds`), so every view
 * of them agrees; a new hold is added there and a released or expired one taken out.
 */
export function useEventHolds(eventId: string, signedIn: boolean) {
  const client = useApolloClient();
  const { data } = useQuery(MyHoldsDocument, {
    skip: !signedIn,
    ssr: false,
    fetchPolicy: "cache-and-network",
  });
  const holds = useMemo(
    () => (signedIn ? (data?.me?.holds ?? []) : []).filter((hold) => hold.eventId === eventId),
    [signedIn, data, eventId],
  );

  const rememberHold = useCallback(
    (hold: HoldFieldsFragment) => {
      const updated = client.cache.updateQuery({ query: MyHoldsDocument }, (cached) =>
        cached?.me
          ? {
              me: { ...cached.me, holds: [...cached.me.holds.filter((known) => known.id !== hold.id), hold] },
            }
          : cached,
      );
      // The fan's holds had not arrived yet: ask for them, this one included.
      if (!updated?.me) void client.refetchQueries({ include: [MyHoldsDocument] });
    },
    [client],
  );

  const forgetHold = useCallback(
    (holdId: string) => {
      client.cache.updateQuery({ query: MyHoldsDocument }, (cached) =>
        cached?.me
          ? { me: { ...cached.me, holds: cached.me.holds.filter((hold) => hold.id !== holdId) } }
          : cached,
      );
    },
    [client],
  );

  return { holds, rememberHold, forgetHold };
}
