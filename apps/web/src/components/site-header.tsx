import Link from "next/link";
import { AccountMenu } from "@/auth/account-menu";
import { AdminNavLink, OrganizerNavLink } from "@/organizer/organizer-access";
import { Logo } from "./logo";
import styles from "./site-header.module.css";

export function SiteHeader({ playgroundUrl }: { playgroundUrl: string }) {
  return (
    <header className={styles.header}>
      <div className={styles.inner}>
        <Link href="/" className={styles.home} aria-label="Frontrow home">
          <Logo />
        </Link>
        <nav aria-label="Main" className={styles.nav}>
          <ul className={styles.links}>
            <li className={styles.events}>
              <Link href="/">Events</Link>
            </li>
            <OrganizerNavLink className={styles.roleLink} />
            <AdminNavLink className={styles.roleLink} />
            <li className={styles.playground}>
              <a href={playgroundUrl} target="_blank" rel="noreferrer">
                GraphQL playground
                <span aria-hidden="true"> ↗</span>
                <span className="visually-hidden"> (opens in a new tab)</span>
              </a>
            </li>
          </ul>
        </nav>
        <AccountMenu />
      </div>
    </header>
  );
}
