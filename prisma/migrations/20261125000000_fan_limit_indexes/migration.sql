-- The per-account limit check (tickets_used) runs inside every hold, so it must cost the same whether an
-- event has ten live holds or fifty thousand. Its plans are cached per connection and made with the
-- statistics of the moment; before an on-sale, few holds are ACTIVE and few seats SOLD, so Postgres chose
-- hold_state_expires_at_idx (every live hold of every fan, then filtered by fan) and
-- event_seat_event_id_status_held_until_idx (every sold seat of the event, then joined to orders).
-- Measured in `pnpm bench holds`: 0.65 ms per hold at 40% of a stadium held, growing with the fill.
--
-- The fix: indexes that match every condition of the limit check, and no other index its conditions can
-- use. Between two indexes that each look like "one row", the planner's choice is a coin toss, so the
-- sweeper's index is made partial on a predicate the limit check never implies (ended_at IS NULL, which
-- the CHECK below ties to state = 'ACTIVE'), and the sold seats are reached from the fan's orders.

ALTER TABLE "hold" ADD CONSTRAINT "hold_ended_at_iff_ended" CHECK (("state" = 'ACTIVE') = ("ended_at" IS NULL));

-- A fan's live holds of an event (the limit check, the holds on `me`, blocking).
CREATE INDEX "hold_live_by_fan_idx" ON "hold" ("user_id", "event_id", "expires_at") WHERE "state" = 'ACTIVE';
DROP INDEX "hold_user_id_event_id_state_idx";

-- Live holds by expiry, for the sweeper.
CREATE INDEX "hold_expiry_idx" ON "hold" ("expires_at") WHERE "ended_at" IS NULL;
DROP INDEX "hold_state_expires_at_idx";

CREATE INDEX "order_user_id_event_id_idx" ON "order" ("user_id", "event_id");

CREATE OR REPLACE FUNCTION tickets_used(p_user_id uuid, p_event_id integer) RETURNS integer
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    (SELECT coalesce(sum(cardinality(h.seat_ids)), 0) FROM hold h
     WHERE h.user_id = p_user_id AND h.event_id = p_event_id AND h.state = 'ACTIVE'
       AND h.expires_at > now())
    +
    -- An order's seats are all of its event: no condition on es.event_id, which would invite the plan
    -- that walks every sold seat of the event.
    (SELECT count(*) FROM "order" o JOIN event_seat es ON es.order_id = o.id
     WHERE o.user_id = p_user_id AND o.event_id = p_event_id AND es.status = 'SOLD')
  )::integer;
END
$$;
