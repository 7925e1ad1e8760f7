// `pnpm bench mail`: how long the confirmations of a sell-out take to leave, and what the sender's
// memory peaks at (docs/notifications.md, "Figures").

import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { RunningApi } from "../lib/api-process.js";
import { startMaildev } from "../lib/maildev.js";
import type { Meter } from "../lib/meter.js";
import { integerOption, loadOptionsUsage, parseOptions } from "../lib/options.js";
import { type Reference, typenameReference } from "../lib/reference.js";
import { integer } from "../lib/report.js";
import { type Bench, openBench, withApi } from "../lib/scenario.js";
import { runSteps, type Step, type StepRun, stepsVerdict } from "../lib/steps.js";
import { finish } from "../lib/verdict.js";

const FULL = 5_000;
const QUICK = 300;
/** The target (issue 17): a 50,000-ticket sell-out's confirmations all sent within 10 minutes. */
const TARGET_PER_SECOND = 50_000 / 600;
const DRAIN_TIMEOUT_MS = 15 * 60_000;
const MARKER = "bench-mail";

export const usage = `Usage: pnpm bench mail [--quick] [--mails N]

Starts a maildev (a real SMTP server) and the built API on the bench database mailing to it, then plans N
order confirmations at once (${integer(FULL)}; --quick ${QUICK}), as the mail consumer does when a sell-out's
order.confirmed events arrive: one mail_message row and one mail.send job each, two tickets per order. Waits
until every one is marked sent, and prints the time that took, the rate (target: ≥ ${TARGET_PER_SECOND.toFixed(0)}/s,
a 50,000-ticket sell-out's confirmations within 10 minutes) and the API process's peak resident memory
(VmHWM), with the CPU per mail by process and the API's event loop, and the run's { __typename } as
reference. The mails' rows and jobs are deleted at the end. Checkout p99 with mail on:
BENCH_MAIL=on pnpm bench checkout.

${loadOptionsUsage}
  (the load options set the { __typename } reference's run)`;

function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

interface MailContext {
  bench: Bench;
  api: RunningApi;
  meter: Meter;
  count: number;
}

interface BenchEventRow {
  id: number;
  name: string;
  starts_at: Date;
  venue: string;
  city: string;
  timezone: string;
}

async function confirmationParams(bench: Bench) {
  const [event] = (
    await bench.db.query<BenchEventRow>(
      `SELECT e.id, e.name, e.starts_at, v.name AS venue, v.city, v.timezone
       FROM event e JOIN venue v ON v.id = e.venue_id ORDER BY e.id LIMIT 1`,
    )
  ).rows;
  if (!event) throw new Error("the bench database has no event");
  return {
    orderId: "00000000-0000-7000-8000-000000000000",
    totalMinor: 9_000,
    currency: "EUR",
    event: {
      id: event.id,
      name: event.name,
      startsAt: event.starts_at.toISOString(),
      venueName: event.venue,
      city: event.city,
      timezone: event.timezone,
    },
    tickets: [
      { section: "Stalls", row: "F", seat: 11, priceMinor: 4_500 },
      { section: "Stalls", row: "F", seat: 12, priceMinor: 4_500 },
    ],
    bench: MARKER,
  };
}

const sellOut: Step<MailContext> = {
  name: "sell-out-confirmations",
  header: ["step", "mails", "planned in", "all sent in", "mails/s", "50,000 would take", "API peak RSS"],
  operation: "mail",
  async run({ bench, api, meter, count }) {
    const params = await confirmationParams(bench);
    const mark = await meter.start();
    const started = performance.now();
    // Outbox event ids far above any real one: the rows' unique key needs one per mail.
    await bench.db.query(
      `WITH inserted AS (
         INSERT INTO mail_message (outbox_event_id, recipient, template, params)
         SELECT 9000000000000 + n, 'fan' || n || '@bench-mail.test', 'order.confirmed', $2::jsonb
         FROM generate_series(1, $1::int) AS n
         RETURNING id)
       SELECT graphile_worker.add_jobs(ARRAY(
         SELECT ROW('mail.send', json_build_object('messageId', id::text), NULL, NULL, NULL,
                    'mail.send:' || id, NULL, NULL)::graphile_worker.job_spec FROM inserted))`,
      [count, JSON.stringify(params)],
    );
    const planned = performance.now() - started;
    let sent = 0;
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (sent < count && Date.now() < deadline) {
      await sleep(250);
      sent =
        (
          await bench.db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM mail_message WHERE params->>'bench' = $1 AND status = 'SENT'",
            [MARKER],
          )
        ).rows[0]?.n ?? 0;
    }
    const cost = await meter.stop(mark, sent);
    const seconds = (performance.now() - started) / 1000;
    const perSecond = sent / seconds;
    const peakMb = peakRssMb(api.pid);
    return {
      cells: [
        this.name,
        integer(count),
        `${(planned / 1000).toFixed(1)} s`,
        sent === count ? `${seconds.toFixed(1)} s` : `${integer(sent)} sent, timed out`,
        perSecond.toFixed(0),
        `${(50_000 / perSecond / 60).toFixed(1)} min`,
        `${peakMb.toFixed(0)} MB`,
      ],
      cost,
      rate: perSecond,
      targets: [
        {
          name: "sell-out confirmations",
          goal: `≥ ${TARGET_PER_SECOND.toFixed(0)} mails/s (50,000 within 10 min)`,
          measured: `${perSecond.toFixed(0)} mails/s`,
          pass: perSecond >= TARGET_PER_SECOND,
        },
      ],
      problems: sent === count ? [] : [`${integer(count - sent)} of ${integer(count)} mails never sent`],
      figures: { mails: count, sent, plannedMs: planned, seconds, perSecond, peakRssMb: peakMb },
    };
  },
};

/** Every step, in order; a team adding one appends it here. */
export const STEPS: Step<MailContext>[] = [sellOut];

export async function run(args: string[]): Promise<number> {
  const { settings, values } = parseOptions(args, { values: ["mails"] });
  const count = integerOption("--mails", values.mails, settings.quick ? QUICK : FULL, {
    min: 1,
    max: 1_000_000,
  });
  const bench = await openBench("mail", "Mail: a sell-out's confirmations", settings.quick);
  const maildev = await startMaildev();
  let runs: StepRun[] = [];
  let reference: Reference | undefined;
  try {
    await withApi(
      bench,
      { env: { SMTP_URL: maildev.smtpUrl, JOBS_CONCURRENCY: "16" } },
      async ({ api, meter }) => {
        reference = (await typenameReference(api, settings, meter)).reference;
        runs = await runSteps(STEPS, { bench, api, meter, count }, reference);
      },
    );
  } finally {
    await bench.db.query("DELETE FROM mail_message WHERE params->>'bench' = $1", [MARKER]);
    await maildev.stop();
    await bench.close();
  }
  return finish({
    scenario: "mail",
    startedAt: bench.startedAt,
    quick: settings.quick,
    machine: bench.machine,
    references: reference ? [reference] : [],
    ...stepsVerdict(runs),
  });
}
