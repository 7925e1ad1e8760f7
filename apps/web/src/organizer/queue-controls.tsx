"use client";

import { useMutation, useQuery } from "@apollo/client/react";
import Link from "next/link";
import { type FormEvent, useId, useState } from "react";
import { BackLink } from "@/components/back-link";
import layout from "@/components/layout.module.css";
import { Notice, ProblemNotice } from "@/components/notice";
import {
  OrganizerEventDocument,
  type QueueSettingsFieldsFragment,
  type QueueSettingsInput,
  UpdateQueueSettingsDocument,
} from "@/gql/graphql";
import { type ApiProblem, describeApiError, graphQLErrorDetails } from "@/lib/api-errors";
import { formatCount, formatEventDate, formatEventTime } from "@/lib/format";
import { expectedAttempts } from "@/queue/proof-of-work";
import { BotSignals } from "./bot-signals";
import styles from "./organizer.module.css";

// The figures an organizer watches during an on-sale: fresh enough to react, light on the API.
const REFRESH_MS = 3_000;
const MAX_DIFFICULTY = 28;
const ADMISSION_WORDS = {
  paused: "paused",
  running: "running",
  waiting: "not open yet: the sale has not started",
} as const;

interface Draft {
  admissionRatePerMinute: string;
  maxActiveShoppers: string;
  proofOfWorkDifficulty: string;
  shoppingWindowMinutes: string;
}

function draftOf(settings: QueueSettingsFieldsFragment): Draft {
  return {
    admissionRatePerMinute: String(settings.admissionRatePerMinute),
    maxActiveShoppers: settings.maxActiveShoppers === null ? "" : String(settings.maxActiveShoppers),
    proofOfWorkDifficulty: String(settings.proofOfWorkDifficulty),
    shoppingWindowMinutes: String(Math.round(settings.shoppingWindowSeconds / 6) / 10),
  };
}

/** Only what the organizer changed, so two organizers editing different settings don't undo each other. */
function changedSettings(draft: Draft, current: QueueSettingsFieldsFragment): QueueSettingsInput {
  const input: QueueSettingsInput = {};
  const saved = draftOf(current);
  if (draft.admissionRatePerMinute !== saved.admissionRatePerMinute)
    input.admissionRatePerMinute = Number(draft.admissionRatePerMinute);
  if (draft.maxActiveShoppers !== saved.maxActiveShoppers)
    // The API reads 0 as "no cap".
    input.maxActiveShoppers = draft.maxActiveShoppers.trim() === "" ? 0 : Number(draft.maxActiveShoppers);
  if (draft.proofOfWorkDifficulty !== saved.proofOfWorkDifficulty)
    input.proofOfWorkDifficulty = Number(draft.proofOfWorkDifficulty);
  if (draft.shoppingWindowMinutes !== saved.shoppingWindowMinutes)
    input.shoppingWindowSeconds = Math.round(Number(draft.shoppingWindowMinutes) * 60);
  return input;
}

function describeSettingsError(error: unknown): ApiProblem {
  const details = graphQLErrorDetails(error);
  if (details?.code === "FORBIDDEN")
    return {
      title: "Not your event",
      message: "Only the event's organizer or an admin can change its waiting room.",
    };
  if (details?.code === "BAD_USER_INPUT") return { title: "Check the settings", message: details.message };
  return describeApiError(error);
}

/** Live figures and controls of one event's waiting room. */
export function QueueControls({ eventId }: { eventId: string }) {
  const { data, error, loading, refetch } = useQuery(OrganizerEventDocument, {
    variables: { id: eventId },
    ssr: false,
    fetchPolicy: "network-only",
    pollInterval: REFRESH_MS,
    notifyOnNetworkStatusChange: false,
  });
  const event = data?.event;

  if (loading && !data) return <p aria-busy="true">Loading the waiting room…</p>;
  if (error && !data) {
    const problem = describeApiError(error);
    return <ProblemNotice problem={problem} onRetry={refetch} />;
  }
  if (!event) {
    return (
      <Notice title="Event not found" action={<Link href="/organizer">Your events</Link>}>
        There is no event with this id.
      </Notice>
    );
  }
  const settings = event.queueSettings;
  return (
    <div className={styles.controlsPage}>
      <header className={styles.header}>
        <BackLink href="/organizer">Your events</BackLink>
        <h1 className={layout.title}>{event.name}</h1>
        <p className={layout.muted}>
          {event.venue.name}, {event.venue.city} · sale opens{" "}
          {formatEventDate(event.saleStartsAt, event.venue.timezone)}{" "}
          {formatEventTime(event.saleStartsAt, event.venue.timezone)} ·{" "}
          <Link href={`/events/${encodeURIComponent(event.id)}`}>Fan page</Link>
        </p>
      </header>
      {!settings ? (
        <Notice title="Not your event">
          Only the event's organizer or an admin can see its waiting room.
        </Notice>
      ) : !event.queueEnabled ? (
        <Notice title="No waiting room">
          This event sells without a waiting room: fans hold seats directly.
        </Notice>
      ) : (
        <>
          <QueueFigures settings={settings} />
          <SettingsForm eventId={event.id} settings={settings} />
          <BotSignals eventId={event.id} />
        </>
      )}
    </div>
  );
}

function QueueFigures({ settings }: { settings: QueueSettingsFieldsFragment }) {
  const cap = settings.maxActiveShoppers;
  return (
    <section aria-labelledby="figures-heading" className={styles.section}>
      <h2 id="figures-heading">Right now</h2>
      <dl className={styles.figures} aria-live="off" data-queue-figures>
        <div>
          <dt>Waiting</dt>
          <dd data-figure="waiting">{formatCount(settings.waitingCount)}</dd>
        </div>
        <div>
          <dt>Shopping</dt>
          <dd data-figure="active">
            {formatCount(settings.activeShoppers)}
            {cap !== null ? <span className={layout.muted}> / {formatCount(cap)}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Admitted so far</dt>
          <dd data-figure="served">{formatCount(settings.servedUpTo)}</dd>
        </div>
        <div>
          <dt>Measured rate</dt>
          <dd data-figure="rate">
            {settings.servedUpTo > 0 ? formatCount(settings.admittedPerMinuteMeasured) : "none yet"}
            <span className={layout.muted}> / {formatCount(settings.admissionRatePerMinute)} per min</span>
          </dd>
        </div>
      </dl>
      <p className={layout.muted}>Refreshed every {REFRESH_MS / 1000} seconds.</p>
    </section>
  );
}

function SettingsForm({ eventId, settings }: { eventId: string; settings: QueueSettingsFieldsFragment }) {
  const id = useId();
  const [updateSettings, { loading: saving }] = useMutation(UpdateQueueSettingsDocument);
  // Null until the organizer edits: the form then follows the live figures.
  const [draft, setDraft] = useState<Draft | null>(null);
  const [outcome, setOutcome] = useState<{
    tone: "success" | "error";
    title: string;
    message: string;
  } | null>(null);
  const shown = draft ?? draftOf(settings);
  const admissions = settings.paused ? "paused" : settings.admissionsOpen ? "running" : "waiting";
  const edit = (field: keyof Draft, value: string) => setDraft({ ...shown, [field]: value });
  const difficulty = Number(shown.proofOfWorkDifficulty);

  const save = async (input: QueueSettingsInput, done: string) => {
    setOutcome(null);
    try {
      await updateSettings({ variables: { eventId, input } });
      setDraft(null);
      setOutcome({ tone: "success", title: "Saved", message: done });
    } catch (error) {
      setOutcome({ tone: "error", ...describeSettingsError(error) });
    }
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const input = changedSettings(shown, settings);
    if (Object.keys(input).length === 0) {
      setOutcome({
        tone: "success",
        title: "Nothing to save",
        message: "The settings are already in force.",
      });
      return;
    }
    void save(input, "The waiting room uses the new settings from its next tick.");
  };

  return (
    <section aria-labelledby="controls-heading" className={styles.section}>
      <h2 id="controls-heading">Controls</h2>
      <div className={`${styles.pauseRow} ${settings.paused ? layout.warning : layout.plain}`}>
        <p role="status">
          Admissions are <strong data-admissions={admissions}>{ADMISSION_WORDS[admissions]}</strong>.{" "}
          {settings.paused
            ? "Fans keep their places; nobody new is let in."
            : admissions === "waiting"
              ? "Fans who join now wait in the pre-queue; the draw at the sale's opening orders them."
              : "Fans are let in at the rate below, up to the shopper cap."}
        </p>
        <button
          type="button"
          className={settings.paused ? "button" : "button button-secondary"}
          disabled={saving}
          onClick={() =>
            void save(
              { paused: !settings.paused },
              settings.paused ? "Admissions resumed." : "Admissions paused; fans keep their places.",
            )
          }
        >
          {settings.paused ? "Resume admissions" : "Pause admissions"}
        </button>
      </div>
      <form className={styles.form} onSubmit={submit} aria-describedby={`${id}-hint`}>
        <p id={`${id}-hint`} className={layout.muted}>
          Changes apply live to everyone in line; positions and estimated waits update at once.
        </p>
        <div className={styles.fields}>
          <div className={styles.field}>
            <label htmlFor={`${id}-rate`}>Admission rate (fans per minute)</label>
            <input
              id={`${id}-rate`}
              type="number"
              inputMode="numeric"
              min={0}
              step={1}
              required
              value={shown.admissionRatePerMinute}
              onChange={(event) => edit("admissionRatePerMinute", event.target.value)}
            />
          </div>
          <div className={styles.field}>
            <label htmlFor={`${id}-cap`}>Most active shoppers at once</label>
            <input
              id={`${id}-cap`}
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              placeholder="No cap"
              aria-describedby={`${id}-cap-hint`}
              value={shown.maxActiveShoppers}
              onChange={(event) => edit("maxActiveShoppers", event.target.value)}
            />
            <span id={`${id}-cap-hint`} className={styles.hint}>
              Leave empty for no cap.
            </span>
          </div>
          <div className={styles.field}>
            <label htmlFor={`${id}-window`}>Shopping window (minutes)</label>
            <input
              id={`${id}-window`}
              type="number"
              inputMode="decimal"
              min={1}
              step={0.5}
              required
              value={shown.shoppingWindowMinutes}
              onChange={(event) => edit("shoppingWindowMinutes", event.target.value)}
            />
          </div>
          <div className={styles.field}>
            <label htmlFor={`${id}-pow`}>Proof-of-work difficulty (bits)</label>
            <input
              id={`${id}-pow`}
              type="number"
              inputMode="numeric"
              min={0}
              max={MAX_DIFFICULTY}
              step={1}
              required
              aria-describedby={`${id}-pow-hint`}
              value={shown.proofOfWorkDifficulty}
              onChange={(event) => edit("proofOfWorkDifficulty", event.target.value)}
            />
            <span id={`${id}-pow-hint`} className={styles.hint}>
              {Number.isInteger(difficulty) && difficulty > 0
                ? `Each join costs ~${formatCount(expectedAttempts(difficulty))} hashes on the fan's device. Raise it during a bot attack.`
                : "Off: fans join without a puzzle. Raise it during a bot attack."}
            </span>
          </div>
        </div>
        <div className={styles.formActions}>
          <button type="submit" className="button" disabled={saving}>
            {saving ? "Saving…" : "Save settings"}
          </button>
          {draft ? (
            <button type="button" className="button button-secondary" onClick={() => setDraft(null)}>
              Discard changes
            </button>
          ) : null}
        </div>
      </form>
      {outcome ? (
        <p
          className={outcome.tone === "error" ? styles.outcomeError : styles.outcome}
          role={outcome.tone === "error" ? "alert" : "status"}
        >
          <strong>{outcome.title}.</strong> {outcome.message}
        </p>
      ) : null}
    </section>
  );
}
