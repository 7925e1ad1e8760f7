import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import { AppError, ErrorCode, notFound } from "../../kernel/errors.js";
import { isUuid } from "../../kernel/ids.js";
import type { Viewer } from "../../kernel/viewer.js";
import { BotSignalKind, type BotSignalRecorder } from "./bot-signals.service.js";
import { accountRole, markBlocked, markUnblocked } from "./defences-store.js";

/** What blocking needs from the other modules, as small interfaces (implemented by their services). */
export interface SessionEnder {
  destroyAllFor(userId: string): Promise<number>;
}
export interface HoldReleaser {
  activeHolds(userId: string): Promise<{ id: string }[]>;
  releaseHold(userId: string, holdId: string): Promise<boolean>;
}
/** The waiting room takes a blocked account out of every queue it waits in; returns how many. */
export interface QueueEvictor {
  removeFromAllQueues(userId: string): Promise<number>;
}

export interface BlockResult {
  sessionsEnded: number;
  holdsReleased: number;
  queuesLeft: number;
}

/**
 * Blocking an account: it can no longer sign in (logIn answers FORBIDDEN), its sessions end at once (so
 * its cookies are signed out), its API keys are refused (FORBIDDEN), its live holds are released through
 * HoldsService (seat-map deltas go out as for any release) and it leaves every queue.
 */
export class AccountBlockingService {
  constructor(
    private readonly db: Db,
    private readonly sessions: SessionEnder,
    private readonly holds: HoldReleaser,
    private readonly signals: BotSignalRecorder,
    private readonly log: Logger,
    private readonly queues: QueueEvictor | null = null,
  ) {}

  async block(moderator: Viewer, userId: string, reason: string): Promise<BlockResult> {
    const trimmed = reason.trim();
    if (!trimmed || trimmed.length > 500) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, "Give a reason (1 to 500 characters)", {
        field: "reason",
      });
    }
    await this.target(moderator, userId);
    await markBlocked(this.db, userId);
    // Sessions first: from here on the account can start nothing new while its holds are released.
    const sessionsEnded = await this.sessions.destroyAllFor(userId);
    let holdsReleased = 0;
    for (const hold of await this.holds.activeHolds(userId)) {
      if (await this.holds.releaseHold(userId, hold.id)) holdsReleased++;
    }
    const queuesLeft = this.queues ? await this.queues.removeFromAllQueues(userId) : 0;
    const result = { sessionsEnded, holdsReleased, queuesLeft };
    await this.signals.record({
      kind: BotSignalKind.ACCOUNT_BLOCKED,
      userId,
      detail: { reason: trimmed, by: moderator.userId, ...result },
    });
    this.log.info({ userId, by: moderator.userId, ...result }, "account blocked");
    return result;
  }

  async unblock(moderator: Viewer, userId: string): Promise<boolean> {
    await this.target(moderator, userId);
    const unblocked = await markUnblocked(this.db, userId);
    if (unblocked) {
      await this.signals.record({
        kind: BotSignalKind.ACCOUNT_UNBLOCKED,
        userId,
        detail: { by: moderator.userId },
      });
    }
    return unblocked;
  }

  /** Organizers moderate fans; only admins may block organizers; nobody blocks an admin or themselves. */
  private async target(moderator: Viewer, userId: string): Promise<void> {
    if (!isUuid(userId)) throw notFound("User", userId.slice(0, 40));
    const role = await accountRole(this.db, userId);
    if (!role) throw notFound("User", userId);
    const allowed =
      userId !== moderator.userId && (role === "FAN" || (role === "ORGANIZER" && moderator.role === "ADMIN"));
    if (!allowed)
      throw new AppError(
        ErrorCode.FORBIDDEN,
        `You cannot block or unblock this ${role.toLowerCase()} account`,
      );
  }
}
