import { defineModule } from "../module.js";
import { CancellationService } from "./cancellation.service.js";
import { EventMutations, EventQueries } from "./events.resolver.js";
import { EventsService } from "./events.service.js";
import { InventoryService } from "./inventory.service.js";
import { PricesService } from "./prices.service.js";

declare module "../../graphql/context.js" {
  interface Services {
    /** The organizer's event life cycle (docs/organizers.md). */
    events: EventsService;
    prices: PricesService;
    inventory: InventoryService;
    /** cancelEvent, its refund job and refundOrder. */
    cancellations: CancellationService;
  }
}

export const eventsModule = defineModule({
  name: "events",
  resolvers: [EventQueries, EventMutations],
  setup({ db, jobs, log, services }) {
    const cancellations = new CancellationService(db, services.refunds, services.seatChanges, log);
    cancellations.register(jobs);
    return {
      services: {
        events: new EventsService(db, services.seatChanges),
        prices: new PricesService(db, services.seatChanges),
        inventory: new InventoryService(db, services.seatChanges),
        cancellations,
      },
    };
  },
});
