// The services `pnpm start` and `pnpm dev` provide, in start order (they are stopped in reverse). To add
// one: write its startEmbedded (spawn it through `context.children`, wait until it answers, return its
// URL) and add an entry here; the API then gets its URL in `envVar`.
import { startEmbeddedMaildev } from "./maildev.js";
import { startEmbeddedPostgres } from "./postgres.js";
import { startEmbeddedRedis } from "./redis.js";
import type { ManagedService } from "./service.js";

export const MANAGED_SERVICES: ManagedService[] = [
  {
    name: "PostgreSQL",
    envVar: "DATABASE_URL",
    defaultUrl: "postgresql://postgres@127.0.0.1:5432/frontrow",
    startEmbedded: startEmbeddedPostgres,
  },
  {
    name: "Redis",
    envVar: "REDIS_URL",
    defaultUrl: "redis://127.0.0.1:6379",
    startEmbedded: startEmbeddedRedis,
  },
  {
    // DESIGN §10: mail goes to SMTP_URL; without one, to a maildev of our own (its inbox is linked).
    name: "Mail (SMTP)",
    envVar: "SMTP_URL",
    defaultUrl: "smtp://127.0.0.1:1025",
    defaultLink: { label: "mail inbox (maildev)", url: "http://localhost:1080" },
    startEmbedded: startEmbeddedMaildev,
  },
];
