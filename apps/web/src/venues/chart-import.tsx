"use client";

import { useMutation } from "@apollo/client/react";
import { type ChangeEvent, type FormEvent, useId, useState } from "react";
import { BackLink } from "@/components/back-link";
import layout from "@/components/layout.module.css";
import { ImportSeatingChartDocument } from "@/gql/graphql";
import { describeApiError, graphQLErrorDetails } from "@/lib/api-errors";
import formStyles from "@/organizer/organizer.module.css";
import styles from "./venues.module.css";

interface Problem {
  path: string;
  line?: number;
  message: string;
}

type Format = "JSON" | "CSV";

/** Paste or upload a chart (JSON or CSV); every problem is listed by line, nothing is saved until all is well. */
export function ChartImport({ venueId }: { venueId: string }) {
  const id = useId();
  const [importChart, { loading }] = useMutation(ImportSeatingChartDocument);
  const [format, setFormat] = useState<Format>("CSV");
  const [name, setName] = useState("");
  const [data, setData] = useState("");
  const [problems, setProblems] = useState<Problem[]>([]);
  const [more, setMore] = useState(0);
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string } | null>(null);

  const upload = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    setData(await file.text());
    setFormat(file.name.toLowerCase().endsWith(".json") ? "JSON" : "CSV");
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblems([]);
    setMore(0);
    setOutcome(null);
    try {
      const result = await importChart({ variables: { venueId, format, data, name: name.trim() || null } });
      setOutcome({ ok: true, message: result.data?.importSeatingChart.message ?? "Imported." });
    } catch (error) {
      const details = graphQLErrorDetails(error);
      const listed = details?.extensions.problems;
      if (Array.isArray(listed)) {
        setProblems(listed as Problem[]);
        setMore(Number(details?.extensions.moreProblems ?? 0));
      }
      setOutcome({ ok: false, message: details?.message ?? describeApiError(error).message });
    }
  };

  return (
    <div className={formStyles.page}>
      <BackLink href={`/organizer/venues/${venueId}`}>The venue builder</BackLink>
      <h1 className={layout.title}>Import a seating chart</h1>
      <p className={layout.muted}>
        JSON in the chart shape the API takes, or CSV with one seat a line:{" "}
        <code>section,row,number,x,y,flags</code> (metres; flags such as <code>accessible|wheelchair</code>).
        See docs/venues.md.
      </p>
      <form className={formStyles.form} onSubmit={submit}>
        <div className={styles.inline}>
          <div className={formStyles.field}>
            <label htmlFor={`${id}-format`}>Format</label>
            <select id={`${id}-format`} value={format} onChange={(e) => setFormat(e.target.value as Format)}>
              <option value="CSV">CSV</option>
              <option value="JSON">JSON</option>
            </select>
          </div>
          <div className={formStyles.field}>
            <label htmlFor={`${id}-name`}>Chart name (CSV: Main when empty)</label>
            <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className={formStyles.field}>
            <label htmlFor={`${id}-file`}>Upload a file</label>
            <input
              id={`${id}-file`}
              type="file"
              accept=".csv,.json,text/csv,application/json"
              onChange={upload}
            />
          </div>
        </div>
        <div className={formStyles.field}>
          <label htmlFor={`${id}-data`}>Or paste the chart</label>
          <textarea
            id={`${id}-data`}
            className={styles.data}
            rows={12}
            spellCheck={false}
            value={data}
            onChange={(e) => setData(e.target.value)}
            aria-invalid={problems.length > 0}
            aria-describedby={problems.length > 0 ? `${id}-problems` : undefined}
          />
        </div>
        {outcome ? (
          <p
            className={outcome.ok ? formStyles.outcome : formStyles.outcomeError}
            role={outcome.ok ? "status" : "alert"}
          >
            {outcome.message}
          </p>
        ) : null}
        {problems.length > 0 ? (
          <ol id={`${id}-problems`} className={styles.problems} aria-label="Problems by line">
            {problems.map((problem) => (
              <li key={`${problem.line ?? ""}:${problem.path}:${problem.message}`}>
                <strong>
                  {problem.line !== undefined ? `Line ${problem.line}` : problem.path || "The chart"}
                </strong>
                {problem.line !== undefined && problem.path && !problem.path.startsWith("line")
                  ? ` (${problem.path})`
                  : ""}
                : {problem.message}
              </li>
            ))}
            {more > 0 ? <li>…and {more} more.</li> : null}
          </ol>
        ) : null}
        <div className={formStyles.formActions}>
          <button type="submit" className="button" disabled={loading || data.trim() === ""}>
            {loading ? "Importing…" : "Import"}
          </button>
        </div>
      </form>
    </div>
  );
}
