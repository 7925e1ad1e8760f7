import { defineModule } from "../module.js";
import { WebhookDeliverer, WebhookDispatcher } from "./webhook-delivery.js";
import { WebhookStore } from "./webhook-store.js";
import { WebhookResolver } from "./webhooks.resolver.js";
import { WebhooksService } from "./webhooks.service.js";

declare module "../../graphql/context.js" {
  interface Services {
    webhooks: WebhooksService;
  }
}

// Partners' webhooks (docs/partners.md): every outbox event becomes a `outbox.webhooks` job (added to the
// orders module's relay), which fans out to one signed delivery per endpoint (`webhooks.deliver` jobs).
export const webhooksModule = defineModule({
  name: "webhooks",
  resolvers: [WebhookResolver],
  setup({ config, db, jobs, log, services }) {
    const store = new WebhookStore(db);
    // Registers the `webhooks.deliver` task; the jobs it runs need nothing else from here.
    new WebhookDeliverer(db, store, jobs, log, {
      allowPrivateUrls: config.WEBHOOK_ALLOW_PRIVATE_URLS,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
      retryMaxDelayMs: config.WEBHOOK_RETRY_MAX_DELAY_MS,
      retryWindowMs: config.WEBHOOK_RETRY_WINDOW_MS,
    });
    services.outbox.addConsumer(new WebhookDispatcher(db, store));
    return {
      services: {
        webhooks: new WebhooksService(db, store, {
          allowPrivateUrls: config.WEBHOOK_ALLOW_PRIVATE_URLS,
          secretOverlapMs: config.WEBHOOK_SECRET_OVERLAP_MS,
        }),
      },
    };
  },
});
