import type { ReactNode } from "react";
import type { ApiProblem } from "@/lib/api-errors";
import styles from "./notice.module.css";

interface NoticeProps {
  title: string;
  children: ReactNode;
  tone?: "error" | "empty";
  /** A retry button or a link out of the dead end. */
  action?: ReactNode;
}

/** The one shape for empty states and errors, so every dead end explains itself and offers a way on. */
export function Notice({ title, children, tone = "empty", action }: NoticeProps) {
  return (
    <div
      className={`${styles.notice} ${tone === "error" ? styles.error : ""}`}
      role={tone === "error" ? "alert" : undefined}
    >
      <span className={styles.icon} aria-hidden="true">
        {tone === "error" ? "!" : "?"}
      </span>
      <div className={styles.body}>
        <h2 className={styles.title}>{title}</h2>
        <div className={styles.text}>{children}</div>
        {action ? <div className={styles.action}>{action}</div> : null}
      </div>
    </div>
  );
}

/** A failed load: what went wrong, and a button to try again. */
export function ProblemNotice({ problem, onRetry }: { problem: ApiProblem; onRetry: () => unknown }) {
  return (
    <Notice
      tone="error"
      title={problem.title}
      action={
        <button type="button" className="button" onClick={() => void onRetry()}>
          Try again
        </button>
      }
    >
      {problem.message}
    </Notice>
  );
}
