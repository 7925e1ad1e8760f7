"use client";

import { useQuery } from "@apollo/client/react";
import { ViewerDocument, type ViewerQuery } from "@/gql/graphql";

export type Viewer = NonNullable<ViewerQuery["me"]>;

export interface ViewerState {
  viewer: Viewer | null;
  /** True until the browser has asked the API (the server cannot: the cookie belongs to the API's host). */
  loading: boolean;
}

export function useViewer(): ViewerState {
  const { data, loading } = useQuery(ViewerDocument, { ssr: false });
  return { viewer: data?.me ?? null, loading: loading && !data };
}
