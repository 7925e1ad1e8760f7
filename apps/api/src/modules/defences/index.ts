import { defineModule } from "../module.js";
import { AccountBlockingService } from "./account-blocking.service.js";
import { AdmissionSpeedWatch } from "./admission-speed.js";
import { BotSignalsService } from "./bot-signals.service.js";
import { ProofOfWorkService } from "./proof-of-work.js";
import { ProofOfWorkQueries } from "./proof-of-work.resolver.js";
import { QueueEviction } from "./queue-eviction.js";
import { RateLimits, rateLimitRules } from "./rate-limits.js";
import { RequestBudget } from "./request-budget.js";
import { guardRootFields } from "./root-field-guards.js";

// The scalper defences (docs/defences.md): rate limits, proof of work, bot signals, blocking accounts
// (which evicts them from waiting rooms) and the admission-speed watch, applied to every root field by
// root-field-guards.ts.

declare module "../../graphql/context.js" {
  interface Services {
    rateLimits: RateLimits;
    requestBudget: RequestBudget;
    botSignals: BotSignalsService;
    accounts: AccountBlockingService;
    proofOfWork: ProofOfWorkService;
    admissionSpeed: AdmissionSpeedWatch;
  }
}

export const defencesModule = defineModule({
  name: "defences",
  resolvers: [ProofOfWorkQueries],
  setup({ config, db, redis, log, metrics, services }) {
    const { queue } = services;
    const botSignals = new BotSignalsService(db, redis, log, metrics.botSignals, {
      signUpsPerIpBeforeSignal: config.SIGNUPS_PER_IP_BEFORE_SIGNAL,
    });
    const requestBudget = new RequestBudget(
      redis,
      {
        perSession: config.REQUEST_BUDGET_PER_SESSION_PER_MINUTE,
        perIp: config.REQUEST_BUDGET_PER_IP_PER_MINUTE,
      },
      log,
    );
    return {
      stop: () => requestBudget.stop(),
      services: {
        requestBudget,
        rateLimits: new RateLimits(
          redis,
          rateLimitRules(config.RATE_LIMITS),
          metrics.rateLimitDecisions,
          log,
          config.REDIS_RETRY_AFTER_MS,
        ),
        botSignals,
        accounts: new AccountBlockingService(
          db,
          services.sessions,
          services.holds,
          botSignals,
          log,
          new QueueEviction({
            rooms: () => queue.rooms.open(),
            leave: (eventId, userId) => queue.leaveRoom(eventId, userId),
          }),
        ),
        proofOfWork: new ProofOfWorkService(db, botSignals, {
          secret: config.POW_SECRET,
          ttlSeconds: config.POW_CHALLENGE_TTL_SECONDS,
        }),
        admissionSpeed: new AdmissionSpeedWatch(
          services.admissionTokens,
          queue,
          botSignals,
          config.FAST_HOLD_AFTER_ADMISSION_MS,
        ),
      },
    };
  },
  // API-key scopes, rate limits and bot signals, around every root field.
  transformSchema: guardRootFields,
});
