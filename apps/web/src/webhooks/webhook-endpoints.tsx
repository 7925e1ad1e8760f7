"use client";

import { useLazyQuery, useMutation, useQuery } from "@apollo/client/react";
import { type FormEvent, useId, useState } from "react";
import layout from "@/components/layout.module.css";
import { Notice, ProblemNotice } from "@/components/notice";
import {
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  EnableWebhookEndpointDocument,
  RedeliverWebhookDocument,
  RotateWebhookSecretDocument,
  WebhookDeliveriesDocument,
  type WebhookEndpointFieldsFragment,
  WebhookEndpointsDocument,
} from "@/gql/graphql";
import { describeApiError, graphQLErrorDetails, stringExtension } from "@/lib/api-errors";
import formStyles from "@/organizer/organizer.module.css";
import styles from "./webhooks.module.css";

const DELIVERIES_PAGE = 20;
const dateTime = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");

/** The caller's endpoints, a form to add one, and each one's delivery log (docs/partners.md). */
export function WebhookEndpoints() {
  const { data, error, loading, refetch } = useQuery(WebhookEndpointsDocument, {
    ssr: false,
    fetchPolicy: "network-only",
  });
  // A secret is shown once: right after creating or rotating, until the organizer leaves the page.
  const [secret, setSecret] = useState<{ endpointId: string; value: string } | null>(null);

  if (loading && !data) return <p aria-busy="true">Loading your endpoints…</p>;
  if (error && !data) return <ProblemNotice problem={describeApiError(error)} onRetry={refetch} />;
  const endpoints = data?.webhookEndpoints ?? [];
  return (
    <>
      <CreateEndpointForm
        eventTypes={data?.webhookEventTypes ?? []}
        onCreated={(endpointId, value) => {
          setSecret({ endpointId, value });
          void refetch();
        }}
      />
      {endpoints.length === 0 ? (
        <Notice title="No endpoints yet">Endpoints you register appear here with their deliveries.</Notice>
      ) : (
        <ul className={styles.list} aria-label="Your webhook endpoints">
          {endpoints.map((endpoint) => (
            <EndpointItem
              key={endpoint.id}
              endpoint={endpoint}
              secret={secret?.endpointId === endpoint.id ? secret.value : null}
              onSecret={(value) => setSecret({ endpointId: endpoint.id, value })}
              onChanged={() => void refetch()}
            />
          ))}
        </ul>
      )}
    </>
  );
}

function CreateEndpointForm({
  eventTypes,
  onCreated,
}: {
  eventTypes: string[];
  onCreated: (endpointId: string, secret: string) => void;
}) {
  const id = useId();
  const [create, { loading }] = useMutation(CreateWebhookEndpointDocument);
  const [url, setUrl] = useState("");
  const [eventId, setEventId] = useState("");
  const [chosen, setChosen] = useState<string[]>(["order.confirmed"]);
  const [problem, setProblem] = useState<{ field: string | null; message: string } | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblem(null);
    try {
      const result = await create({
        variables: { input: { url: url.trim(), eventTypes: chosen, eventId: eventId.trim() || null } },
      });
      const created = result.data?.createWebhookEndpoint;
      if (created?.secret) onCreated(created.id, created.secret);
      setUrl("");
      setEventId("");
    } catch (error) {
      const details = graphQLErrorDetails(error);
      setProblem({
        field: details ? stringExtension(details, "field") : null,
        message: details?.message ?? describeApiError(error).message,
      });
    }
  };

  return (
    <section aria-labelledby={`${id}-heading`} className={formStyles.section}>
      <h2 id={`${id}-heading`}>Add an endpoint</h2>
      <form className={formStyles.form} onSubmit={submit}>
        <div className={formStyles.fields}>
          <div className={formStyles.field}>
            <label htmlFor={`${id}-url`}>URL</label>
            <input
              id={`${id}-url`}
              type="url"
              inputMode="url"
              required
              placeholder="https://partner.example/hooks"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              aria-invalid={problem?.field === "url"}
              aria-describedby={problem ? `${id}-problem` : undefined}
            />
          </div>
          <div className={formStyles.field}>
            <label htmlFor={`${id}-event`}>Event id (optional)</label>
            <input
              id={`${id}-event`}
              inputMode="numeric"
              placeholder="All your events"
              value={eventId}
              onChange={(e) => setEventId(e.target.value)}
              aria-invalid={problem?.field === "eventId"}
            />
          </div>
        </div>
        <fieldset className={styles.checkboxes} aria-invalid={problem?.field === "eventTypes"}>
          <legend className={formStyles.hint}>Events to send</legend>
          {eventTypes.map((type) => (
            <label key={type}>
              <input
                type="checkbox"
                checked={chosen.includes(type)}
                onChange={(e) =>
                  setChosen(e.target.checked ? [...chosen, type] : chosen.filter((t) => t !== type))
                }
              />
              <code>{type}</code>
            </label>
          ))}
        </fieldset>
        {problem ? (
          <p id={`${id}-problem`} className={formStyles.outcomeError} role="alert">
            {problem.message}
          </p>
        ) : null}
        <div className={formStyles.formActions}>
          <button type="submit" className="button" disabled={loading || chosen.length === 0}>
            {loading ? "Adding…" : "Add endpoint"}
          </button>
        </div>
      </form>
    </section>
  );
}

function EndpointItem({
  endpoint,
  secret,
  onSecret,
  onChanged,
}: {
  endpoint: WebhookEndpointFieldsFragment;
  secret: string | null;
  onSecret: (secret: string) => void;
  onChanged: () => void;
}) {
  const [rotate, rotating] = useMutation(RotateWebhookSecretDocument);
  const [enable, enabling] = useMutation(EnableWebhookEndpointDocument);
  const [remove, removing] = useMutation(DeleteWebhookEndpointDocument);
  const [failure, setFailure] = useState<string | null>(null);
  const variables = { endpointId: endpoint.id };
  const run = async (action: () => Promise<unknown>) => {
    setFailure(null);
    try {
      await action();
      onChanged();
    } catch (error) {
      setFailure(describeApiError(error).message);
    }
  };

  return (
    <li className={styles.endpoint} data-webhook-endpoint-id={endpoint.id}>
      <div className={styles.endpointHead}>
        <span className={styles.url}>{endpoint.url}</span>
        <span className={layout.muted}>
          {endpoint.eventTypes.join(", ")} ·{" "}
          {endpoint.eventId ? `event ${endpoint.eventId}` : "all your events"}
        </span>
      </div>
      {endpoint.disabledAt ? (
        <p className={styles.disabled} role="status">
          Disabled {dateTime(endpoint.disabledAt)}: {endpoint.disabledReason}
        </p>
      ) : null}
      {secret ? (
        <p className={styles.secret} role="status">
          Signing secret (shown once, copy it now): <code>{secret}</code>
        </p>
      ) : null}
      {endpoint.previousSecretExpiresAt && new Date(endpoint.previousSecretExpiresAt) > new Date() ? (
        <p className={layout.muted}>
          The previous secret also signs until {dateTime(endpoint.previousSecretExpiresAt)}.
        </p>
      ) : null}
      <div className={styles.actions}>
        {endpoint.disabledAt ? (
          <button
            type="button"
            className="button"
            disabled={enabling.loading}
            onClick={() => void run(() => enable({ variables }))}
          >
            Enable
          </button>
        ) : null}
        <button
          type="button"
          className="button button-secondary"
          disabled={rotating.loading}
          onClick={() =>
            void run(async () => {
              const result = await rotate({ variables });
              const value = result.data?.rotateWebhookSecret.secret;
              if (value) onSecret(value);
            })
          }
        >
          Rotate secret
        </button>
        <button
          type="button"
          className="button button-secondary"
          disabled={removing.loading}
          onClick={() => {
            if (window.confirm(`Delete the endpoint ${endpoint.url} and its delivery log?`))
              void run(() => remove({ variables }));
          }}
        >
          Delete
        </button>
      </div>
      {failure ? (
        <p className={formStyles.outcomeError} role="alert">
          {failure}
        </p>
      ) : null}
      <Deliveries endpointId={endpoint.id} />
    </li>
  );
}

/** The delivery log, loaded when opened (a native disclosure: keyboard and screen readers know it). */
function Deliveries({ endpointId }: { endpointId: string }) {
  const [load, { data, error, loading, refetch }] = useLazyQuery(WebhookDeliveriesDocument, {
    fetchPolicy: "network-only",
  });
  const [redeliver] = useMutation(RedeliverWebhookDocument);
  const [opened, setOpened] = useState(false);
  const connection = data?.webhookDeliveries;

  return (
    <details
      onToggle={(event) => {
        if ((event.currentTarget as HTMLDetailsElement).open && !opened) {
          setOpened(true);
          void load({ variables: { endpointId, first: DELIVERIES_PAGE } });
        }
      }}
    >
      <summary>Deliveries{connection ? ` (${connection.totalCount})` : ""}</summary>
      {loading && !connection ? <p aria-busy="true">Loading deliveries…</p> : null}
      {error ? <p className={formStyles.outcomeError}>{describeApiError(error).message}</p> : null}
      {connection && connection.edges.length === 0 ? (
        <p className={layout.muted}>No deliveries yet.</p>
      ) : null}
      {connection ? (
        <ul className={styles.deliveries}>
          {connection.edges.map(({ node }) => (
            <li key={node.id} className={styles.delivery} data-webhook-delivery-id={node.id}>
              <code>{node.eventType}</code>
              <strong>{node.status}</strong>
              <span>
                {node.attempts} attempt{node.attempts === 1 ? "" : "s"}
                {node.lastStatusCode ? ` · HTTP ${node.lastStatusCode}` : ""}
              </span>
              <span className={layout.muted}>
                {node.status === "PENDING" && node.nextAttemptAt
                  ? `next try ${dateTime(node.nextAttemptAt)}`
                  : dateTime(node.deliveredAt ?? node.createdAt)}
              </span>
              <button
                type="button"
                className="button button-secondary"
                onClick={() => void redeliver({ variables: { deliveryId: node.id } }).then(() => refetch())}
              >
                Redeliver
              </button>
              {node.attemptLog.length ? (
                <ol className={styles.attempts}>
                  {node.attemptLog.map((attempt) => (
                    <li key={attempt.attemptedAt}>
                      {dateTime(attempt.attemptedAt)}:{" "}
                      {attempt.statusCode ? `HTTP ${attempt.statusCode}` : (attempt.error ?? "no answer")} in{" "}
                      {attempt.durationMs} ms
                    </li>
                  ))}
                </ol>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </details>
  );
}
