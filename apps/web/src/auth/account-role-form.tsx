"use client";

import { useMutation } from "@apollo/client/react";
import { type FormEvent, useId, useState } from "react";
import { type Role, SetAccountRoleDocument } from "@/gql/graphql";
import { type FormProblem, formProblem } from "@/lib/api-errors";
import styles from "@/organizer/organizer.module.css";

const ROLES: { value: Role; label: string; article: string }[] = [
  { value: "FAN", label: "Fan", article: "a fan" },
  { value: "ORGANIZER", label: "Organizer", article: "an organizer" },
  { value: "ADMIN", label: "Admin", article: "an admin" },
];

/** Where the API's answer belongs: NOT_FOUND and a bad address beside the email, the rest above the button. */
function problemOf(error: unknown): FormProblem {
  const problem = formProblem(error);
  if (problem.code === "NOT_FOUND")
    return { ...problem, field: "email", message: "No account has this address." };
  return problem;
}

/** The admin's form for `setAccountRole` (docs/organizers.md, "Becoming an organizer"). */
export function AccountRoleForm() {
  const id = useId();
  const [setAccountRole, { loading }] = useMutation(SetAccountRoleDocument);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("ORGANIZER");
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblem(null);
    setDone(null);
    try {
      const result = await setAccountRole({ variables: { email: email.trim(), role } });
      const account = result.data?.setAccountRole;
      if (!account) return;
      const article = ROLES.find((choice) => choice.value === account.role)?.article ?? account.role;
      setDone(`${account.email} is now ${article}; their open sessions have the new role already.`);
      setEmail("");
    } catch (error) {
      setProblem(problemOf(error));
    }
  };

  const emailProblem = problem?.field === "email" ? problem.message : null;
  const roleProblem = problem?.field === "role" ? problem.message : null;
  const formLevel = problem && !emailProblem && !roleProblem ? problem.message : null;
  const describedBy = (field: string, fieldProblem: string | null) =>
    [`${id}-${field}-hint`, fieldProblem ? `${id}-${field}-error` : ""].filter(Boolean).join(" ");

  return (
    <section aria-labelledby={`${id}-heading`} className={styles.section}>
      <h2 id={`${id}-heading`}>Change an account's role</h2>
      <form className={styles.form} onSubmit={(event) => void submit(event)} noValidate>
        <div className={styles.fields}>
          <div className={styles.field}>
            <label htmlFor={`${id}-email`}>Email</label>
            <input
              id={`${id}-email`}
              name="email"
              type="email"
              inputMode="email"
              autoComplete="off"
              spellCheck={false}
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={emailProblem ? true : undefined}
              aria-describedby={describedBy("email", emailProblem)}
            />
            <span id={`${id}-email-hint`} className={styles.hint}>
              The address the account signs in with.
            </span>
            {emailProblem ? (
              <span id={`${id}-email-error`} className={styles.fieldError} role="alert">
                {emailProblem}
              </span>
            ) : null}
          </div>
          <div className={styles.field}>
            <label htmlFor={`${id}-role`}>Role</label>
            <select
              id={`${id}-role`}
              name="role"
              value={role}
              onChange={(e) => setRole(e.target.value as Role)}
              aria-invalid={roleProblem ? true : undefined}
              aria-describedby={describedBy("role", roleProblem)}
            >
              {ROLES.map((choice) => (
                <option key={choice.value} value={choice.value}>
                  {choice.label}
                </option>
              ))}
            </select>
            <span id={`${id}-role-hint`} className={styles.hint}>
              Replaces the account's current role.
            </span>
            {roleProblem ? (
              <span id={`${id}-role-error`} className={styles.fieldError} role="alert">
                {roleProblem}
              </span>
            ) : null}
          </div>
        </div>
        {formLevel ? (
          <p className={styles.outcomeError} role="alert">
            {formLevel}
          </p>
        ) : null}
        <div className={styles.formActions}>
          <button type="submit" className="button" disabled={loading}>
            {loading ? "Changing…" : "Change role"}
          </button>
        </div>
        {/* Always in the page, so screen readers announce what appears in it. */}
        <div role="status">{done ? <p className={styles.outcome}>{done}</p> : null}</div>
      </form>
    </section>
  );
}
