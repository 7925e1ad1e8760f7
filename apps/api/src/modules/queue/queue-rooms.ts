import { randomBytes } from "node:crypto";
import type { Logger } from "../../infra/logger.js";
import type { EntryOwner, QueueRecords } from "./queue-records-store.js";
import type { QueueStore } from "./queue-store.js";
import { commitmentOf, drawOrder, newSeed } from "./shuffle.js";

// The waiting room's durable side (docs/queue.md, "When Redis loses the room"): rooms run in Redis, and
// what must outlive Redis losing everything is kept in Postgres: the seed and its commitment (before
// anyone can join), the draw (before Redis applies it), the admissions (the leader, every tick) and which
// account had which entry (in batches, off the join's path). Any caller that finds a room missing in
// Redis sets it up again from those facts, within one round trip of noticing.

// Entries are saved this often, in batches of at most ENTRY_BATCH rows.
const ENTRY_FLUSH_MS = 200;
const ENTRY_RETRY_MS = 1_000;
const ENTRY_BATCH = 5_000;
// Beyond this many unsaved entries (Postgres down for long), the oldest are dropped: those fans are not
// told to rejoin if Redis also loses the room; they see NOT_IN_QUEUE.
const MAX_UNSAVED_ENTRIES = 200_000;
const LOST_ENTRIES_PAGE = 1_000;

export interface QueueRoomsOptions {
  /** Milliseconds since the epoch; tests pass a simulated clock. */
  clock?: () => number;
}

export class QueueRooms {
  private readonly now: () => number;
  private readonly settingUp = new Map<number, Promise<void>>();
  private readonly background = new Set<Promise<unknown>>();
  private unsavedEntries: EntryOwner[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  // Saves run one after another, so the entry noted last for an account is the one kept.
  private saves: Promise<void> = Promise.resolve();
  private droppingEntries = false;

  constructor(
    private readonly store: QueueStore,
    private readonly records: QueueRecords,
    private readonly log: Logger,
    options: QueueRoomsOptions = {},
  ) {
    this.now = options.clock ?? Date.now;
  }

  /** Rooms the leader moves: their event still uses the waiting room and has not started. */
  open(): Promise<number[]> {
    return this.records.openRooms();
  }

  /**
   * Sets the room up in Redis unless it is: its seed and commitment are made durable first, so the
   * commitment is public before anyone can join, and stays the same however often Redis loses the room.
   * One set-up per room at a time in this process; across processes, Redis keeps the first.
   */
  ensure(eventId: number): Promise<void> {
    let pending = this.settingUp.get(eventId);
    if (!pending) {
      pending = this.setUp(eventId).finally(() => this.settingUp.delete(eventId));
      this.settingUp.set(eventId, pending);
    }
    return pending;
  }

  /** Remembers that the account has this (new) entry: saved in Postgres in a batch within ENTRY_FLUSH_MS. */
  noteEntry(row: EntryOwner): void {
    this.unsavedEntries.push(row);
    if (this.unsavedEntries.length > MAX_UNSAVED_ENTRIES) {
      this.unsavedEntries.splice(0, this.unsavedEntries.length - MAX_UNSAVED_ENTRIES);
      if (!this.droppingEntries) this.log.warn("queue: entries not saved in Postgres are being dropped");
      this.droppingEntries = true;
    }
    this.scheduleSave(ENTRY_FLUSH_MS);
  }

  /**
   * Draws the pre-queue: the draw is recorded in Postgres before Redis applies it, so the audit outlives
   * Redis. Returns the pre-queue's size, or null when nothing was drawn (the room is not set up, or was
   * drawn already).
   */
  async draw(eventId: number, now: number): Promise<number | null> {
    const entries = await this.store.closePreQueue(eventId);
    if (entries === null) return null;
    const room = await this.records.draw(eventId);
    if (!room) throw new Error(`queue ${eventId} has no room in Postgres`);
    // A draw recorded before (by a leader that died before Redis applied it) is the one that stands.
    const recorded = await this.records.saveDraw(eventId, entries, drawOrder(room.seed, entries), now);
    return (await this.store.draw(eventId, recorded.drawnOrder)) ? entries.length : null;
  }

  /** Saves every noted entry and waits for background work (marking lost entries): shutdown and tests. */
  async settle(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.saveEntries();
    while (this.background.size) await Promise.allSettled([...this.background]);
  }

  private async setUp(eventId: number): Promise<void> {
    const seed = newSeed();
    const room = await this.records.room(eventId, seed, commitmentOf(seed));
    const now = this.now();
    const liveAdmissions = room.created ? [] : await this.records.liveAdmissions(eventId, now);
    const setUp = await this.store.init(eventId, {
      commitment: room.commitment,
      // New each set-up: subscribers notice the room changed, and session ids stay unique.
      epoch: randomBytes(4).toString("hex"),
      now,
      drawn: room.revealedAt !== null,
      liveAdmissions,
    });
    if (!setUp || room.created) return;
    this.log.warn(
      { eventId, liveAdmissions: liveAdmissions.length },
      "queue: room set up again from Postgres (Redis lost it); fans who were in line are told to rejoin",
    );
    this.track(this.markLost(eventId));
  }

  /** Tells every account that had an entry before Redis lost the room to rejoin (unless it has already). */
  private async markLost(eventId: number): Promise<void> {
    await this.saveEntries();
    let after: string | null = null;
    let marked = 0;
    for (;;) {
      const page = await this.records.entriesAfter(eventId, after, LOST_ENTRIES_PAGE);
      if (page.length === 0) break;
      const count = await this.store.markLost(eventId, page);
      // Lost again meanwhile: the next set-up marks them.
      if (count < 0) return;
      marked += count;
      after = page[page.length - 1]?.userId ?? null;
    }
    this.log.info({ eventId, marked }, "queue: fans who were in line are told to rejoin");
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) =>
      this.log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "queue: background work failed",
      ),
    );
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  private scheduleSave(delayMs: number): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.saveEntries().then(
        () => undefined,
        (error: unknown) => {
          this.log.warn(
            { err: error instanceof Error ? error.message : String(error) },
            "queue: saving entries failed",
          );
          this.scheduleSave(ENTRY_RETRY_MS);
        },
      );
    }, delayMs);
    this.flushTimer.unref();
  }

  /** Saves the noted entries, one batch at a time; a failed batch is kept for the next try. */
  private saveEntries(): Promise<void> {
    const run = this.saves.then(async () => {
      while (this.unsavedEntries.length) {
        const batch = this.unsavedEntries.splice(0, ENTRY_BATCH);
        // One row per account and event in a statement (the last one noted wins).
        const latest = new Map(batch.map((row) => [`${row.eventId}:${row.userId}`, row]));
        try {
          await this.records.saveEntries([...latest.values()]);
        } catch (error) {
          this.unsavedEntries.unshift(...batch);
          throw error;
        }
      }
    });
    this.saves = run.catch(() => undefined);
    return run;
  }
}
