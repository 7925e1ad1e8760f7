import type { InputHTMLAttributes } from "react";
import styles from "./auth-form.module.css";

interface FormFieldProps extends InputHTMLAttributes<HTMLInputElement> {
  id: string;
  label: string;
  /** Shown right under the input and announced with it (aria-describedby), in the API's words. */
  problem?: string | null;
  hint?: string;
}

/** A labelled input with its hint and its problem beside it: what every account form is made of. */
export function FormField({ id, label, problem, hint, ...input }: FormFieldProps) {
  const describedBy = [problem ? `${id}-problem` : null, hint ? `${id}-hint` : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div className={styles.field}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        {...input}
        aria-invalid={problem ? true : undefined}
        aria-describedby={describedBy || undefined}
      />
      {hint ? (
        <p id={`${id}-hint`} className={styles.hint}>
          {hint}
        </p>
      ) : null}
      {problem ? (
        <p id={`${id}-problem`} className={styles.fieldProblem} role="alert">
          {problem}
        </p>
      ) : null}
    </div>
  );
}

/** A problem that belongs to no field (a used link, a network failure): above the form. */
export function FormProblemBox({ message }: { message: string | null | undefined }) {
  return message ? (
    <div className={styles.problem} role="alert">
      <p>{message}</p>
    </div>
  ) : null;
}
