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

export function isAdmin(viewer: Viewer | null): boolean {
  return viewer?.role === "ADMIN";
}

interface RoleGate {
  allows: (viewer: Viewer) => boolean;
  title: string;
  /** What an anonymous visitor reads above "Log in". */
  logIn: string;
  /** What a signed-in account without the role reads. */
  refused: (viewer: Viewer) => ReactNode;
}

const ORGANIZER_GATE: RoleGate = {
  allows: isOrganizer,
  title: "Organizers only",
  logIn: "Log in with an organizer account to manage your events' waiting rooms.",
  refused: (viewer) => `${viewer.email} is a fan account. Event organizers manage their on-sales here.`,
};

const ADMIN_GATE: RoleGate = {
  allows: isAdmin,
  title: "Admins only",
  logIn: "Log in with an admin account to change what accounts may do.",
  refused: (viewer) =>
    `${viewer.email} is ${viewer.role === "ORGANIZER" ? "an organizer" : "a fan"} account. Only admins give accounts their roles.`,
};

/** A page's content for the accounts `gate` allows; everyone else is told why not and where to go. */
function RoleOnly({ gate, children }: { gate: RoleGate; children: ReactNode }) {
  const { viewer, loading } = useViewer();
  const pathname = usePathname();
  if (loading) return <p aria-busy="true">Checking your account…</p>;
  if (!viewer) {
    return (
      <Notice
        title={gate.title}
        action={
          <Link className="button" href={loginHref(pathname)}>
            Log in
          </Link>
        }
      >
        {gate.logIn}
      </Notice>
    );
  }
  if (!gate.allows(viewer)) {
    return (
      <Notice
        title={gate.title}
        action={
          <Link className="button button-secondary" href="/">
            All events
          </Link>
        }
      >
        {gate.refused(viewer)}
      </Notice>
    );
  }
  return children;
}

/** Organizer pages for organizers and admins. */
export function OrganizerOnly({ children }: { children: ReactNode }) {
  return <RoleOnly gate={ORGANIZER_GATE}>{children}</RoleOnly>;
}

/** Admin pages (`/admin/...`) for admins alone. */
export function AdminOnly({ children }: { children: ReactNode }) {
  return <RoleOnly gate={ADMIN_GATE}>{children}</RoleOnly>;
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

/** The header's "Accounts" link (roles, `/admin/accounts`), for admins. */
export function AdminNavLink({ className }: { className?: string }) {
  const { viewer } = useViewer();
  if (!isAdmin(viewer)) return null;
  return (
    <li className={className}>
      <Link href="/admin/accounts">Accounts</Link>
    </li>
  );
}
