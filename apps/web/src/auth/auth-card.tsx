import type { ReactNode } from "react";
import styles from "./auth-card.module.css";

/** The frame of the log-in and sign-up pages. */
export function AuthCard({ title, lead, children }: { title: string; lead: string; children: ReactNode }) {
  return (
    <section className={styles.card} aria-labelledby="auth-heading">
      <h1 id="auth-heading">{title}</h1>
      <p className={styles.lead}>{lead}</p>
      {children}
    </section>
  );
}
