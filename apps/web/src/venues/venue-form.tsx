"use client";

import { useMutation } from "@apollo/client/react";
import { type FormEvent, useId, useState } from "react";
import { CreateVenueDocument, type ManagedVenueFieldsFragment, UpdateVenueDocument } from "@/gql/graphql";
import { describeApiError, graphQLErrorDetails } from "@/lib/api-errors";
import formStyles from "@/organizer/organizer.module.css";
import styles from "./venues.module.css";

interface FieldProblem {
  path: string;
  message: string;
}

/** The API's problems by field (`extensions.problems`, or the one `extensions.field`). */
export function problemsByField(error: unknown): { byField: Map<string, string>; other: string | null } {
  const details = graphQLErrorDetails(error);
  const byField = new Map<string, string>();
  if (!details) return { byField, other: describeApiError(error).message };
  const problems = details.extensions.problems;
  if (Array.isArray(problems)) {
    for (const problem of problems as FieldProblem[])
      if (!byField.has(problem.path)) byField.set(problem.path, problem.message);
  } else if (typeof details.extensions.field === "string")
    byField.set(details.extensions.field, details.message);
  return { byField, other: byField.size === 0 ? details.message : null };
}

const FIELDS = [
  { key: "name", label: "Name", autoComplete: "organization" },
  { key: "city", label: "City", autoComplete: "address-level2" },
  { key: "address", label: "Address", autoComplete: "street-address" },
  { key: "timezone", label: "Time zone (IANA, e.g. Europe/Lisbon)", autoComplete: "off" },
] as const;

type Key = (typeof FIELDS)[number]["key"];

/** Creates a venue (no `venue`) or changes one; errors are shown beside their fields. */
export function VenueForm({
  venue,
  onSaved,
}: {
  venue?: ManagedVenueFieldsFragment;
  onSaved: (venue: ManagedVenueFieldsFragment) => void;
}) {
  const id = useId();
  const [create, creating] = useMutation(CreateVenueDocument);
  const [update, updating] = useMutation(UpdateVenueDocument);
  const [values, setValues] = useState<Record<Key, string>>({
    name: venue?.name ?? "",
    city: venue?.city ?? "",
    address: venue?.address ?? "",
    timezone:
      venue?.timezone ??
      (typeof Intl === "undefined" ? "" : Intl.DateTimeFormat().resolvedOptions().timeZone),
  });
  const [stage, setStage] = useState({
    label: venue?.stage.label ?? "STAGE",
    width: String(venue?.stage.width ?? 10),
    height: String(venue?.stage.height ?? 5),
  });
  const [problems, setProblems] = useState<{ byField: Map<string, string>; other: string | null }>({
    byField: new Map(),
    other: null,
  });
  const [saved, setSaved] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblems({ byField: new Map(), other: null });
    setSaved(false);
    const input = {
      ...values,
      stage: {
        label: stage.label,
        x: venue?.stage.x ?? 0,
        y: venue?.stage.y ?? 0,
        width: Number(stage.width),
        height: Number(stage.height),
      },
    };
    try {
      const result = venue
        ? (await update({ variables: { venueId: venue.id, input } })).data?.updateVenue
        : (await create({ variables: { input } })).data?.createVenue;
      if (result) {
        setSaved(true);
        onSaved(result);
      }
    } catch (error) {
      setProblems(problemsByField(error));
    }
  };

  const problemId = (key: string) => `${id}-${key}-problem`;
  const fieldProblem = (key: string) => {
    const message = problems.byField.get(key);
    return message ? (
      <p id={problemId(key)} className={formStyles.outcomeError}>
        {message}
      </p>
    ) : null;
  };
  const invalid = (key: string) => ({
    "aria-invalid": problems.byField.has(key),
    "aria-describedby": problems.byField.has(key) ? problemId(key) : undefined,
  });

  return (
    <form className={formStyles.form} onSubmit={submit} noValidate>
      <div className={formStyles.fields}>
        {FIELDS.map((field) => (
          <div key={field.key} className={formStyles.field}>
            <label htmlFor={`${id}-${field.key}`}>{field.label}</label>
            <input
              id={`${id}-${field.key}`}
              autoComplete={field.autoComplete}
              value={values[field.key]}
              onChange={(e) => setValues({ ...values, [field.key]: e.target.value })}
              {...invalid(field.key)}
            />
            {fieldProblem(field.key)}
          </div>
        ))}
      </div>
      <fieldset className={styles.inline}>
        <legend className={formStyles.hint}>Stage or field (metres)</legend>
        <div className={formStyles.field}>
          <label htmlFor={`${id}-stage-label`}>Label</label>
          <input
            id={`${id}-stage-label`}
            value={stage.label}
            onChange={(e) => setStage({ ...stage, label: e.target.value })}
            {...invalid("stage.label")}
          />
          {fieldProblem("stage.label")}
        </div>
        {(["width", "height"] as const).map((key) => (
          <div key={key} className={formStyles.field}>
            <label htmlFor={`${id}-stage-${key}`}>{key === "width" ? "Width" : "Depth"}</label>
            <input
              id={`${id}-stage-${key}`}
              inputMode="decimal"
              value={stage[key]}
              onChange={(e) => setStage({ ...stage, [key]: e.target.value })}
              {...invalid(`stage.${key}`)}
            />
            {fieldProblem(`stage.${key}`)}
          </div>
        ))}
      </fieldset>
      {problems.other ? (
        <p className={formStyles.outcomeError} role="alert">
          {problems.other}
        </p>
      ) : null}
      {saved ? (
        <p className={formStyles.outcome} role="status">
          Saved.
        </p>
      ) : null}
      <div className={formStyles.formActions}>
        <button type="submit" className="button" disabled={creating.loading || updating.loading}>
          {venue ? "Save venue" : "Create venue"}
        </button>
      </div>
    </form>
  );
}
