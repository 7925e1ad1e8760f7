"use client";

import { useMutation, useQuery } from "@apollo/client/react";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { BackLink } from "@/components/back-link";
import layout from "@/components/layout.module.css";
import { ProblemNotice } from "@/components/notice";
import {
  CreateEventDocument,
  EventSettingsDocument,
  MyVenuesDocument,
  UpdateEventDocument,
} from "@/gql/graphql";
import { describeApiError } from "@/lib/api-errors";
import { type FieldProblems, fieldProblems } from "./field-problems";
import styles from "./organizer.module.css";
import { organizerManageHref } from "./organizer-events";

// Create and edit an event (docs/organizers.md, "Life cycle"). Times are typed in the venue's zone; the
// API checks everything and the problems appear beside their fields, in its words.

interface FieldSpec {
  name: string;
  label: string;
  type?: "text" | "number" | "datetime-local" | "textarea" | "checkbox" | "venue";
  hint?: string;
  required?: boolean;
  createOnly?: boolean;
}

const FIELDS: FieldSpec[] = [
  {
    name: "venueId",
    label: "Venue",
    type: "venue",
    required: true,
    createOnly: true,
    hint: "Its newest seating chart is used.",
  },
  { name: "name", label: "Name", required: true },
  { name: "performer", label: "Performer", required: true },
  { name: "category", label: "Category", required: true, hint: "Concert, Theatre, Sport, …" },
  { name: "description", label: "Description", type: "textarea" },
  { name: "startsAt", label: "Starts at (venue's time)", type: "datetime-local", required: true },
  { name: "saleStartsAt", label: "Sale opens at (venue's time)", type: "datetime-local", required: true },
  {
    name: "saleEndsAt",
    label: "Sale ends at (optional)",
    type: "datetime-local",
    hint: "Empty: when the show starts.",
  },
  { name: "currency", label: "Currency", hint: "ISO code such as EUR; drafts only." },
  { name: "holdSeconds", label: "Hold time (seconds)", type: "number" },
  { name: "maxTicketsPerAccount", label: "Tickets per account", type: "number" },
  { name: "feePerTicketMinor", label: "Fee per ticket (cents)", type: "number" },
  { name: "cancelCutoffHours", label: "Fans may cancel until (hours before)", type: "number" },
  { name: "queueEnabled", label: "Waiting room", type: "checkbox" },
  {
    name: "transfersAllowed",
    label: "Fans may transfer tickets",
    type: "checkbox",
    hint: "They pass tickets to a friend by email; the tickets get new codes.",
  },
  {
    name: "transferCutoffHours",
    label: "Transfers close (hours before)",
    type: "number",
    hint: "0: until the show starts.",
  },
  {
    name: "waitlistEnabled",
    label: "Waitlist when sold out",
    type: "checkbox",
    hint: "Fans queue for seats that come back.",
  },
  {
    name: "waitlistOfferSeconds",
    label: "Waitlist offer holds seats for (seconds)",
    type: "number",
    hint: "300 to 86400; then the offer passes to the next fan.",
  },
];

type Values = Record<string, string | boolean>;

function inputOf(values: Values, fields: FieldSpec[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.type === "checkbox") input[field.name] = Boolean(value);
    else if (field.type === "number") {
      if (value !== "" && value !== undefined) input[field.name] = Number(value);
    } else if (field.name === "saleEndsAt") input[field.name] = value || null;
    else if (value !== "" && value !== undefined) input[field.name] = value;
  }
  return input;
}

export function EventForm({ eventId }: { eventId?: string }) {
  const { data, error, loading, refetch } = useQuery(EventSettingsDocument, {
    variables: { eventId: eventId ?? "" },
    skip: !eventId,
    fetchPolicy: "network-only",
    ssr: false,
  });
  if (eventId && loading && !data) return <p aria-busy="true">Loading the event…</p>;
  if (eventId && error && !data) return <ProblemNotice problem={describeApiError(error)} onRetry={refetch} />;
  const settings = data?.eventSettings;
  const initial: Values = settings
    ? Object.fromEntries(
        FIELDS.map((field) => {
          const value = (settings as Record<string, unknown>)[field.name];
          return [
            field.name,
            typeof value === "boolean" ? value : value === null || value === undefined ? "" : String(value),
          ];
        }),
      )
    : {
        currency: "EUR",
        holdSeconds: "600",
        maxTicketsPerAccount: "8",
        feePerTicketMinor: "0",
        cancelCutoffHours: "24",
        queueEnabled: false,
        transfersAllowed: true,
        transferCutoffHours: "0",
        waitlistEnabled: true,
        waitlistOfferSeconds: "1800",
      };
  return <EventFormFields eventId={eventId} initial={initial} timezone={settings?.timezone ?? null} />;
}

function EventFormFields({
  eventId,
  initial,
  timezone,
}: {
  eventId?: string;
  initial: Values;
  timezone: string | null;
}) {
  const id = useId();
  const router = useRouter();
  const [values, setValues] = useState<Values>(initial);
  const [problems, setProblems] = useState<FieldProblems>({});
  const [createEvent, creating] = useMutation(CreateEventDocument);
  const [updateEvent, updating] = useMutation(UpdateEventDocument);
  const fields = FIELDS.filter((field) => !(eventId && field.createOnly));
  // The organizer picks one of their venues by name (an id is nothing they can know).
  const venues = useQuery(MyVenuesDocument, { skip: Boolean(eventId), ssr: false });

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblems({});
    const input = inputOf(values, fields);
    try {
      if (eventId) {
        await updateEvent({ variables: { eventId, input } });
        router.push(organizerManageHref(eventId));
      } else {
        const result = await createEvent({ variables: { input: input as never } });
        const created = result.data?.createEvent.id;
        if (created) router.push(organizerManageHref(created));
      }
    } catch (error) {
      setProblems(fieldProblems(error));
    }
  };

  const formProblems = Object.entries(problems).filter(([field]) => !fields.some((f) => f.name === field));
  return (
    <div className={styles.controlsPage}>
      <header className={styles.header}>
        <BackLink href={eventId ? organizerManageHref(eventId) : "/organizer"}>
          {eventId ? "The event" : "Your events"}
        </BackLink>
        <h1 className={layout.title}>{eventId ? "Edit the event" : "New event"}</h1>
        <p className={layout.muted}>
          Times are in the venue's time zone{timezone ? ` (${timezone})` : ""}. A new event is a draft until
          you publish it.
        </p>
      </header>
      <form
        className={`${styles.section} ${styles.form}`}
        onSubmit={(event) => void submit(event)}
        noValidate
      >
        {formProblems.length > 0 ? (
          <div className={styles.outcomeError} role="alert">
            {formProblems.flatMap(([, messages]) => messages).join(" ")}
          </div>
        ) : null}
        <div className={styles.fields}>
          {fields.map((field) => {
            const inputId = `${id}-${field.name}`;
            const errors = problems[field.name];
            const describedBy = [field.hint ? `${inputId}-hint` : "", errors ? `${inputId}-error` : ""]
              .filter(Boolean)
              .join(" ");
            const common = {
              id: inputId,
              name: field.name,
              "aria-invalid": errors ? true : undefined,
              "aria-describedby": describedBy || undefined,
            };
            return (
              <div key={field.name} className={styles.field}>
                <label htmlFor={inputId}>
                  {field.label}
                  {field.required ? " *" : ""}
                </label>
                {field.type === "textarea" ? (
                  <textarea
                    {...common}
                    rows={3}
                    value={String(values[field.name] ?? "")}
                    onChange={(e) => setValues({ ...values, [field.name]: e.target.value })}
                  />
                ) : field.type === "venue" ? (
                  <select
                    {...common}
                    required={field.required}
                    value={String(values[field.name] ?? "")}
                    onChange={(e) => setValues({ ...values, [field.name]: e.target.value })}
                  >
                    <option value="">
                      {venues.loading ? "Loading your venues…" : "Choose one of your venues"}
                    </option>
                    {(venues.data?.myVenues ?? []).map((venue) => (
                      <option key={venue.id} value={venue.id}>
                        {venue.name}, {venue.city}
                      </option>
                    ))}
                  </select>
                ) : field.type === "checkbox" ? (
                  <input
                    {...common}
                    type="checkbox"
                    checked={Boolean(values[field.name])}
                    onChange={(e) => setValues({ ...values, [field.name]: e.target.checked })}
                  />
                ) : (
                  <input
                    {...common}
                    type={field.type ?? "text"}
                    inputMode={field.type === "number" ? "numeric" : undefined}
                    required={field.required}
                    value={String(values[field.name] ?? "")}
                    onChange={(e) => setValues({ ...values, [field.name]: e.target.value })}
                  />
                )}
                {field.hint ? (
                  <span id={`${inputId}-hint`} className={styles.hint}>
                    {field.hint}
                  </span>
                ) : null}
                {errors ? (
                  <span id={`${inputId}-error`} className={styles.fieldError} role="alert">
                    {errors.join(" ")}
                  </span>
                ) : null}
              </div>
            );
          })}
        </div>
        <div className={styles.formActions}>
          <button type="submit" className="button" disabled={creating.loading || updating.loading}>
            {eventId ? "Save changes" : "Create draft"}
          </button>
        </div>
      </form>
    </div>
  );
}
