import { adminModule } from "./admin/index.js";
import { authModule } from "./auth/index.js";
import { catalogModule } from "./catalog/index.js";
import { checkinModule } from "./checkin/index.js";
import { defencesModule } from "./defences/index.js";
import { eventsModule } from "./events/index.js";
import { holdsModule } from "./holds/index.js";
import type { FrontrowModule } from "./module.js";
import { notificationsModule } from "./notifications/index.js";
import { ordersModule } from "./orders/index.js";
import { queueModule } from "./queue/index.js";
import { salesModule } from "./sales/index.js";
import { seatingModule } from "./seating/index.js";
import { transfersModule } from "./transfers/index.js";
import { venuesModule } from "./venues/index.js";
import { waitlistModule } from "./waitlist/index.js";
import { webhooksModule } from "./webhooks/index.js";

/**
 * Every module of the API, each set up after the modules it uses and stopped before them (so in the
 * reverse order). Adding a module: a folder with an index.ts that defines it, and one line here.
 */
export const MODULES: readonly FrontrowModule[] = [
  authModule,
  catalogModule,
  seatingModule,
  queueModule,
  holdsModule,
  adminModule,
  defencesModule,
  ordersModule,
  eventsModule,
  webhooksModule,
  notificationsModule,
  transfersModule,
  waitlistModule,
  venuesModule,
  salesModule,
  checkinModule,
];
