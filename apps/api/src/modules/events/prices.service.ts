import type { Db } from "../../infra/prisma.js";
import { AppError, ErrorCode, notFound } from "../../kernel/errors.js";
import { TRANSACTION_OPTIONS } from "../../kernel/transactions.js";
import type { Viewer } from "../../kernel/viewer.js";
import type { SeatChangeNotifier } from "../seating/seat-changes.js";
import { recordAudit } from "./audit-store.js";
import { requireEventManager } from "./event-access.js";
import {
  chartSections,
  createInventoryReturningSeats,
  eventTiers,
  insertTier,
  lockEvent,
  priceSeats,
  priceSection,
  pricingSnapshot,
  repriceFreeSeats,
  rowExists,
  seatsOf,
  type TierRow,
  updateTier,
} from "./event-store.js";
import { Problems } from "./problems.js";

// Prices (docs/organizers.md, "Prices"): an event's tiers, and which tier whole sections, rows or single
// seats sell at (a later assignment wins over an earlier one; a section's assignment replaces its rows'
// and seats'). On a live event the unsold, unheld seats move to their new tier at once; seats held by a
// fan or sold keep the price their hold or ticket recorded.

export interface TierInput {
  /** An existing tier to change; absent: a new tier. */
  id?: number | null;
  name: string;
  priceMinor: number;
}

export interface AssignmentInput {
  /** The tier's name (a tier of this call or an existing one). */
  tier: string;
  sectionId: number;
  /** One row of the section. */
  row?: string | null;
  /** Single seats of the section. */
  seatIds?: number[] | null;
}

export interface SetPricesInput {
  tiers?: TierInput[] | null;
  assignments?: AssignmentInput[] | null;
}

export const MAX_PRICE_MINOR = 100_000_000;
export const MAX_ASSIGNMENTS = 500;
export const MAX_TIERS = 100;

export class PricesService {
  constructor(
    private readonly db: Db,
    private readonly seatChanges: SeatChangeNotifier,
  ) {}

  async setPrices(viewer: Viewer, eventId: number, input: SetPricesInput): Promise<TierRow[]> {
    await requireEventManager(this.db, viewer, eventId);
    const tiers = input.tiers ?? [];
    const assignments = input.assignments ?? [];
    // Sizes before any statement: the checks below query once per assignment and write once per tier,
    // holding the event's row lock and a pooled connection (a 256 KB request held ~6,500 assignments).
    const sizes = new Problems();
    sizes.check(
      assignments.length <= MAX_ASSIGNMENTS,
      "assignments",
      `At most ${MAX_ASSIGNMENTS} assignments at once`,
    );
    sizes.check(tiers.length <= MAX_TIERS, "tiers", `At most ${MAX_TIERS} tiers at once`);
    sizes.throwIfAny("The prices cannot be set");
    const outcome = await this.db.$transaction(
      async (tx) => {
        const event = await lockEvent(tx, eventId);
        if (!event) throw notFound("Event", String(eventId));
        if (event.status === "CANCELLED" || event.status === "ENDED") {
          throw new AppError(
            ErrorCode.CONFLICT,
            `The prices of a ${event.status.toLowerCase()} event cannot change`,
            {
              status: event.status,
            },
          );
        }
        const existing = await eventTiers(tx, eventId);
        const problems = new Problems();
        const names = new Map(existing.map((tier) => [tier.name, tier.id] as [string, number | null]));
        const byId = new Map(existing.map((tier) => [tier.id, tier]));
        const seen = new Set<string>();
        tiers.forEach((tier, i) => {
          const name = tier.name.trim();
          problems.check(
            name.length >= 1 && name.length <= 60,
            `tiers.${i}.name`,
            `tiers[${i}].name must be 1 to 60 characters`,
          );
          problems.check(!seen.has(name), `tiers.${i}.name`, `The tier name ${name} is given twice`);
          seen.add(name);
          problems.int(
            `tiers.${i}.priceMinor`,
            tier.priceMinor,
            0,
            MAX_PRICE_MINOR,
            `tiers[${i}].priceMinor`,
          );
          if (tier.id != null) {
            const old = byId.get(tier.id);
            if (
              !problems.check(
                old !== undefined,
                `tiers.${i}.id`,
                `tiers[${i}].id is not a tier of this event`,
              )
            )
              return;
            if (old && old.name !== name) names.delete(old.name);
          } else
            problems.check(
              !names.has(name) || tiers.some((t) => t.id != null && byId.get(t.id)?.name === name),
              `tiers.${i}.name`,
              `A tier named ${name} exists: give its id to change it`,
            );
          names.set(name, tier.id ?? null);
        });
        const sections = new Map(
          (await chartSections(tx, event.chartId)).map((section) => [section.id, section]),
        );
        for (const [i, assignment] of assignments.entries()) {
          problems.check(
            names.has(assignment.tier.trim()),
            `assignments.${i}.tier`,
            `assignments[${i}].tier ${assignment.tier} is not a tier of this event`,
          );
          const section = sections.get(assignment.sectionId);
          if (
            !problems.check(
              section !== undefined,
              `assignments.${i}.sectionId`,
              `assignments[${i}].sectionId is not a section of the event's chart`,
            )
          )
            continue;
          const seatIds = assignment.seatIds ?? [];
          problems.check(
            !(assignment.row && seatIds.length),
            `assignments.${i}`,
            `assignments[${i}] names a row or seats, not both`,
          );
          if (section?.kind === "STANDING") {
            problems.check(
              !assignment.row && seatIds.length === 0,
              `assignments.${i}`,
              `A standing section is priced as a whole`,
            );
          }
          if (assignment.row) {
            problems.check(
              await rowExists(tx, assignment.sectionId, assignment.row),
              `assignments.${i}.row`,
              `Section ${section?.name} has no row ${assignment.row}`,
            );
          }
          if (seatIds.length > 0) {
            const found = await seatsOf(tx, event.chartId, seatIds);
            const inSection = new Set(
              found.filter((seat) => seat.sectionId === assignment.sectionId).map((seat) => seat.id),
            );
            const missing = seatIds.filter((id) => !inSection.has(id));
            problems.check(
              missing.length === 0,
              `assignments.${i}.seatIds`,
              `Seats ${missing.join(", ")} are not in section ${section?.name}`,
            );
          }
        }
        problems.throwIfAny("The prices cannot be set");

        const before = await pricingSnapshot(tx, eventId);
        const tierIds = new Map(existing.map((tier) => [tier.name, tier.id]));
        for (const [i, tier] of tiers.entries()) {
          const name = tier.name.trim();
          if (tier.id != null) {
            const old = byId.get(tier.id);
            if (old) tierIds.delete(old.name);
            await updateTier(tx, tier.id, { name, priceMinor: tier.priceMinor, sortOrder: i });
            tierIds.set(name, tier.id);
          } else {
            tierIds.set(
              name,
              await insertTier(tx, {
                eventId,
                name,
                priceMinor: tier.priceMinor,
                currency: event.currency,
                sortOrder: existing.length + i,
              }),
            );
          }
        }
        for (const assignment of assignments) {
          const tierId = tierIds.get(assignment.tier.trim()) as number;
          if (assignment.row)
            await priceSeats(tx, eventId, tierId, { sectionId: assignment.sectionId, row: assignment.row });
          else if (assignment.seatIds?.length)
            await priceSeats(tx, eventId, tierId, { seatIds: assignment.seatIds });
          else await priceSection(tx, eventId, assignment.sectionId, tierId);
        }
        // A live event sells the newly priced seats at once, and its free seats at their new tier.
        const changed =
          event.status === "DRAFT"
            ? []
            : [
                ...(await createInventoryReturningSeats(tx, eventId)),
                ...(await repriceFreeSeats(tx, eventId)),
              ];
        const after = await pricingSnapshot(tx, eventId);
        await recordAudit(tx, { eventId, actorId: viewer.userId, action: "prices.set", before, after });
        return { changed, live: event.status !== "DRAFT" };
      },
      { ...TRANSACTION_OPTIONS, timeout: 30_000 },
    );
    if (outcome.live) {
      await this.seatChanges.pricingChanged(eventId);
      this.seatChanges.seatsChanged(eventId, outcome.changed);
    }
    return eventTiers(this.db, eventId);
  }

  async tiers(viewer: Viewer, eventId: number): Promise<TierRow[]> {
    await requireEventManager(this.db, viewer, eventId);
    return eventTiers(this.db, eventId);
  }
}
