"use client";

import { useApolloClient, useMutation } from "@apollo/client/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { LogInDocument, SignUpDocument, ViewerDocument } from "@/gql/graphql";
import { formatCountdown } from "@/lib/format";
import { useNow } from "@/lib/use-now";
import { type AuthField, type AuthProblem, describeAuthError } from "./auth-errors";
import styles from "./auth-form.module.css";
import { loginHref, signUpHref } from "./return-path";

const MIN_PASSWORD_LENGTH = 10;

interface AuthFormProps {
  mode: "logIn" | "signUp";
  /** A path on this site to go back to once signed in. */
  returnTo: string;
}

/** The log-in and sign-up form: one component, so both explain problems the same way. */
export function AuthForm({ mode, returnTo }: AuthFormProps) {
  const router = useRouter();
  const client = useApolloClient();
  const [logIn] = useMutation(LogInDocument);
  const [signUp] = useMutation(SignUpDocument);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<AuthProblem | null>(null);
  const [retryAt, setRetryAt] = useState(0);
  const now = useNow(retryAt > 0);
  const id = useId();
  const isSignUp = mode === "signUp";

  const millisecondsToWait = retryAt > 0 && now > 0 ? Math.max(0, retryAt - now) : 0;
  const waiting = retryAt > 0 && (now === 0 || millisecondsToWait > 0);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (pending || waiting) return;
    setPending(true);
    setProblem(null);
    try {
      const user = isSignUp
        ? (await signUp({ variables: { email, password, name: name.trim() || null } })).data?.signUp
        : (await logIn({ variables: { email, password } })).data?.logIn;
      if (!user) throw new Error("The API did not return the account.");
      // The header and every page read the signed-in fan from this cache entry.
      client.writeQuery({ query: ViewerDocument, data: { me: user } });
      router.replace(returnTo);
    } catch (error) {
      const described = describeAuthError(error);
      setProblem(described);
      setRetryAt(described.retryAfterSeconds ? Date.now() + described.retryAfterSeconds * 1000 : 0);
      setPending(false);
    }
  };

  const fieldProblem = (field: AuthField) => (problem?.field === field ? problem.message : null);
  const describedBy = (field: AuthField, hintId?: string) =>
    [fieldProblem(field) ? `${id}-problem` : null, hintId].filter(Boolean).join(" ") || undefined;

  return (
    <form className={styles.form} onSubmit={submit}>
      {problem ? (
        <div id={`${id}-problem`} className={styles.problem} role="alert">
          <p>
            {problem.message}
            {problem.retryAfterSeconds !== null
              ? waiting
                ? ` Try again in ${formatCountdown(millisecondsToWait || problem.retryAfterSeconds * 1000)}.`
                : " You can try again now."
              : null}
          </p>
          {problem.emailTaken ? (
            <p>
              <Link href={loginHref(returnTo)}>Log in with this email</Link> instead?
            </p>
          ) : null}
        </div>
      ) : null}

      {isSignUp ? (
        <div className={styles.field}>
          <label htmlFor={`${id}-name`}>
            Name <span className={styles.optional}>(optional)</span>
          </label>
          <input
            id={`${id}-name`}
            name="name"
            autoComplete="name"
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.target.value)}
            aria-invalid={fieldProblem("name") ? true : undefined}
            aria-describedby={describedBy("name")}
          />
        </div>
      ) : null}
      <div className={styles.field}>
        <label htmlFor={`${id}-email`}>Email</label>
        <input
          id={`${id}-email`}
          name="email"
          type="email"
          autoComplete={isSignUp ? "email" : "username"}
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          aria-invalid={fieldProblem("email") ? true : undefined}
          aria-describedby={describedBy("email")}
        />
      </div>
      <div className={styles.field}>
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          name="password"
          type="password"
          autoComplete={isSignUp ? "new-password" : "current-password"}
          required
          minLength={isSignUp ? MIN_PASSWORD_LENGTH : undefined}
          maxLength={128}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          aria-invalid={fieldProblem("password") ? true : undefined}
          aria-describedby={describedBy("password", isSignUp ? `${id}-password-hint` : undefined)}
        />
        {isSignUp ? (
          <p id={`${id}-password-hint`} className={styles.hint}>
            At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong one.
          </p>
        ) : (
          <Link href="/forgot-password" className={styles.forgot}>
            Forgot password?
          </Link>
        )}
      </div>

      <button type="submit" className={`button ${styles.submit}`} disabled={pending || waiting}>
        {pending
          ? isSignUp
            ? "Creating your account…"
            : "Logging in…"
          : isSignUp
            ? "Create account"
            : "Log in"}
      </button>

      <p className={styles.switch}>
        {isSignUp ? (
          <>
            Already have an account? <Link href={loginHref(returnTo)}>Log in</Link>
          </>
        ) : (
          <>
            New to Frontrow? <Link href={signUpHref(returnTo)}>Create an account</Link>
          </>
        )}
      </p>
    </form>
  );
}
