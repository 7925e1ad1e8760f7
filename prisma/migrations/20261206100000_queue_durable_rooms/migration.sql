-- The waiting room's durable facts (docs/queue.md, "When Redis loses the room"). The room runs in Redis;
-- what must outlive Redis losing everything is kept here, so that the room can be set up again with the
-- same commitment, the draw stays verifiable, admitted fans keep shopping and fans who were in line are
-- told to rejoin:
--   queue_room       the secret seed and its commitment (written before any fan can join), then the draw
--   queue_entry      which account had which entry (written in batches, off the join's path)
--   queue_admission  every admission, with its account and shopping window (written once per leader tick)
-- user_id is not a foreign key: these rows are copies of the room's Redis state written in batches, where
-- one refused row would fail the whole batch.

CREATE TABLE "queue_room" (
    "event_id" INTEGER NOT NULL,
    -- Secret until revealed_at; 32 bytes as 64 lowercase hex characters.
    "seed" TEXT NOT NULL,
    "commitment" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- Set together at the draw: the pre-queue in join order and in drawn order.
    "pre_queue_entries" UUID[],
    "drawn_order" UUID[],
    "revealed_at" TIMESTAMPTZ(3),
    CONSTRAINT "queue_room_pkey" PRIMARY KEY ("event_id"),
    CONSTRAINT "queue_room_seed_hex" CHECK ("seed" ~ '^[0-9a-f]{64}$' AND "commitment" ~ '^[0-9a-f]{64}$'),
    CONSTRAINT "queue_room_draw_whole" CHECK (
      ("revealed_at" IS NULL) = ("pre_queue_entries" IS NULL) AND
      ("revealed_at" IS NULL) = ("drawn_order" IS NULL))
);

CREATE TABLE "queue_entry" (
    "event_id" INTEGER NOT NULL,
    "user_id" UUID NOT NULL,
    "entry_id" UUID NOT NULL,
    "joined_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "queue_entry_pkey" PRIMARY KEY ("event_id", "user_id")
);

CREATE TABLE "queue_admission" (
    "event_id" INTEGER NOT NULL,
    "entry_id" UUID NOT NULL,
    -- "<room epoch>-<counter>": unique per room, across every time it was set up again.
    "session_id" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "admitted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "window_ends_at" TIMESTAMPTZ(3) NOT NULL,
    -- The admission ended before its window did (the fan left the queue or was blocked).
    "ended_at" TIMESTAMPTZ(3),
    CONSTRAINT "queue_admission_pkey" PRIMARY KEY ("event_id", "entry_id", "session_id")
);

-- Ending a fan's admission when they leave or are blocked.
CREATE INDEX "queue_admission_event_id_user_id_idx" ON "queue_admission"("event_id", "user_id");

ALTER TABLE "queue_room" ADD CONSTRAINT "queue_room_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "queue_entry" ADD CONSTRAINT "queue_entry_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "queue_room"("event_id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "queue_admission" ADD CONSTRAINT "queue_admission_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "queue_room"("event_id") ON DELETE CASCADE ON UPDATE CASCADE;
