import skeleton from "@/components/skeleton.module.css";
import styles from "./loading.module.css";

/** Shown while an event loads; shaped like the event page so nothing jumps when it arrives. */
export default function EventLoading() {
  return (
    <div className={skeleton.skeleton} role="status" aria-label="Loading the event">
      <div className={`${skeleton.block} ${styles.back}`} />
      <div className={`${skeleton.block} ${styles.title}`} />
      <div className={`${skeleton.block} ${styles.facts}`} />
      <div className={`${skeleton.block} ${styles.map}`} />
    </div>
  );
}
