// The six faults, each injected for a bounded time while the on-sale runs. `inject` returns once the
// service is back (the end of the fault window); the drill then watches the recovery.
import { setTimeout as sleep } from "node:timers/promises";
import type { Fleet } from "./fleet.js";
import type { History } from "./history.js";
import type { DrillPostgres, DrillRedis } from "./services.js";
import type { Watcher } from "./workload.js";

export interface Target {
  fleet: Fleet;
  history: History;
  postgres: DrillPostgres;
  redis: DrillRedis;
  watchers: Watcher[];
  /** The short-hold event's hold time. */
  holdSeconds: number;
  /** Long mode keeps each fault on longer. */
  long: boolean;
}

export interface Drill {
  name: string;
  /** What it proves, for the table and docs/reliability.md. */
  proves: string;
  /** Injects the fault; resolves when the service is back. Calls `began` when the fault starts. */
  inject(target: Target, began: () => void): Promise<void>;
}

/** Waits (at most `timeoutMs`) until `op` is in flight, so that the fault lands mid-request. */
async function whileInFlight(history: History, op: string, instance?: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!history.busy(op, instance) && Date.now() < deadline) await sleep(5);
}

async function untilWatchersLive(watchers: Watcher[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (watchers.some((w) => !w.live) && Date.now() < deadline) await sleep(50);
}

export const DRILLS: Drill[] = [
  {
    name: "redis-kill",
    proves: "Redis SIGKILLed and restarted empty: holds go on through Postgres, the room is rebuilt",
    async inject({ redis, long }, began) {
      began();
      await redis.killAndRestartEmpty();
      // Down for a while before it comes back empty (the restart itself is immediate).
      await sleep(long ? 8_000 : 1_500);
    },
  },
  {
    name: "redis-pause",
    proves: "Redis stalled (CLIENT PAUSE 5 s): commands time out fast, nothing waits on Redis",
    async inject({ redis }, began) {
      began();
      await redis.pause(5_000);
      await sleep(5_000);
    },
  },
  {
    name: "api-freeze",
    proves: "an API frozen (SIGSTOP) past the hold time, then resumed: no expired hold comes back",
    async inject({ fleet, history, holdSeconds, long }, began) {
      const b = fleet.get("b");
      // Frozen mid-hold where it can be: the hold it was writing must not outlive its expiry.
      await whileInFlight(history, "holdSeats", "b", 3_000);
      began();
      b.up = false;
      fleet.signal(b, "SIGSTOP");
      await sleep((holdSeconds + (long ? 10 : 2)) * 1_000);
      fleet.signal(b, "SIGCONT");
      b.up = true;
    },
  },
  {
    name: "postgres-restart",
    proves: "Postgres restarted in immediate mode mid-checkout: no acknowledged order lost or doubled",
    async inject({ postgres, history }, began) {
      await whileInFlight(history, "checkout");
      began();
      await postgres.restartImmediate();
    },
  },
  {
    name: "reconnect-storm",
    proves: "every WebSocket client dropped at once: all reconnect and resync to the database's map",
    async inject({ watchers }, began) {
      began();
      for (const watcher of watchers) watcher.drop();
      await sleep(100);
      await untilWatchersLive(watchers, 30_000);
    },
  },
  {
    name: "api-kill",
    proves: "an API SIGKILLed mid-checkout: retries and payment recovery finish its orders exactly once",
    async inject({ fleet, history, long }, began) {
      await whileInFlight(history, "checkout", "b");
      const b = fleet.get("b");
      began();
      b.up = false;
      b.killedOnPurpose = true;
      fleet.signal(b, "SIGKILL");
      await b.api.exited;
      await sleep(long ? 5_000 : 1_000);
      await fleet.restart("b");
    },
  },
];
