"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { loginHref } from "@/auth/return-path";
import { useViewer, type Viewer } from "@/auth/use-viewer";
import { Notice } from "@/components/notice";

export function isOrganizer(viewer: Viewer | null): boolean {
  return viewer?.role === "ORGANIZER" || viewer?.role === "ADMIN";
}

/** Organizer pages for organizers and admins; everyone else is told why not and where to go. */
export function OrganizerOnly({ children }: { children: ReactNode }) {
  const { viewer, loading } = useViewer();
  const pathname = usePathname();
  if (loading) return <p aria-busy="true">Checking your account…</p>;
  if (!viewer) {
    return (
      <Notice
        title="Organizers only"
        action={
          <Link className="button" href={loginHref(pathname)}>
            Log in
          </Link>
        }
      >
        Log in with an organizer account to manage your events' waiting rooms.
      </Notice>
    );
  }
  if (!isOrganizer(viewer)) {
    return (
      <Notice
        title="Organizers only"
        action={
          <Link className="button button-secondary" href="/">
            All events
          </Link>
        }
      >
        {viewer.email} is a fan account. Event organizers manage their on-sales here.
      </Notice>
    );
  }
  return children;
}

/** The header's "Organizer" link, for the accounts that can use it. */
export function OrganizerNavLink({ className }: { className?: string }) {
  const { viewer } = useViewer();
  if (!isOrganizer(viewer)) return null;
  return (
    <li className={className}>
      <Link href="/organizer">Organizer</Link>
    </li>
  );
}
