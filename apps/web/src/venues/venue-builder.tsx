"use client";

import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import Link from "next/link";
import { useEffect, useId, useMemo, useState } from "react";
import { BackLink } from "@/components/back-link";
import layout from "@/components/layout.module.css";
import { ProblemNotice } from "@/components/notice";
import {
  ExportSeatingChartDocument,
  ManagedVenueDocument,
  SaveSeatingChartDocument,
  SeatingChartPreviewDocument,
} from "@/gql/graphql";
import { describeApiError } from "@/lib/api-errors";
import formStyles from "@/organizer/organizer.module.css";
import {
  type BuilderChart,
  type BuilderSection,
  fromChartJson,
  newBlock,
  newStanding,
  nextSpot,
  toChartJson,
} from "./chart-model";
import { ChartPreview } from "./chart-preview";
import { problemsByField, VenueForm } from "./venue-form";
import styles from "./venues.module.css";

const PREVIEW_DELAY_MS = 400;

function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

/** A number input bound to one field of a section. */
function NumberField({
  id,
  label,
  value,
  onChange,
  step = "any",
}: {
  id: string;
  label: string;
  value: number;
  onChange: (value: number) => void;
  step?: string;
}) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText((current) => (Number(current) === value ? current : String(value))), [value]);
  return (
    <div className={formStyles.field}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        step={step}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          const number = Number(event.target.value);
          if (event.target.value !== "" && Number.isFinite(number)) onChange(number);
        }}
      />
    </div>
  );
}

function SectionEditor({
  section,
  index,
  problems,
  onChange,
  onRemove,
}: {
  section: BuilderSection;
  index: number;
  problems: string[];
  onChange: (section: BuilderSection) => void;
  onRemove: () => void;
}) {
  const id = useId();
  const set =
    <K extends string>(key: K) =>
    (value: number) =>
      onChange({ ...section, [key]: value } as BuilderSection);
  const problemId = `${id}-problems`;
  return (
    <fieldset
      className={styles.sectionEditor}
      aria-invalid={problems.length > 0}
      aria-describedby={problems.length ? problemId : undefined}
    >
      <legend>
        {section.kind === "STANDING" ? "Standing area" : "Seated section"} {index + 1}
      </legend>
      <div className={formStyles.field}>
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          value={section.name}
          onChange={(e) => onChange({ ...section, name: e.target.value })}
        />
      </div>
      <div className={styles.inline}>
        <NumberField id={`${id}-x`} label="Move across (x, m)" value={section.x} onChange={set("x")} />
        <NumberField id={`${id}-y`} label="Move back (y, m)" value={section.y} onChange={set("y")} />
        <NumberField
          id={`${id}-rotation`}
          label="Rotate (degrees)"
          value={section.rotation}
          onChange={set("rotation")}
        />
      </div>
      {section.kind === "BLOCK" ? (
        <div className={styles.inline}>
          <NumberField id={`${id}-rows`} label="Rows" value={section.rows} onChange={set("rows")} step="1" />
          <NumberField
            id={`${id}-seats`}
            label="Seats per row"
            value={section.seatsPerRow}
            onChange={set("seatsPerRow")}
            step="1"
          />
          <NumberField
            id={`${id}-curve`}
            label="Curve radius (m, 0 = straight)"
            value={section.curve}
            onChange={set("curve")}
          />
          <NumberField
            id={`${id}-row-spacing`}
            label="Row spacing (m)"
            value={section.rowSpacing}
            onChange={set("rowSpacing")}
          />
          <NumberField
            id={`${id}-seat-spacing`}
            label="Seat spacing (m)"
            value={section.seatSpacing}
            onChange={set("seatSpacing")}
          />
        </div>
      ) : null}
      {section.kind === "STANDING" ? (
        <div className={styles.inline}>
          <NumberField
            id={`${id}-capacity`}
            label="Capacity (places)"
            value={section.capacity}
            onChange={set("capacity")}
            step="1"
          />
          <NumberField id={`${id}-width`} label="Width (m)" value={section.width} onChange={set("width")} />
          <NumberField id={`${id}-depth`} label="Depth (m)" value={section.height} onChange={set("height")} />
        </div>
      ) : null}
      {section.kind === "DESCRIBED" ? (
        <p className={styles.hint}>
          As described: {section.summary}. Import the chart as JSON to change its rows.
        </p>
      ) : null}
      {problems.length > 0 ? (
        <ul id={problemId} className={formStyles.outcomeError}>
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      ) : null}
      <button type="button" className="button button-secondary" onClick={onRemove}>
        Remove {section.name || "section"}
      </button>
    </fieldset>
  );
}

/** The venue builder: the venue's details, and its chart edited with a live preview fans' map draws. */
export function VenueBuilder({ venueId }: { venueId: string }) {
  const client = useApolloClient();
  const { data, error, refetch } = useQuery(ManagedVenueDocument, { variables: { venueId } });
  const [save, saving] = useMutation(SaveSeatingChartDocument);
  const [chart, setChart] = useState<BuilderChart>({ name: "Main", sections: [] });
  const [loadedFrom, setLoadedFrom] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string } | null>(null);
  const chartJson = useMemo(() => toChartJson(chart), [chart]);
  const previewInput = useDebounced(chartJson, PREVIEW_DELAY_MS);
  const preview = useQuery(SeatingChartPreviewDocument, {
    variables: { chart: previewInput },
    skip: chart.sections.length === 0,
    fetchPolicy: "no-cache",
  });

  const venue = data?.managedVenue;
  // Newest version of each chart name (the API lists newest first within a name).
  const newest = useMemo(() => {
    const byName = new Map<string, NonNullable<typeof venue>["charts"][number]>();
    for (const version of venue?.charts ?? [])
      if (!byName.has(version.name)) byName.set(version.name, version);
    return byName;
  }, [venue]);

  const load = async (chartId: string) => {
    const result = await client.query({
      query: ExportSeatingChartDocument,
      variables: { chartId, format: "JSON" },
      fetchPolicy: "no-cache",
    });
    if (result.data) {
      setChart(fromChartJson(JSON.parse(result.data.exportSeatingChart)));
      setLoadedFrom(chartId);
      setOutcome(null);
    }
  };

  // Opens the venue's first chart once, so the builder starts from what is there.
  const firstChartId = venue?.charts[0]?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: loads once per venue, not on every edit.
  useEffect(() => {
    if (firstChartId && loadedFrom === null) void load(firstChartId);
  }, [firstChartId]);

  if (error && !data) return <ProblemNotice problem={describeApiError(error)} onRetry={() => refetch()} />;
  if (!venue) return <p aria-busy="true">Loading the venue…</p>;

  const current = newest.get(chart.name.trim());
  const problems = preview.data?.seatingChartPreview.problems ?? [];
  const problemsOf = (index: number) =>
    problems
      .filter(
        (problem) => problem.path.startsWith(`sections.${index}.`) || problem.path === `sections.${index}`,
      )
      .map((problem) => problem.message);
  const otherProblems = problems.filter((problem) => !/^sections\.\d+/.test(problem.path));
  const update = (index: number, section: BuilderSection) =>
    setChart({
      ...chart,
      sections: chart.sections.map((existing, at) => (at === index ? section : existing)),
    });

  const submit = async () => {
    setOutcome(null);
    try {
      const result = await save({ variables: { venueId, chart: chartJson } });
      const saved = result.data?.saveSeatingChart;
      // The builder already shows what was saved: marking it loaded keeps the first-chart effect from
      // reloading it over the organizer's edits (and clearing this outcome) when the refetch lists it.
      if (saved) setLoadedFrom(saved.chart.id);
      setOutcome({ ok: true, message: saved?.message ?? "Saved." });
      await refetch();
    } catch (saveError) {
      const { byField, other } = problemsByField(saveError);
      setOutcome({
        ok: false,
        message: other ?? [...byField].map(([path, message]) => `${path}: ${message}`).join("; "),
      });
    }
  };

  return (
    <div className={formStyles.page}>
      <BackLink href="/organizer/venues">Your venues</BackLink>
      <h1 className={layout.title}>{venue.name}</h1>
      <details className={formStyles.section}>
        <summary>Venue details</summary>
        <VenueForm venue={venue} onSaved={() => refetch()} />
      </details>

      <section className={formStyles.section} aria-labelledby="chart-heading">
        <h2 id="chart-heading">Seating chart</h2>
        <div className={styles.inline}>
          <div className={formStyles.field}>
            <label htmlFor="chart-open">Open a chart</label>
            <select
              id="chart-open"
              value={loadedFrom ?? ""}
              onChange={(event) =>
                event.target.value
                  ? void load(event.target.value)
                  : setChart({ name: "New chart", sections: [] })
              }
            >
              <option value="">A new chart</option>
              {[...newest.values()].map((version) => (
                <option key={version.id} value={version.id}>
                  {version.name} (version {version.version})
                </option>
              ))}
            </select>
          </div>
          <div className={formStyles.field}>
            <label htmlFor="chart-name">Chart name</label>
            <input
              id="chart-name"
              value={chart.name}
              onChange={(e) => setChart({ ...chart, name: e.target.value })}
            />
          </div>
        </div>
        <p className={styles.hint}>
          <Link href={`/organizer/venues/${venueId}/import`}>Import a chart</Link> from JSON or CSV instead.
        </p>
        {current && (current.frozenAt || current.events > 0) ? (
          <p className={styles.warning} role="status">
            {current.publishedEvents > 0 || current.frozenAt
              ? `This chart is used by an on-sale event: saving makes version ${current.version + 1}.`
              : `This chart is used by a draft event: saving makes version ${current.version + 1}.`}{" "}
            Events keep version {current.version}.
          </p>
        ) : null}
      </section>

      <div className={styles.builder}>
        <div className={styles.editors}>
          {chart.sections.map((section, index) => (
            <SectionEditor
              key={section.key}
              section={section}
              index={index}
              problems={problemsOf(index)}
              onChange={(changed) => update(index, changed)}
              onRemove={() =>
                setChart({ ...chart, sections: chart.sections.filter((_, at) => at !== index) })
              }
            />
          ))}
          <div className={formStyles.formActions}>
            <button
              type="button"
              className="button button-secondary"
              onClick={() =>
                setChart({
                  ...chart,
                  sections: [
                    ...chart.sections,
                    newBlock(chart.sections.length + 1, nextSpot(chart, venue.stage)),
                  ],
                })
              }
            >
              Add seated section
            </button>
            <button
              type="button"
              className="button button-secondary"
              onClick={() =>
                setChart({
                  ...chart,
                  sections: [
                    ...chart.sections,
                    newStanding(chart.sections.length + 1, nextSpot(chart, venue.stage)),
                  ],
                })
              }
            >
              Add standing area
            </button>
          </div>
        </div>
        <div className={styles.previewColumn} aria-live="polite">
          {chart.sections.length === 0 ? <p>Add a section to see the chart.</p> : null}
          {preview.data && preview.data.seatingChartPreview.problems.length === 0 ? (
            <ChartPreview preview={preview.data.seatingChartPreview} stage={venue.stage} />
          ) : null}
          {problems.length > 0 ? (
            <p className={formStyles.outcomeError}>
              {problems.length + (preview.data?.seatingChartPreview.moreProblems ?? 0)} problems: see the
              sections.
            </p>
          ) : null}
          {otherProblems.map((problem) => (
            <p key={problem.path + problem.message} className={formStyles.outcomeError}>
              {problem.message}
            </p>
          ))}
        </div>
      </div>

      {outcome ? (
        <p
          className={outcome.ok ? formStyles.outcome : formStyles.outcomeError}
          role={outcome.ok ? "status" : "alert"}
        >
          {outcome.message}
        </p>
      ) : null}
      <div className={formStyles.formActions}>
        <button
          type="button"
          className="button"
          onClick={submit}
          disabled={saving.loading || chart.sections.length === 0}
        >
          {saving.loading ? "Saving…" : "Save chart"}
        </button>
      </div>
    </div>
  );
}
