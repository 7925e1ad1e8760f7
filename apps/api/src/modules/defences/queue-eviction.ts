import type { QueueEvictor } from "./account-blocking.service.js";

/** What eviction needs of the waiting room's store (modules/queue/queue-store.ts). */
export interface QueueRooms {
  rooms(): Promise<number[]>;
  leave(eventId: number, userId: string): Promise<boolean>;
}

/** Takes a blocked account out of every open waiting room. */
export class QueueEviction implements QueueEvictor {
  constructor(private readonly queues: QueueRooms) {}

  async removeFromAllQueues(userId: string): Promise<number> {
    let left = 0;
    for (const eventId of await this.queues.rooms()) {
      if (await this.queues.leave(eventId, userId)) left++;
    }
    return left;
  }
}
