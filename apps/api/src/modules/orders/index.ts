import { defineModule } from "../module.js";
import { CheckoutService } from "./checkout.service.js";
import { FakeGateway } from "./fake-gateway.js";
import { createOrderLoaders, type OrderLoaders } from "./order-views.js";
import {
  EventTicketFields,
  OrderFields,
  OrderMutations,
  OrderQueries,
  TicketFields,
} from "./orders.resolver.js";
import { OrdersService } from "./orders.service.js";
import { type OutboxConsumer, OutboxRelay, RedisOutboxPublisher } from "./outbox.js";
import { PaymentRecovery } from "./payment-recovery.js";
import type { PaymentProvider } from "./payments.js";
import { REFUND_JOB, RefundsService } from "./refunds.service.js";
import { signingKeyFromSeed, TicketCodes } from "./ticket-codes.js";
import { TicketsService } from "./tickets.service.js";

declare module "../../graphql/context.js" {
  interface Services {
    checkout: CheckoutService;
    orders: OrdersService;
    tickets: TicketsService;
    payments: PaymentProvider;
    /** The refund rule (refundOrder and event cancellations): refunds.service.ts. */
    refunds: RefundsService;
    /** A fresh set of order loaders (one per operation: orderLoaders in orders.resolver.ts). */
    newOrderLoaders(): OrderLoaders;
    /** Where later modules add what acts on every outbox event (each becomes a durable job). */
    outbox: { addConsumer(consumer: OutboxConsumer): void };
  }
}

declare module "../module.js" {
  interface BackgroundWork {
    /** Settles payments that checkouts or cancellations left half-done; `runNow()` runs it now. */
    paymentRecovery: PaymentRecovery;
    /** Turns outbox events (order.confirmed, order.cancelled) into jobs; `runNow()` runs it now. */
    outboxRelay: OutboxRelay;
  }
}

export const ordersModule = defineModule({
  name: "orders",
  resolvers: [OrderQueries, OrderMutations, OrderFields, TicketFields, EventTicketFields],
  setup({ config, db, pool, redis, jobs, log, services, overrides }) {
    const { holdEffects } = services;
    // The only provider so far is the built-in fake gateway (docs/orders.md says how to add a real one).
    const payments = new FakeGateway(pool);
    const ticketCodes = new TicketCodes(
      signingKeyFromSeed(config.TICKET_SIGNING_KEY),
      config.TICKET_CODE_WINDOW_SECONDS,
    );
    const paymentRecovery = new PaymentRecovery(db, pool, payments, log, {
      intervalMs: config.PAYMENT_RECOVERY_INTERVAL_MS,
      staleAfterMs: config.PAYMENT_RECOVERY_STALE_MS,
    });
    const outboxRelay = new OutboxRelay(
      db,
      jobs,
      [new RedisOutboxPublisher(redis, config.REDIS_KEY_PREFIX)],
      log,
      { intervalMs: config.OUTBOX_RELAY_INTERVAL_MS },
    );
    const refunds = new RefundsService(db, pool, payments);
    // A refund recorded by refundOrder is completed right away, and by this job if that was cut short.
    jobs.register(REFUND_JOB, async (payload) => {
      const { refundId } = payload as { refundId?: unknown };
      if (typeof refundId === "string") await refunds.completeRefund(refundId);
    });
    return {
      services: {
        payments,
        refunds,
        checkout: new CheckoutService(
          db,
          pool,
          payments,
          holdEffects,
          log,
          { duplicateWaitMs: 10_000 },
          overrides.checkoutFaults,
        ),
        orders: new OrdersService(db, pool, payments, holdEffects, log),
        tickets: new TicketsService(db, ticketCodes),
        newOrderLoaders: () => createOrderLoaders(db),
        outbox: outboxRelay,
      },
      background: { paymentRecovery, outboxRelay },
      start() {
        paymentRecovery.start();
        outboxRelay.start();
      },
      async stop() {
        await Promise.all([paymentRecovery.stop(), outboxRelay.stop()]);
      },
    };
  },
});
