import type { AdmissionClaims } from "../queue/admission-token.js";
import { BotSignalKind, type BotSignalRecorder } from "./bot-signals.service.js";

/** Reads an admission token's claims (modules/queue/admission-token.ts); null for a bad token. */
export interface AdmissionClaimsReader {
  verify(token: string): AdmissionClaims | null;
}
/** The event's current shopping window (the waiting room's cached settings). */
export interface ShoppingWindows {
  queueEvent(eventId: number): Promise<{ shoppingWindowSeconds: number }>;
}

export interface HeldAfterAdmission {
  token: string;
  userId: string;
  eventId: number;
  ip?: string;
  /** When the hold request arrived, in ms since the epoch. */
  requestedAt: number;
}

/**
 * Spots holds that follow admission faster than a person can read a seat map: a script polling its
 * status and holding the moment it is let in. The admission time is the token's window end minus the
 * event's shopping window (so a window changed in between skews it for the fans admitted before).
 */
export class AdmissionSpeedWatch {
  constructor(
    private readonly tokens: AdmissionClaimsReader,
    private readonly windows: ShoppingWindows,
    private readonly signals: BotSignalRecorder,
    private readonly thresholdMs: number,
  ) {}

  async noteHold({ token, userId, eventId, ip, requestedAt }: HeldAfterAdmission): Promise<void> {
    const claims = this.tokens.verify(token);
    if (!claims || claims.userId !== userId || claims.eventId !== eventId) return;
    const { shoppingWindowSeconds } = await this.windows.queueEvent(eventId);
    const afterMs = requestedAt - (claims.expiresAt - shoppingWindowSeconds * 1000);
    if (afterMs >= this.thresholdMs) return;
    await this.signals.record({
      kind: BotSignalKind.HOLD_RIGHT_AFTER_ADMISSION,
      userId,
      eventId,
      ip,
      detail: { afterMs, thresholdMs: this.thresholdMs },
    });
  }
}
