import { defineModule } from "../module.js";
import { AdminResolver } from "./admin.resolver.js";
import { ApiKeysService } from "./api-keys.service.js";
import { OperationSafelist } from "./operation-safelist.js";
import { SafelistResolver } from "./safelist.resolver.js";

declare module "../../graphql/context.js" {
  interface Services {
    apiKeys: ApiKeysService;
    /** Per-key operation safelists (persisted queries); server/graphql-http.ts admits requests by them. */
    safelist: OperationSafelist;
  }
}

export const adminModule = defineModule({
  name: "admin",
  resolvers: [AdminResolver, SafelistResolver],
  setup({ config, db, redis, log }) {
    return {
      services: {
        apiKeys: new ApiKeysService(db, redis, log, config.REDIS_RETRY_AFTER_MS),
        safelist: new OperationSafelist(db),
      },
    };
  },
});
