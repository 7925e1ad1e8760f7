import { defineModule } from "../module.js";
import { ATTENDEE_EXPORT_PATH, attendeeExportRoute } from "./attendee-export.js";
import { OrderBuyerField, SalesQueries, SalesSubscriptions } from "./sales.resolver.js";
import { SalesService } from "./sales.service.js";
import { SalesLive } from "./sales-live.js";

declare module "../../graphql/context.js" {
  interface Services {
    sales: SalesService;
    /** eventSalesChanged: the throttled push of an event's figures. */
    salesLive: SalesLive;
  }
}

declare module "../module.js" {
  interface BackgroundWork {
    /** Publishes figures after seat changes and folds the counters' deltas; `fold()` folds now. */
    salesLive: SalesLive;
  }
}

export const salesModule = defineModule({
  name: "sales",
  resolvers: [SalesQueries, SalesSubscriptions, OrderBuyerField],
  setup({ config, db, pool, redis, pubSub, log, services }) {
    const sales = new SalesService(db, pool, services.queue);
    const salesLive = new SalesLive(db, pool, redis, pubSub, sales, log, {
      foldIntervalMs: config.SALES_FOLD_INTERVAL_MS,
    });
    return {
      services: { sales, salesLive },
      background: { salesLive },
      routes: {
        [ATTENDEE_EXPORT_PATH]: attendeeExportRoute({
          db,
          pool,
          log,
          viewerFor: (token) => services.auth.viewerFor(token),
        }),
      },
      start: () => salesLive.start(),
      async stop() {
        salesLive.close();
      },
    };
  },
});
