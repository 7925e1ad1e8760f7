import { Prisma } from "../../generated/prisma/client.js";

// Every lock key space of the holds module, defined once (docs/holds.md, "Locks"). Lock order, which
// keeps holds, checkouts and the sweeper free of deadlocks:
// 1. the Redis seat locks (seatLockKey) come first and never wait: a conflict ends the request;
// 2. then the fans' advisory locks (holdLimitLockKey), in ascending key order when a batch takes several;
// 3. then seat rows, in ascending (event_id, seat_id) order, or with SKIP LOCKED.

/**
 * The Redis key of one seat's lock (value: the hold id). All keys of an event share the hash tag
 * {ev:<id>}, so one script may touch them all on Redis Cluster (ioredis adds the keyPrefix to KEYS;
 * the prefix must not contain braces).
 */
export const seatLockKey = (eventId: number, seatId: number) => `{ev:${eventId}}:seat:${seatId}`;

/**
 * The advisory-lock key that serializes one fan's holds for one event, so checking the per-account
 * limit and taking the hold it allows are one step. Computed by the SQL function hold_limit_lock_key
 * (migration 20261206140000_hold_limit_lock_key), which place_holds calls too: one definition.
 */
export const holdLimitLockKey = (userId: string, eventId: number) =>
  Prisma.sql`hold_limit_lock_key(${userId}::uuid, ${eventId}::int)`;
