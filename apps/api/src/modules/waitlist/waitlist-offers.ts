import { enqueueJobs, type Jobs } from "../../infra/jobs.js";
import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import type { RedisTopicPubSub } from "../../infra/pubsub.js";
import { AppError, ErrorCode } from "../../kernel/errors.js";
import { BATCH_TRANSACTION_OPTIONS, type Tx } from "../../kernel/transactions.js";
import { BackgroundJob } from "../../lib/background-job.js";
import type { HoldsService } from "../holds/holds.service.js";
import {
  type EntryRow,
  eventsWithWaitlistWork,
  freePlacesByArea,
  freeSeatsByTier,
  lapseWaiting,
  recordOffer,
  settleOffers,
  waitingEntries,
  waitlistEvent,
} from "./waitlist-store.js";

// Offers (docs/waitlist.md). Returned seats are not announced by the paths that free them (cancellation,
// expired or released holds, organizer releases): the hot paths stay as they are. Instead every instance
// scans every WAITLIST_SCAN_INTERVAL_MS for events whose waitlist has work (a free seat while fans wait,
// an offer whose time is up) and adds one durable job per such event (graphile-worker; a job key keeps
// one pending job per event, a queue per event runs them one after another). The job settles ended
// offers and offers free seats to the fans in line order: each offer is a hold of the fan's own, placed
// by the holds module with the offer's length, recorded with its outbox event in the hold's transaction.
// A place may ask for a standing area's places instead of seats: its offer is a standing hold.

export const OFFER_TASK = "waitlist.offer";
/** Routing key of the live notice (topic id: the fan's user id). */
export const WAITLIST_OFFER_TOPIC = "WAITLIST_OFFER";
/** Fans looked at per job run; the next scan continues when seats are left. */
const CANDIDATES_PER_RUN = 20;

/** The live notice published to the fan: the place that now has an offer. */
export interface OfferNotice {
  entryId: string;
}

class PlaceGone extends Error {}

/** What is free now: seats by price tier, places by standing area. */
interface Free {
  seats: Map<number, number>;
  places: Map<number, number>;
}

/** How much of what the place asks for is free: its area's places, its tier's seats, or any seat. */
function freeFor(entry: EntryRow, free: Free): number {
  if (entry.areaId !== null) return free.places.get(entry.areaId) ?? 0;
  if (entry.priceTierId !== null) return free.seats.get(entry.priceTierId) ?? 0;
  return [...free.seats.values()].reduce((sum, count) => sum + count, 0);
}

export class WaitlistOffers {
  private readonly scanner: BackgroundJob<number>;

  constructor(
    private readonly db: Db,
    private readonly holds: Pick<HoldsService, "holdForOffer" | "holdAreaForOffer">,
    private readonly pubSub: RedisTopicPubSub,
    private readonly log: Logger,
    jobs: Jobs,
    intervalMs: number,
  ) {
    jobs.register(OFFER_TASK, async (payload) => {
      await this.offer(Number((payload as { eventId: unknown }).eventId));
    });
    this.scanner = new BackgroundJob("waitlist scan", () => this.scan(), log, intervalMs);
  }

  start(): void {
    this.scanner.start();
  }

  stop(): Promise<void> {
    return this.scanner.stop();
  }

  /** Runs a scan now (tests); the number of events given a job. */
  runNow(): Promise<number> {
    return this.scanner.runNow();
  }

  private async scan(): Promise<number> {
    const eventIds = await eventsWithWaitlistWork(this.db);
    if (eventIds.length === 0) return 0;
    await this.db.$transaction(
      (tx) =>
        enqueueJobs(
          tx,
          eventIds.map((eventId) => ({
            task: OFFER_TASK,
            payload: { eventId },
            queueName: `waitlist:${eventId}`,
            jobKey: `${OFFER_TASK}:${eventId}`,
          })),
        ),
      BATCH_TRANSACTION_OPTIONS,
    );
    return eventIds.length;
  }

  /** Settles the event's ended offers, then offers its free seats and places to the next fans in line. */
  async offer(eventId: number): Promise<void> {
    if (!Number.isInteger(eventId)) return;
    const settled = await settleOffers(this.db, eventId);
    if (settled.length) this.log.info({ eventId, settled: settled.length }, "waitlist offers settled");
    const event = await waitlistEvent(this.db, eventId);
    if (!event || event.startsAt <= new Date()) return;
    const free = async (): Promise<Free> => ({
      seats: await freeSeatsByTier(this.db, eventId),
      places: await freePlacesByArea(this.db, eventId),
    });
    let left = await free();
    for (const entry of await waitingEntries(this.db, eventId, CANDIDATES_PER_RUN)) {
      // A fan asking for more than is free keeps their place; those behind may get what fits.
      if (freeFor(entry, left) < entry.quantity) continue;
      const outcome = await this.offerTo(entry, event.waitlistOfferSeconds);
      if (outcome === "stop") return;
      if (outcome === "offered") left = await free();
    }
  }

  /** Holds what the place asks for (seats or an area's places) and records the offer with the hold. */
  private hold(entry: EntryRow, holdSeconds: number): Promise<unknown> {
    const record = async (tx: Tx, hold: { id: string; expiresAt: Date }) => {
      const recorded = await recordOffer(tx, {
        entryId: entry.id,
        holdId: hold.id,
        expiresAt: hold.expiresAt,
      });
      if (!recorded) throw new PlaceGone();
    };
    const { userId, eventId, quantity } = entry;
    return entry.areaId !== null
      ? this.holds.holdAreaForOffer({ userId, eventId, areaId: entry.areaId, quantity, holdSeconds }, record)
      : this.holds.holdForOffer(
          { userId, eventId, quantity, priceTierId: entry.priceTierId, holdSeconds },
          record,
        );
  }

  private async offerTo(entry: EntryRow, holdSeconds: number): Promise<"offered" | "skipped" | "stop"> {
    try {
      await this.hold(entry, holdSeconds);
    } catch (error) {
      if (error instanceof PlaceGone) return "skipped";
      if (!(error instanceof AppError)) throw error;
      const code = error.extensions.code;
      if (code === ErrorCode.SEATS_UNAVAILABLE) return "skipped";
      if (code === ErrorCode.LIMIT_EXCEEDED) {
        // The fan bought or holds seats since joining: this place can never be served as asked.
        await lapseWaiting(this.db, entry.id);
        return "skipped";
      }
      // The event is not on sale (any more): nothing to offer now.
      this.log.info({ eventId: entry.eventId, code }, "waitlist offers paused");
      return "stop";
    }
    const notice: OfferNotice = { entryId: entry.id };
    await this.pubSub
      .publish(WAITLIST_OFFER_TOPIC, entry.userId, notice)
      .catch((error: unknown) => this.log.warn({ err: error }, "waitlist offer notice not published"));
    return "offered";
  }
}
