import { defineModule } from "../module.js";
import { AuthResolver } from "./auth.resolver.js";
import { AuthService } from "./auth.service.js";
import { SessionStore } from "./session-store.js";

declare module "../../graphql/context.js" {
  interface Services {
    auth: AuthService;
    sessions: SessionStore;
  }
}

export const authModule = defineModule({
  name: "auth",
  resolvers: [AuthResolver],
  setup({ config, db, redis, log }) {
    const sessions = new SessionStore(
      db,
      redis,
      log,
      config.SESSION_TTL_SECONDS,
      config.REDIS_RETRY_AFTER_MS,
      config.SESSION_LOCAL_CACHE_MS,
    );
    const auth = new AuthService(db, redis, sessions, {
      attemptsPerIpPerMinute: config.LOGIN_ATTEMPTS_PER_IP_PER_MINUTE,
      failuresPerAccount: config.LOGIN_FAILURES_PER_ACCOUNT,
      accountWindowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
    });
    return { services: { auth, sessions } };
  },
});
