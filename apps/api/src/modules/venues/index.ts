import { defineModule } from "../module.js";
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
  setup({ db }) {
    return { services: { venues: new VenuesService(db) } };
  },
});
