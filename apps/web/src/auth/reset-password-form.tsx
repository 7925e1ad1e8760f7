"use client";

import { useApolloClient, useMutation } from "@apollo/client/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { ResetPasswordDocument, ViewerDocument } from "@/gql/graphql";
import { describeAccountError, type FormProblem } from "./account-errors";
import styles from "./auth-form.module.css";
import { FormField, FormProblemBox } from "./form-field";

export const MIN_PASSWORD_LENGTH = 10;

/** Chooses a new password with the emailed link's token; signs the browser in and goes to the orders. */
export function ResetPasswordForm({ token }: { token: string }) {
  const router = useRouter();
  const client = useApolloClient();
  const [reset] = useMutation(ResetPasswordDocument);
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<FormProblem | null>(
    token ? null : { message: "This page needs the link from your email.", field: null },
  );
  const id = useId();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setPending(true);
    setProblem(null);
    try {
      const user = (await reset({ variables: { token, password } })).data?.resetPassword;
      if (!user) throw new Error("The API did not return the account.");
      client.writeQuery({ query: ViewerDocument, data: { me: user } });
      router.replace("/orders");
    } catch (error) {
      setProblem(describeAccountError(error));
      setPending(false);
    }
  };

  return (
    <form className={styles.form} onSubmit={submit}>
      {problem && !problem.field ? (
        <>
          <FormProblemBox message={problem.message} />
          <p>
            <Link href="/forgot-password">Ask for a new link</Link>
          </p>
        </>
      ) : null}
      <FormField
        id={`${id}-password`}
        label="New password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        minLength={MIN_PASSWORD_LENGTH}
        maxLength={128}
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        hint={`At least ${MIN_PASSWORD_LENGTH} characters. You will be signed out everywhere else.`}
        problem={problem?.field === "password" ? problem.message : null}
      />
      <button type="submit" className={`button ${styles.submit}`} disabled={pending || !token}>
        {pending ? "Saving…" : "Set new password"}
      </button>
    </form>
  );
}
