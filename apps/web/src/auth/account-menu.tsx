"use client";

import { useApolloClient, useMutation } from "@apollo/client/react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { LogOutDocument } from "@/gql/graphql";
import styles from "./account-menu.module.css";
import { loginHref, signUpHref } from "./return-path";
import { useViewer } from "./use-viewer";

const AUTH_PAGES = new Set(["/login", "/signup", "/forgot-password", "/reset-password"]);

/** The header's account corner: the signed-in fan with "Log out", or links to log in and sign up. */
export function AccountMenu() {
  const { viewer, loading } = useViewer();
  const pathname = usePathname();
  const client = useApolloClient();
  const [logOut] = useMutation(LogOutDocument);
  const [leaving, setLeaving] = useState(false);
  // Coming back to the login page after logging in would be odd: return to the home page instead.
  const returnTo = AUTH_PAGES.has(pathname) ? "/" : pathname;

  if (loading) return <div className={styles.account} aria-hidden="true" />;

  if (!viewer) {
    return (
      <div className={styles.account}>
        <Link href={loginHref(returnTo)} className={styles.logIn}>
          Log in
        </Link>
        <Link href={signUpHref(returnTo)} className="button">
          Sign up
        </Link>
      </div>
    );
  }

  const signOut = async () => {
    setLeaving(true);
    try {
      await logOut();
    } catch {
      // Whatever happened, the refetch below asks the API who is signed in and shows the truth.
    }
    // Drops everything private from the cache (holds included) and refetches what is on screen.
    await client.resetStore().catch(() => undefined);
    setLeaving(false);
  };

  return (
    <div className={styles.account}>
      <Link
        href="/orders"
        className={styles.ordersLink}
        aria-label="My orders"
        aria-current={pathname === "/orders" ? "page" : undefined}
      >
        <span className={styles.wide}>My orders</span>
        <span className={styles.narrow}>Orders</span>
      </Link>
      <Link
        href="/waitlists"
        className={styles.waitlistsLink}
        aria-current={pathname === "/waitlists" ? "page" : undefined}
      >
        Waitlists
      </Link>
      <Link
        href="/account"
        className={styles.viewer}
        data-viewer-email={viewer.email}
        aria-current={pathname === "/account" ? "page" : undefined}
      >
        <span className={styles.avatar} aria-hidden="true">
          {(viewer.name || viewer.email).charAt(0).toUpperCase()}
        </span>
        <span className={styles.viewerName}>
          <span className="visually-hidden">Signed in as </span>
          {viewer.name || viewer.email}
        </span>
      </Link>
      <button type="button" className="button button-secondary" onClick={signOut} disabled={leaving}>
        {leaving ? "Logging out…" : "Log out"}
      </button>
    </div>
  );
}
