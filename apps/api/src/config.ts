import { randomBytes } from "node:crypto";
import { z } from "zod";

const limitWindow = z.object({
  points: z.number().int().min(1),
  seconds: z.number().int().min(1),
});
const rateLimitOverrides = z.record(
  z.string().regex(/^Mutation\.\w+$/, "keys are Mutation.<field>"),
  z.object({ account: limitWindow, ip: limitWindow, apiKey: limitWindow }).partial().strict(),
);
export type RateLimitOverrides = z.infer<typeof rateLimitOverrides>;

// The development values of the secrets: public (they are in this source), so refused in production.
export const DEVELOPMENT_SECRETS = {
  ADMISSION_TOKEN_SECRET: "frontrow-development-admission-secret",
  POW_SECRET: "frontrow-development-proof-of-work-secret",
  TICKET_SIGNING_KEY: "ZnJvbnRyb3ctZGV2ZWxvcG1lbnQtdGlja2V0LWtleSE",
  ACCOUNT_TOKEN_SECRET: "frontrow-development-account-token-secret",
} as const;
export type SecretName = keyof typeof DEVELOPMENT_SECRETS;
export const SECRET_NAMES = Object.keys(DEVELOPMENT_SECRETS) as SecretName[];

/** Prints a value that every secret accepts: 32 random bytes, base64url (43 characters). */
export const GENERATE_SECRET_COMMAND = `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`;

/** A fresh value for each secret, e.g. for a local demo or a test run (same format as the command above). */
export function generateSecrets(): Record<SecretName, string> {
  return Object.fromEntries(
    SECRET_NAMES.map((name) => [name, randomBytes(32).toString("base64url")]),
  ) as Record<SecretName, string>;
}

// Every setting the API reads from its environment, parsed and validated once at boot.
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .url()
    .refine((url) => /^postgres(ql)?:/.test(url), "must be a postgresql:// URL")
    .default("postgresql://postgres@127.0.0.1:5432/frontrow"),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  // Postgres ends a transaction whose client has said nothing for this long (0: never), so an instance
  // frozen mid-transaction (a stop, a long pause) cannot hold row locks that every instance waits for.
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(3_000),
  // One Redis (redis:// or rediss://), a Redis Cluster (redis+cluster://host:port,host:port) or a Sentinel
  // set (redis+sentinel://host:port,host:port/<primary name>): see infra/redis.ts.
  REDIS_URL: z
    .string()
    .refine(
      (url) =>
        (/^rediss?:/.test(url) && URL.canParse(url)) || /^redis\+(cluster|sentinel):\/\/[^/]+/.test(url),
      "must be a redis://, redis+cluster:// or redis+sentinel:// URL",
    )
    .default("redis://127.0.0.1:6379"),
  // Prepended to every Redis key, so several deployments (or test runs) can share one Redis.
  REDIS_KEY_PREFIX: z.string().default("fr:"),
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Browser origins allowed to call the API with credentials (comma separated); the web app by default.
  CORS_ORIGINS: z
    .string()
    .default("http://localhost:3000,http://127.0.0.1:3000")
    .transform((value) =>
      value
        .split(",")
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
  // Linked from the playground's header.
  WEB_APP_URL: z.string().url().default("http://localhost:3000"),
  SESSION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(7 * 24 * 3600),
  // How long an instance trusts what a session token resolved to without asking Redis again: also how long
  // a logout or a block done on ANOTHER instance may go unnoticed here (the same instance forgets at once).
  SESSION_LOCAL_CACHE_MS: z.coerce.number().int().min(0).max(10_000).default(2_000),
  // Subscriptions one WebSocket may run at once: a page needs a few; a client opening thousands on one
  // socket would make the instance keep state (and deliver) for each.
  MAX_SUBSCRIPTIONS_PER_SOCKET: z.coerce.number().int().min(1).max(10_000).default(25),
  // Processes serving the API on this machine (node:cluster, one port): a Node process uses one core.
  API_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  // What this process does (docs/notifications.md, "Off the sale's path"): `all` serves the API and runs
  // every job; `serve` serves it and leaves the heavy jobs (mail: PDFs and SMTP) to processes started
  // with `worker`, which serve nothing, run only those jobs and yield the CPU to the API (niceness 10).
  API_ROLE: z.enum(["all", "serve", "worker"]).default("all"),
  // Behind a proxy (docker-compose's nginx), trust X-Forwarded-For / -Proto for client IPs and HTTPS.
  TRUST_PROXY: z
    .enum(["true", "false"])
    .default("false")
    .transform((value) => value === "true"),
  LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  // Every caller's GraphQL requests per minute over HTTP (modules/defences/request-budget.ts): per
  // signed-in session, and per IP without a session (many fans share a venue's or a carrier's address,
  // and the web app's server renders every fan's pages from its own).
  REQUEST_BUDGET_PER_SESSION_PER_MINUTE: z.coerce.number().int().min(1).default(3_000),
  REQUEST_BUDGET_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).default(600_000),
  LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(50).default(10),
  MAX_QUERY_COST: z.coerce.number().int().min(10).default(5000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  // Seat changes of one event are merged into one seatMapChanged delta per window (docs/seat-map.md).
  SEAT_MAP_COALESCE_MS: z.coerce.number().int().min(10).max(1_000).default(100),
  // How often each instance looks for seat changes no delta carried (an instance died between its commit
  // and its publish) and publishes them; 0 turns it off. See modules/seating/seat-map-audit.ts.
  SEAT_MAP_AUDIT_INTERVAL_MS: z.coerce.number().int().min(0).default(5_000),
  // How often the sales counters' deltas are folded (docs/sales.md); 0: never (readers add them anyway).
  SALES_FOLD_INTERVAL_MS: z.coerce.number().int().min(0).default(2_000),
  // Seats one hold (holdSeats or holdBestAvailable) may take at most.
  HOLD_MAX_SEATS: z.coerce.number().int().min(1).max(100).default(10),
  // Hold statements one instance runs at once; holds that arrive meanwhile go together in the next one
  // (group commit, docs/holds.md). Fewer means bigger batches (less CPU per hold in Postgres); two let one
  // statement run while another waits for a lock or its commit.
  HOLD_BATCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  // How often each instance's sweeper releases expired holds, and how many it takes per transaction.
  HOLD_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(2_000),
  HOLD_SWEEP_BATCH: z.coerce.number().int().min(1).max(10_000).default(200),
  // After a Redis failure, seat locks and the session cache leave Redis alone (Postgres serves) this long.
  REDIS_RETRY_AFTER_MS: z.coerce.number().int().min(0).default(1_000),
  // Overrides of the request rate limits' table (src/modules/defences/rate-limits.ts), as JSON, e.g.
  // {"Mutation.holdSeats":{"account":{"points":2,"seconds":60}}}: a rule or one of its subjects at a time.
  RATE_LIMITS: z
    .string()
    .default("{}")
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "must be JSON" });
        return z.NEVER;
      }
    })
    .pipe(rateLimitOverrides),
  // Sign-ups from one IP per day beyond which each further sign-up is recorded as a bot signal.
  SIGNUPS_PER_IP_BEFORE_SIGNAL: z.coerce.number().int().min(1).default(5),
  // Signs proof-of-work challenges: the same on every instance; production needs its own (see below).
  POW_SECRET: z.string().min(32).default(DEVELOPMENT_SECRETS.POW_SECRET),
  POW_CHALLENGE_TTL_SECONDS: z.coerce.number().int().min(10).max(3_600).default(120),
  // A hold this soon after its admission is recorded as a bot signal (no person picks seats that fast).
  FAST_HOLD_AFTER_ADMISSION_MS: z.coerce.number().int().min(0).default(500),
  // Signs admission tokens (HMAC-SHA256); every instance needs the same one; production needs its own.
  ADMISSION_TOKEN_SECRET: z.string().min(16).default(DEVELOPMENT_SECRETS.ADMISSION_TOKEN_SECRET),
  // The waiting-room leader moves every line this often; its Redis lease lapses after QUEUE_LEASE_MS.
  QUEUE_TICK_MS: z.coerce.number().int().min(50).max(5_000).default(500),
  QUEUE_LEASE_MS: z.coerce.number().int().min(500).max(60_000).default(3_000),
  // Whether this instance may lead the waiting rooms (tests and benchmarks drive ticks themselves).
  QUEUE_LEADER: z
    .enum(["true", "false"])
    .default("true")
    .transform((value) => value === "true"),
  // Fans send a heartbeat this often; one silent longer than the grace loses its turn when it comes.
  QUEUE_HEARTBEAT_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
  QUEUE_HEARTBEAT_GRACE_SECONDS: z.coerce.number().int().min(2).max(3_600).default(30),
  // Ed25519 seed (32 bytes, base64url) that signs ticket codes; production needs its own.
  TICKET_SIGNING_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, "must be 32 bytes, base64url encoded")
    .default(DEVELOPMENT_SECRETS.TICKET_SIGNING_KEY),
  // Ticket codes rotate every this many seconds (a screenshot goes stale after about twice that).
  TICKET_CODE_WINDOW_SECONDS: z.coerce.number().int().min(15).max(30).default(20),
  // How often each instance's payment recovery looks for checkouts, cancellations and captures left
  // half-done (by a crash or a provider outage), and how old they must be to count as abandoned.
  PAYMENT_RECOVERY_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
  PAYMENT_RECOVERY_STALE_MS: z.coerce.number().int().min(0).default(60_000),
  // How often each instance looks for waitlists with seats to offer or offers to settle (each found one
  // becomes a durable job, modules/waitlist/waitlist-offers.ts): offers go out within about this long.
  WAITLIST_SCAN_INTERVAL_MS: z.coerce.number().int().min(50).default(2_000),
  // How often the outbox relay turns order events into jobs.
  OUTBOX_RELAY_INTERVAL_MS: z.coerce.number().int().min(50).default(200),
  // Background jobs (graphile-worker, infra/jobs.ts): jobs one instance runs at once (mostly waiting on
  // a partner's server, not on CPU); how often idle
  // workers look for jobs that became due; after how long a silent instance's jobs go to the others.
  JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(16),
  JOBS_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(250),
  JOBS_STALE_WORKER_MS: z.coerce.number().int().min(300).max(3_600_000).default(30_000),
  // Webhooks (docs/partners.md). Loopback and private targets are refused (server-side request forgery)
  // unless this is true: development and tests only.
  WEBHOOK_ALLOW_PRIVATE_URLS: z
    .enum(["true", "false"])
    .default("false")
    .transform((value) => value === "true"),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  // Retries wait base × 4^(n−1), at most the max delay, with jitter, for the window (≥ 24 h by default);
  // then the delivery fails and its endpoint is disabled.
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).default(5_000),
  WEBHOOK_RETRY_MAX_DELAY_MS: z.coerce
    .number()
    .int()
    .min(10)
    .default(2 * 3_600_000),
  WEBHOOK_RETRY_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(25 * 3_600_000),
  // After rotateWebhookSecret, the previous secret keeps signing (beside the new one) this long.
  // Mail (docs/notifications.md): the SMTP server every email goes to, e.g. smtp://127.0.0.1:1025 or
  // smtps://user:pass@smtp.example.com:465. `off` (or unset outside production) plans no mail at all;
  // `pnpm start` and `pnpm dev` set it to the maildev they run; production needs it set (`off` is a choice
  // made on purpose, e.g. for a drill, never a default).
  SMTP_URL: z
    .string()
    .refine(
      (url) => url === "off" || (/^smtps?:\/\//.test(url) && URL.canParse(url)),
      "must be an smtp:// or smtps:// URL, or off",
    )
    .optional(),
  MAIL_FROM: z.string().min(3).default("Frontrow <tickets@frontrow.test>"),
  // SMTP connections the sender keeps open per instance (nodemailer's pool).
  MAIL_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(50).default(5),
  // A mail being sent is claimed this long (longer than an SMTP send may take: nodemailer's socket timeout
  // is 30 s); a claim that lapsed was a crash mid-send, and another worker sends the mail.
  MAIL_CLAIM_MS: z.coerce.number().int().min(100).default(60_000),
  // Signs the tokens of emailed links (password reset, email verification); production needs its own.
  ACCOUNT_TOKEN_SECRET: z.string().min(32).default(DEVELOPMENT_SECRETS.ACCOUNT_TOKEN_SECRET),
  PASSWORD_RESET_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  // Reset requests per email address per hour, and per IP per hour (the answer never says which).
  PASSWORD_RESETS_PER_EMAIL_PER_HOUR: z.coerce.number().int().min(1).default(3),
  PASSWORD_RESETS_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(20),
  WEBHOOK_SECRET_OVERLAP_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(24 * 3_600_000),
  // The API as browsers reach it, for download links in its answers (Order.pdfUrl); by default
  // http://localhost:<PORT>.
  PUBLIC_API_URL: z
    .string()
    .url()
    .transform((url) => url.replace(/\/+$/, ""))
    .optional(),
  // Apple Wallet passes (docs/orders.md, "Wallet"): PEM files of the pass type certificate, its key and
  // Apple's WWDR certificate, the pass type id and team id. All or none: without them, no passes.
  APPLE_WALLET_CERT_FILE: z.string().min(1).optional(),
  APPLE_WALLET_KEY_FILE: z.string().min(1).optional(),
  APPLE_WALLET_KEY_PASSPHRASE: z.string().optional(),
  APPLE_WALLET_WWDR_FILE: z.string().min(1).optional(),
  APPLE_WALLET_PASS_TYPE_ID: z.string().min(1).optional(),
  APPLE_WALLET_TEAM_ID: z.string().min(1).optional(),
  // Google Wallet "save" links: the issuer id and a service account's JSON key file. Both or neither.
  GOOGLE_WALLET_ISSUER_ID: z.string().regex(/^\d+$/, "must be the numeric issuer id").optional(),
  GOOGLE_WALLET_SERVICE_ACCOUNT_FILE: z.string().min(1).optional(),
});

/** Settings that only work together: set all of a group or none. */
const SETTING_GROUPS = {
  "Apple Wallet": [
    "APPLE_WALLET_CERT_FILE",
    "APPLE_WALLET_KEY_FILE",
    "APPLE_WALLET_WWDR_FILE",
    "APPLE_WALLET_PASS_TYPE_ID",
    "APPLE_WALLET_TEAM_ID",
  ],
  "Google Wallet": ["GOOGLE_WALLET_ISSUER_ID", "GOOGLE_WALLET_SERVICE_ACCOUNT_FILE"],
} as const;

// Settings of a group come together. Anyone can sign admissions, mint proof-of-work challenges or forge
// tickets with a value from the source, so production refuses to boot on one (unset means the development
// value).
const withSecretsChecked = schema.superRefine((config, ctx) => {
  for (const [group, names] of Object.entries(SETTING_GROUPS)) {
    const missing = names.filter((name) => !config[name]);
    if (missing.length === 0 || missing.length === names.length) continue;
    for (const name of missing) {
      ctx.addIssue({ code: "custom", path: [name], message: `${group} needs it too (${names.join(", ")})` });
    }
  }
  if (config.NODE_ENV !== "production") return;
  for (const name of SECRET_NAMES) {
    if (config[name] !== DEVELOPMENT_SECRETS[name]) continue;
    ctx.addIssue({
      code: "custom",
      path: [name],
      message: `unset or a public development value: production needs its own. Set ${name} (the same on every instance) to a value from: ${GENERATE_SECRET_COMMAND}`,
    });
  }
  if (!config.SMTP_URL)
    ctx.addIssue({
      code: "custom",
      path: ["SMTP_URL"],
      message:
        "unset: production sends mail (order confirmations, password resets) to an SMTP server, e.g. smtps://user:pass@smtp.example.com:465",
    });
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = withSecretsChecked.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);
  }
  return parsed.data;
}
