import { defineModule } from "../module.js";
import { EventWaitlist, WaitlistResolver } from "./waitlist.resolver.js";
import { WaitlistService } from "./waitlist.service.js";
import { WaitlistOffers } from "./waitlist-offers.js";

declare module "../../graphql/context.js" {
  interface Services {
    /** Fans' places; `counts(eventId)` gives the organizer's dashboard figures. */
    waitlist: WaitlistService;
  }
}

declare module "../module.js" {
  interface BackgroundWork {
    /** Finds waitlists with seats to offer every WAITLIST_SCAN_INTERVAL_MS; `runNow()` scans now. */
    waitlistOffers: WaitlistOffers;
  }
}

export const waitlistModule = defineModule({
  name: "waitlist",
  resolvers: [WaitlistResolver, EventWaitlist],
  setup({ config, db, jobs, pubSub, log, services }) {
    const waitlistOffers = new WaitlistOffers(
      db,
      services.holds,
      pubSub,
      log,
      jobs,
      config.WAITLIST_SCAN_INTERVAL_MS,
    );
    return {
      services: { waitlist: new WaitlistService(db, services.holds, { maxQuantity: config.HOLD_MAX_SEATS }) },
      background: { waitlistOffers },
      start: () => waitlistOffers.start(),
      stop: () => waitlistOffers.stop(),
    };
  },
});
