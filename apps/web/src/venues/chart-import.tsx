"use client";

import { type ChangeEvent, type FormEvent, useId, useState } from "react";
import { BackLink } from "@/components/back-link";
import layout from "@/components/layout.module.css";
import formStyles from "@/organizer/organizer.module.css";
import {
  type ChartFormat,
  type ChartProblem,
  formatOfFile,
  type UploadProgress,
  uploadChart,
} from "./chart-upload";
import styles from "./venues.module.css";

type Progress = UploadProgress | null;

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** What the progress bar says while a chart goes up and is checked. */
function progressText(progress: UploadProgress): string {
  if (progress.phase === "checking") return "Uploaded: checking and saving the chart…";
  const percent = progress.total ? Math.round((progress.sent / progress.total) * 100) : 0;
  return `Uploading… ${percent}% (${megabytes(progress.sent)} of ${megabytes(progress.total)})`;
}

/**
 * Upload a chart file or paste one (JSON or CSV). It goes to the API's upload route, whatever its size (a
 * stadium's chart is more than one GraphQL request may carry), with its progress shown; every problem
 * is listed by line, nothing is saved until all is well.
 */
export function ChartImport({ venueId, uploadUrl }: { venueId: string; uploadUrl: string }) {
  const id = useId();
  const [format, setFormat] = useState<ChartFormat>("CSV");
  const [name, setName] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [data, setData] = useState("");
  const [progress, setProgress] = useState<Progress>(null);
  const [problems, setProblems] = useState<ChartProblem[]>([]);
  const [more, setMore] = useState(0);
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string } | null>(null);
  const busy = progress !== null;

  const choose = (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0] ?? null;
    setFile(chosen);
    if (chosen) setFormat(formatOfFile(chosen));
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblems([]);
    setMore(0);
    setOutcome(null);
    setProgress({ phase: "sending", sent: 0, total: file?.size ?? data.length });
    try {
      const url = new URL(uploadUrl);
      if (name.trim()) url.searchParams.set("name", name.trim());
      const result = await uploadChart(url.toString(), format, file ?? data, setProgress);
      if (result.ok) {
        setOutcome({ ok: true, message: `${result.saved.message} ${result.saved.chart.seats} seats.` });
      } else {
        setProblems(result.refusal.problems);
        setMore(result.refusal.moreProblems);
        setOutcome({ ok: false, message: result.refusal.message });
      }
    } catch (error) {
      setOutcome({ ok: false, message: error instanceof Error ? error.message : String(error) });
    } finally {
      setProgress(null);
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
            <select
              id={`${id}-format`}
              value={format}
              onChange={(e) => setFormat(e.target.value as ChartFormat)}
            >
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
              onChange={choose}
              aria-describedby={`${id}-file-hint`}
            />
            <span id={`${id}-file-hint`} className={styles.hint}>
              {file
                ? `${file.name}, ${megabytes(file.size)}: sent as it is`
                : "Any size up to 16 MB (60,000 seats)"}
            </span>
          </div>
        </div>
        <div className={formStyles.field}>
          <label htmlFor={`${id}-data`}>Or paste the chart</label>
          <textarea
            disabled={file !== null}
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
        {progress ? (
          <div className={formStyles.field}>
            <progress
              className={styles.progress}
              aria-labelledby={`${id}-progress`}
              max={progress.phase === "sending" ? progress.total || 1 : undefined}
              value={progress.phase === "sending" ? progress.sent : undefined}
            />
            <span id={`${id}-progress`} role="status">
              {progressText(progress)}
            </span>
          </div>
        ) : null}
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
          <button type="submit" className="button" disabled={busy || (file === null && data.trim() === "")}>
            {busy ? "Importing…" : "Import"}
          </button>
          {file ? (
            <button
              type="button"
              className="button button-secondary"
              disabled={busy}
              onClick={() => setFile(null)}
            >
              Paste instead
            </button>
          ) : null}
        </div>
      </form>
    </div>
  );
}
