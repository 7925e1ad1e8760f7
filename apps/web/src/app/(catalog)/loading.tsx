import skeleton from "@/components/skeleton.module.css";
import styles from "./loading.module.css";

/** Shown while a page's data is on its way; shaped like the catalog so nothing jumps when it arrives. */
export default function Loading() {
  return (
    <div className={skeleton.skeleton} role="status" aria-label="Loading">
      <div className={`${skeleton.block} ${styles.title}`} />
      <div className={`${skeleton.block} ${styles.bar}`} />
      <div className={styles.grid}>
        {["a", "b", "c", "d", "e", "f"].map((key) => (
          <div key={key} className={`${skeleton.block} ${styles.card}`} />
        ))}
      </div>
    </div>
  );
}
