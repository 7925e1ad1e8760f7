"use client";

import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import {
  AccountDetailsDocument,
  ChangeEmailDocument,
  ChangePasswordDocument,
  RequestEmailVerificationDocument,
  SignOutEverywhereDocument,
} from "@/gql/graphql";
import { describeAccountError, type FormProblem } from "./account-errors";
import styles from "./auth-form.module.css";
import { FormField, FormProblemBox } from "./form-field";
import { MIN_PASSWORD_LENGTH } from "./reset-password-form";
import { useSignedInViewer } from "./use-signed-in-viewer";

/** One form's state: pending, its problem (beside a field or above the form), and a done message. */
function useFormRun() {
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = async (work: () => Promise<string>) => {
    setPending(true);
    setProblem(null);
    setDone(null);
    try {
      setDone(await work());
    } catch (error) {
      setProblem(describeAccountError(error));
    } finally {
      setPending(false);
    }
  };
  const on = (field: string) => (problem?.field === field ? problem.message : null);
  return { pending, problem, done, run, on, general: problem && !problem.field ? problem.message : null };
}

/** A form's submit button (another label while it runs) and what it did, once done. */
function SubmitAndDone({
  form,
  label,
  pendingLabel,
}: {
  form: ReturnType<typeof useFormRun>;
  label: string;
  pendingLabel: string;
}) {
  return (
    <>
      <button type="submit" className="button" disabled={form.pending}>
        {form.pending ? pendingLabel : label}
      </button>
      {form.done ? (
        <p className={styles.done} role="status">
          {form.done}
        </p>
      ) : null}
    </>
  );
}

function EmailSection({ email, verified }: { email: string; verified: boolean }) {
  const id = useId();
  const [changeEmail] = useMutation(ChangeEmailDocument);
  const [resend] = useMutation(RequestEmailVerificationDocument);
  const [newEmail, setNewEmail] = useState("");
  const [password, setPassword] = useState("");
  const form = useFormRun();
  const resent = useFormRun();

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void form.run(async () => {
      await changeEmail({ variables: { newEmail, currentPassword: password } });
      setPassword("");
      return `Your email is now ${newEmail.trim().toLowerCase()}. We sent a link there to confirm it.`;
    });
  };

  return (
    <section aria-labelledby={`${id}-heading`} className={styles.form}>
      <h2 id={`${id}-heading`}>Email</h2>
      <p>
        {email} {verified ? "(confirmed)" : "(not confirmed yet)"}
      </p>
      {verified ? null : (
        <>
          <button
            type="button"
            className="button"
            disabled={resent.pending}
            onClick={() =>
              void resent.run(async () => {
                await resend();
                return `We sent a new confirmation link to ${email}.`;
              })
            }
          >
            Send the confirmation link again
          </button>
          <FormProblemBox message={resent.general} />
          {resent.done ? <p role="status">{resent.done}</p> : null}
        </>
      )}
      <form className={styles.form} onSubmit={submit}>
        <FormProblemBox message={form.general} />
        <FormField
          id={`${id}-new-email`}
          label="New email"
          type="email"
          autoComplete="email"
          required
          value={newEmail}
          onChange={(event) => setNewEmail(event.target.value)}
          problem={form.on("newEmail")}
        />
        <FormField
          id={`${id}-current-password`}
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          problem={form.on("currentPassword")}
        />
        <SubmitAndDone form={form} label="Change email" pendingLabel="Changing…" />
      </form>
    </section>
  );
}

function PasswordSection() {
  const id = useId();
  const [changePassword] = useMutation(ChangePasswordDocument);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const form = useFormRun();

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void form.run(async () => {
      await changePassword({ variables: { currentPassword: current, newPassword: next } });
      setCurrent("");
      setNext("");
      return "Your password is changed. Every other device was signed out.";
    });
  };

  return (
    <section aria-labelledby={`${id}-heading`}>
      <form className={styles.form} onSubmit={submit}>
        <h2 id={`${id}-heading`}>Password</h2>
        <FormProblemBox message={form.general} />
        <FormField
          id={`${id}-current`}
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(event) => setCurrent(event.target.value)}
          problem={form.on("currentPassword")}
        />
        <FormField
          id={`${id}-new`}
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          maxLength={128}
          value={next}
          onChange={(event) => setNext(event.target.value)}
          hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          problem={form.on("newPassword")}
        />
        <SubmitAndDone form={form} label="Change password" pendingLabel="Changing…" />
      </form>
    </section>
  );
}

function SessionsSection() {
  const id = useId();
  const router = useRouter();
  const client = useApolloClient();
  const [signOutEverywhere] = useMutation(SignOutEverywhereDocument);
  const form = useFormRun();
  return (
    <section aria-labelledby={`${id}-heading`} className={styles.form}>
      <h2 id={`${id}-heading`}>Devices</h2>
      <p>Lost a phone, or signed in on a shared computer? End every session of your account, this one too.</p>
      <FormProblemBox message={form.general} />
      <button
        type="button"
        className="button"
        disabled={form.pending}
        onClick={() =>
          void form.run(async () => {
            await signOutEverywhere();
            await client.clearStore();
            router.replace("/login");
            return "Signed out everywhere.";
          })
        }
      >
        Sign out everywhere
      </button>
    </section>
  );
}

/** The account page: email (and its confirmation), password, and every session. */
export function AccountSettings() {
  const { viewer } = useSignedInViewer();
  const { data } = useQuery(AccountDetailsDocument, { skip: !viewer });
  const me = data?.me;
  if (!me) return <p role="status">Loading your account…</p>;
  return (
    <div className={styles.form}>
      <EmailSection email={me.email} verified={me.emailVerifiedAt !== null} />
      <PasswordSection />
      <SessionsSection />
    </div>
  );
}
