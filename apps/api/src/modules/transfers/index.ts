import { defineModule } from "../module.js";
import { EventTransferPolicy, OrderTransfers, TransferResolver } from "./transfers.resolver.js";
import { TransfersService } from "./transfers.service.js";

declare module "../../graphql/context.js" {
  interface Services {
    transfers: TransfersService;
  }
}

export const transfersModule = defineModule({
  name: "transfers",
  resolvers: [TransferResolver, OrderTransfers, EventTransferPolicy],
  setup({ db }) {
    return { services: { transfers: new TransfersService(db) } };
  },
});
