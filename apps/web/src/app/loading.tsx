import styles from "./loading.module.css";

/** Shown while a page's data is on its way; shaped like the catalog so nothing jumps when it arrives. */
export default function Loading() {
  return (
    <div className={styles.loading} role="status" aria-label="Loading">
      <div className={`${styles.block} ${styles.title}`} />
      <div className={`${styles.block} ${styles.bar}`} />
      <div className={styles.grid}>
        {["a", "b", "c", "d", "e", "f"].map((key) => (
          <div key={key} className={`${styles.block} ${styles.card}`} />
        ))}
      </div>
    </div>
  );
}
