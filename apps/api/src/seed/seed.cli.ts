// `pnpm db:seed`: seeds the database at DATABASE_URL (see seed.ts for what and the demo accounts).
import { performance } from "node:perf_hooks";
import { loadConfig } from "../config.js";
import { createPrisma, type Db } from "../infra/prisma.js";
import { DEMO_ACCOUNTS, type SeedSummary, seed } from "./seed.js";

function redactedUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return "(unparsable DATABASE_URL)";
  }
}

/** Prisma puts the actual cause on the last line of a multi-line message. */
function causeOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split("\n").filter((line) => line.trim() !== "");
  return lines.at(-1)?.trim() ?? "unknown error";
}

function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([key, count]) => `${key} ${count.toLocaleString("en-US")}`)
    .join(", ");
}

function printSummary(summary: SeedSummary): void {
  const lines = [
    "",
    `Seeded (event dates relative to ${summary.now.toISOString()}):`,
    `  venues       ${summary.venues} in ${summary.cities.length} cities (${summary.cities.join(", ")})`,
    `  seats        ${summary.seats.toLocaleString("en-US")} in ${summary.sections} sections`,
    ...Object.entries(summary.seatsByVenue).map(
      ([slug, seats]) => `    ${slug.padEnd(34)} ${seats.toLocaleString("en-US").padStart(7)}`,
    ),
    `  performers   ${summary.performers}`,
    `  events       ${summary.events}: ${formatCounts(summary.eventsByStatus)}`,
    `               ${formatCounts(summary.eventsByCategory)}`,
    `  price tiers  ${summary.priceTiers}, section pricings ${summary.sectionPricings}`,
    `  event seats  ${summary.eventSeats.toLocaleString("en-US")}`,
    `  users        ${summary.users}`,
    `  inserted now ${formatCounts(summary.inserted)}`,
    "",
    "Demo accounts:",
    ...Object.values(DEMO_ACCOUNTS).map(
      (account) => `  ${account.email.padEnd(24)} ${account.password.padEnd(20)} ${account.role}`,
    ),
    "",
    `Done in ${(summary.totalMs / 1000).toFixed(1)} s.`,
  ];
  console.log(lines.join("\n"));
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const config = loadConfig();
  console.log(`Seeding ${redactedUrl(config.DATABASE_URL)}`);
  // Two statements in flight at a time are all the seed uses; a small pool is enough.
  const db: Db = createPrisma(config.DATABASE_URL, { poolSize: 4 });
  try {
    const summary = await seed(db, { log: (line) => console.log(`  ${line}`) });
    printSummary(summary);
  } catch (error) {
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    // Details first, the one-line cause last, where the terminal leaves the eye.
    console.error("\nDetails:", error);
    console.error(`\nSeed failed after ${seconds} s: ${causeOf(error)}`);
    console.error("Is Postgres running at DATABASE_URL, and migrated (`pnpm db:migrate`)?");
    process.exitCode = 1;
  } finally {
    await db.$disconnect();
  }
}

await main().catch((error: unknown) => {
  // Errors before the database is touched (e.g. an invalid DATABASE_URL).
  console.error(`Seed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
