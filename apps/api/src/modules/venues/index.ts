import { clientOf } from "../../http/client.js";
import { defineModule } from "../module.js";
import { CHART_UPLOAD_PATH, chartUploadRoute } from "./chart-upload.js";
import { VenuesResolver } from "./venues.resolver.js";
import { VenuesService } from "./venues.service.js";

declare module "../../graphql/context.js" {
  interface Services {
    venues: VenuesService;
  }
}

// Venues and seating charts (docs/venues.md): organizers' venues, the chart shape and its one seat
// generator (shared with the seed), validation and import, and chart versions (frozen once published).
export const venuesModule = defineModule({
  name: "venues",
  resolvers: [VenuesResolver],
  setup({ db, config, log, services }) {
    const venues = new VenuesService(db);
    return {
      services: { venues },
      routes: {
        [CHART_UPLOAD_PATH]: chartUploadRoute({
          services: { ...services, venues },
          clientIp: (req) => clientOf(req, config.TRUST_PROXY).ip,
          log,
        }),
      },
    };
  },
});
