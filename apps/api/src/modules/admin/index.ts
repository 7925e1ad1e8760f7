import { defineModule } from "../module.js";
import { AdminResolver } from "./admin.resolver.js";
import { ApiKeysService } from "./api-keys.service.js";

declare module "../../graphql/context.js" {
  interface Services {
    apiKeys: ApiKeysService;
  }
}

export const adminModule = defineModule({
  name: "admin",
  resolvers: [AdminResolver],
  setup({ config, db, redis, log }) {
    return { services: { apiKeys: new ApiKeysService(db, redis, log, config.REDIS_RETRY_AFTER_MS) } };
  },
});
