"use client";

import { Notice } from "@/components/notice";

/** Last line of defence for errors nothing closer handled: say so and offer a retry. */
export default function ErrorPage({ retry }: { error: unknown; retry: () => void }) {
  return (
    <Notice
      tone="error"
      title="Something went wrong"
      action={
        <button type="button" className="button" onClick={() => retry()}>
          Try again
        </button>
      }
    >
      This page could not be shown. Trying again usually helps; if not, come back in a moment.
    </Notice>
  );
}
