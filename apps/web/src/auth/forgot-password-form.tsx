"use client";

import { useMutation } from "@apollo/client/react";
import Link from "next/link";
import { type FormEvent, useId, useState } from "react";
import { RequestPasswordResetDocument } from "@/gql/graphql";
import { describeAccountError, type FormProblem } from "./account-errors";
import styles from "./auth-form.module.css";
import { FormField, FormProblemBox } from "./form-field";

/** Asks for a reset link. The answer is the same whether or not the address has an account. */
export function ForgotPasswordForm() {
  const [request] = useMutation(RequestPasswordResetDocument);
  const [email, setEmail] = useState("");
  const [pending, setPending] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const id = useId();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setPending(true);
    setProblem(null);
    try {
      await request({ variables: { email } });
      setSentTo(email.trim());
    } catch (error) {
      setProblem(describeAccountError(error));
    } finally {
      setPending(false);
    }
  };

  if (sentTo) {
    return (
      <div className={styles.form}>
        <p className={styles.done} role="status">
          If {sentTo} has a Frontrow account, a link to choose a new password is on its way. It works once,
          for 30 minutes.
        </p>
        <p className={styles.switch}>
          <Link href="/login">Back to log in</Link>
        </p>
      </div>
    );
  }
  return (
    <form className={styles.form} onSubmit={submit}>
      <FormProblemBox message={problem && !problem.field ? problem.message : null} />
      <FormField
        id={`${id}-email`}
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        value={email}
        onChange={(event) => setEmail(event.target.value)}
        problem={problem?.field === "email" ? problem.message : null}
      />
      <button type="submit" className={`button ${styles.submit}`} disabled={pending}>
        {pending ? "Sending…" : "Send me a reset link"}
      </button>
      <p className={styles.switch}>
        Remembered it? <Link href="/login">Log in</Link>
      </p>
    </form>
  );
}
