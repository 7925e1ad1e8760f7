"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect } from "react";
import { loginHref } from "./return-path";
import { useViewer, type ViewerState } from "./use-viewer";

/** For pages that only make sense signed in: a signed-out visitor goes to log in and comes back here. */
export function useSignedInViewer(): ViewerState {
  const state = useViewer();
  const router = useRouter();
  const pathname = usePathname();
  const signedOut = !state.loading && state.viewer === null;
  useEffect(() => {
    if (signedOut) router.replace(loginHref(pathname));
  }, [signedOut, router, pathname]);
  return state;
}
