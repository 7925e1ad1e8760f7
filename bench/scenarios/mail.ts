// `pnpm bench mail`: how long the confirmations of a sell-out take to leave, and what the sender's
// memory peaks at (docs/notifications.md, "Figures").

import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { startMaildev } from "../lib/maildev.js";
import { integer, table } from "../lib/report.js";
import { openBench, withApi } from "../lib/scenario.js";

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
(VmHWM). The mails' rows and jobs are deleted at the end. Checkout p99 with mail on:
BENCH_MAIL=on pnpm bench checkout.`;

function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

export async function run(args: string[]): Promise<number> {
  const quick = args.includes("--quick");
  const asked = args.indexOf("--mails");
  const count = asked >= 0 ? Number(args[asked + 1]) : quick ? QUICK : FULL;
  if (!Number.isInteger(count) || count < 1) throw new Error("--mails must be a positive integer");
  const bench = await openBench("mail", "Mail: a sell-out's confirmations", quick);
  const maildev = await startMaildev();
  try {
    const [event] = (
      await bench.db.query<{
        id: number;
        name: string;
        starts_at: Date;
        venue: string;
        city: string;
        timezone: string;
      }>(
        `SELECT e.id, e.name, e.starts_at, v.name AS venue, v.city, v.timezone
         FROM event e JOIN venue v ON v.id = e.venue_id ORDER BY e.id LIMIT 1`,
      )
    ).rows;
    if (!event) throw new Error("the bench database has no event");
    const params = {
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
    return await withApi(
      bench,
      { env: { SMTP_URL: maildev.smtpUrl, JOBS_CONCURRENCY: "16" } },
      async ({ api }) => {
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
        const seconds = (performance.now() - started) / 1000;
        const perSecond = sent / seconds;
        console.log(
          table(
            ["mails", "planned in", "all sent in", "mails/s", "50,000 would take", "API peak RSS"],
            [
              [
                integer(count),
                `${(planned / 1000).toFixed(1)} s`,
                sent === count ? `${seconds.toFixed(1)} s` : `${integer(sent)} sent, timed out`,
                perSecond.toFixed(0),
                `${(50_000 / perSecond / 60).toFixed(1)} min`,
                `${peakRssMb(api.pid).toFixed(0)} MB`,
              ],
            ],
          ),
        );
        const met = sent === count && perSecond >= TARGET_PER_SECOND;
        console.log(
          `Target: ≥ ${TARGET_PER_SECOND.toFixed(0)} mails/s (50,000 in 10 min): ${met ? "met" : "MISSED"}`,
        );
        return met || quick ? 0 : 1;
      },
    );
  } finally {
    await bench.db.query("DELETE FROM mail_message WHERE params->>'bench' = $1", [MARKER]);
    await maildev.stop();
    await bench.close();
  }
}
