import { defineModule } from "../module.js";
import { AccountRolesService } from "./account-roles.service.js";
import { AccountTokens } from "./account-tokens.js";
import { AccountsResolver } from "./accounts.resolver.js";
import { AccountsService } from "./accounts.service.js";
import { AuthResolver } from "./auth.resolver.js";
import { AuthService } from "./auth.service.js";
import { LoginGuard } from "./login-guard.js";
import { SessionStore } from "./session-store.js";

declare module "../../graphql/context.js" {
  interface Services {
    auth: AuthService;
    accountSelfService: AccountsService;
    accountRoles: AccountRolesService;
    /** Makes and reads the tokens of emailed links (the notifications module puts them in mails). */
    accountTokens: AccountTokens;
    sessions: SessionStore;
  }
}

export const authModule = defineModule({
  name: "auth",
  resolvers: [AuthResolver, AccountsResolver],
  setup({ config, db, redis, log }) {
    const sessions = new SessionStore(
      db,
      redis,
      log,
      config.SESSION_TTL_SECONDS,
      config.REDIS_RETRY_AFTER_MS,
      config.SESSION_LOCAL_CACHE_MS,
    );
    const guard = new LoginGuard(redis, {
      attemptsPerIpPerMinute: config.LOGIN_ATTEMPTS_PER_IP_PER_MINUTE,
      failuresPerAccount: config.LOGIN_FAILURES_PER_ACCOUNT,
      accountWindowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
    });
    const accountTokens = new AccountTokens(config.ACCOUNT_TOKEN_SECRET);
    const auth = new AuthService(db, guard, sessions);
    const accounts = new AccountsService(db, redis, sessions, guard, accountTokens, {
      resetTtlMinutes: config.PASSWORD_RESET_TTL_MINUTES,
      resetsPerEmailPerHour: config.PASSWORD_RESETS_PER_EMAIL_PER_HOUR,
      resetsPerIpPerHour: config.PASSWORD_RESETS_PER_IP_PER_HOUR,
    });
    const accountRoles = new AccountRolesService(db, sessions, log);
    return { services: { auth, accountSelfService: accounts, accountRoles, accountTokens, sessions } };
  },
});
