import { defineModule } from "../module.js";
import type { SeatChangeNotifier } from "./seat-changes.js";
import { SeatMapLive } from "./seat-map-live.js";
import { SeatFields, SeatingQueries, SeatingSubscriptions } from "./seating.resolver.js";
import { SeatingService } from "./seating.service.js";

declare module "../../graphql/context.js" {
  interface Services {
    seating: SeatingService;
    /** Where committed seat changes are reported: they become live seat map deltas. */
    seatChanges: SeatChangeNotifier;
  }
}

declare module "../module.js" {
  interface BackgroundWork {
    /** Turns committed seat changes into live seat map deltas (seat-map-live.ts). */
    seatMapLive: SeatMapLive;
  }
}

export const seatingModule = defineModule({
  name: "seating",
  resolvers: [SeatingQueries, SeatingSubscriptions, SeatFields],
  setup({ config, db, pool, pubSub, log, metrics }) {
    const seating = new SeatingService(db, pool);
    const seatMapLive = new SeatMapLive(db, pubSub, seating, log, metrics, {
      coalesceMs: config.SEAT_MAP_COALESCE_MS,
      auditIntervalMs: config.SEAT_MAP_AUDIT_INTERVAL_MS,
    });
    seatMapLive.start();
    return {
      services: { seating, seatChanges: seatMapLive },
      background: { seatMapLive },
      // Seat changes of the drained requests still have to reach the other instances' fans.
      stop: (deadline) => seatMapLive.close(Math.max(deadline - Date.now(), 1_000)),
    };
  },
});
