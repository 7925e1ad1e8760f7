import { defineModule } from "../module.js";
import { CheckinResolver } from "./checkin.resolver.js";
import { CheckinService } from "./checkin.service.js";

declare module "../../graphql/context.js" {
  interface Services {
    checkin: CheckinService;
  }
}

export const checkinModule = defineModule({
  name: "checkin",
  resolvers: [CheckinResolver],
  setup({ db, services }) {
    return { services: { checkin: new CheckinService(db, services.sales) } };
  },
});
