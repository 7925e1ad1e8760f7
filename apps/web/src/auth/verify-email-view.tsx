"use client";

import { useMutation } from "@apollo/client/react";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { VerifyEmailDocument } from "@/gql/graphql";
import { describeAccountError } from "./account-errors";
import styles from "./auth-form.module.css";
import { FormProblemBox } from "./form-field";

/** Confirms the address of the emailed link once the page opens (a link in a mail is a GET). */
export function VerifyEmailView({ token }: { token: string }) {
  const [verify] = useMutation(VerifyEmailDocument);
  const [state, setState] = useState<{ email?: string; problem?: string }>({});
  const asked = useRef(false);

  useEffect(() => {
    if (asked.current) return;
    asked.current = true;
    if (!token) {
      setState({ problem: "This page needs the link from your email." });
      return;
    }
    verify({ variables: { token } }).then(
      (result) => setState({ email: result.data?.verifyEmail.email }),
      (error: unknown) => setState({ problem: describeAccountError(error).message }),
    );
  }, [token, verify]);

  if (state.problem)
    return (
      <div className={styles.form}>
        <FormProblemBox message={state.problem} />
        <p>
          <Link href="/account">Send a new link from your account page</Link>
        </p>
      </div>
    );
  if (!state.email) return <p role="status">Confirming your email…</p>;
  return (
    <div className={styles.form}>
      <p className={styles.done} role="status">
        Thank you: {state.email} is confirmed.
      </p>
      <p>
        <Link href="/">Find events</Link>
      </p>
    </div>
  );
}
