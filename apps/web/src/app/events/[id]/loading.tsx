import styles from "./loading.module.css";

/** Shown while an event loads; shaped like the event page so nothing jumps when it arrives. */
export default function EventLoading() {
  return (
    <div className={styles.loading} role="status" aria-label="Loading the event">
      <div className={`${styles.block} ${styles.back}`} />
      <div className={`${styles.block} ${styles.title}`} />
      <div className={`${styles.block} ${styles.facts}`} />
      <div className={`${styles.block} ${styles.map}`} />
    </div>
  );
}
