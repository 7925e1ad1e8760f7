-- Printed and emailed tickets (PDF, Wallet) carry a static code, a second credential beside the rotating
-- one; the organizer can turn static codes off per event (docs/orders.md, "Static codes").
ALTER TABLE "event" ADD COLUMN "static_codes_enabled" BOOLEAN NOT NULL DEFAULT true;
