-- Seating charts, standing areas, seat flags and the organizers' audit log (docs/database.md).
--
-- A venue's sections and seats now belong to one of its seating charts: a named layout ("Concert",
-- "Football") in numbered versions. An event sells the chart version it points at; a chart that an event
-- has been published with is frozen (frozen_at), and editing it makes the next version, so a published
-- event's seats never change under it. Every existing venue gets version 1 of a chart named "Main".

CREATE TABLE "seating_chart" (
    "id" SERIAL NOT NULL,
    "venue_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL DEFAULT 'Main',
    "version" INTEGER NOT NULL DEFAULT 1,
    "frozen_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "seating_chart_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "seating_chart_version_positive" CHECK ("version" > 0)
);
CREATE UNIQUE INDEX "seating_chart_venue_id_name_version_key" ON "seating_chart"("venue_id", "name", "version");
-- The target of event's (chart_id, venue_id) foreign key: an event's chart is one of its venue's.
CREATE UNIQUE INDEX "seating_chart_id_venue_id_key" ON "seating_chart"("id", "venue_id");
ALTER TABLE "seating_chart" ADD CONSTRAINT "seating_chart_venue_id_fkey" FOREIGN KEY ("venue_id") REFERENCES "venue"("id") ON DELETE CASCADE ON UPDATE CASCADE;

INSERT INTO "seating_chart" ("venue_id") SELECT "id" FROM "venue" ORDER BY "id";

ALTER TABLE "section" ADD COLUMN "chart_id" INTEGER;
UPDATE "section" SET "chart_id" = chart."id" FROM "seating_chart" chart WHERE chart."venue_id" = "section"."venue_id";
ALTER TABLE "section" ALTER COLUMN "chart_id" SET NOT NULL;
ALTER TABLE "section" ADD CONSTRAINT "section_chart_id_fkey" FOREIGN KEY ("chart_id") REFERENCES "seating_chart"("id") ON DELETE CASCADE ON UPDATE CASCADE;
DROP INDEX "section_venue_id_name_key";
DROP INDEX "section_venue_id_sort_order_key";
ALTER TABLE "section" DROP COLUMN "venue_id";
CREATE UNIQUE INDEX "section_chart_id_name_key" ON "section"("chart_id", "name");
CREATE UNIQUE INDEX "section_chart_id_sort_order_key" ON "section"("chart_id", "sort_order");

-- A standing area is a section with a capacity instead of seats. The new enum value cannot be used in
-- the transaction that adds it, hence the comparison as text.
ALTER TYPE "SectionKind" ADD VALUE 'STANDING';
ALTER TABLE "section" ADD COLUMN "capacity" INTEGER;
ALTER TABLE "section" ADD CONSTRAINT "section_capacity_positive" CHECK ("capacity" IS NULL OR "capacity" > 0);
ALTER TABLE "section" ADD CONSTRAINT "section_standing_has_capacity" CHECK (("kind"::text = 'STANDING') = ("capacity" IS NOT NULL));

ALTER TABLE "seat" ADD COLUMN "wheelchair" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "seat" ADD COLUMN "companion" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "seat" ADD COLUMN "restricted_view" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "event" ADD COLUMN "chart_id" INTEGER;
UPDATE "event" SET "chart_id" = chart."id" FROM "seating_chart" chart WHERE chart."venue_id" = "event"."venue_id";
ALTER TABLE "event" ALTER COLUMN "chart_id" SET NOT NULL;
ALTER TABLE "event" ADD CONSTRAINT "event_chart_id_venue_id_fkey" FOREIGN KEY ("chart_id", "venue_id") REFERENCES "seating_chart"("id", "venue_id") ON DELETE RESTRICT ON UPDATE CASCADE;
CREATE INDEX "event_chart_id_idx" ON "event"("chart_id");
UPDATE "seating_chart" SET "frozen_at" = CURRENT_TIMESTAMP
WHERE "id" IN (SELECT "chart_id" FROM "event" WHERE "status" <> 'DRAFT');

-- Venues belong to the organizer who made them (the seed's to the demo organizer); admins manage all.
ALTER TABLE "venue" ADD COLUMN "organizer_id" UUID;
ALTER TABLE "venue" ADD CONSTRAINT "venue_organizer_id_fkey" FOREIGN KEY ("organizer_id") REFERENCES "user_account"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "venue_organizer_id_idx" ON "venue"("organizer_id");
UPDATE "venue" SET "organizer_id" = (
  SELECT "organizer_id" FROM "event" WHERE "event"."venue_id" = "venue"."id" AND "organizer_id" IS NOT NULL
  ORDER BY "event"."id" LIMIT 1
);

-- Who changed what on an organizer's venue or event, with the values before and after.
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "event_id" INTEGER,
    "venue_id" INTEGER,
    -- Not a foreign key: the log outlives the account that acted.
    "actor_id" UUID,
    "action" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "audit_log_names_its_subject" CHECK ("event_id" IS NOT NULL OR "venue_id" IS NOT NULL)
);
CREATE INDEX "audit_log_event_id_id_idx" ON "audit_log"("event_id", "id");
CREATE INDEX "audit_log_venue_id_id_idx" ON "audit_log"("venue_id", "id");
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_venue_id_fkey" FOREIGN KEY ("venue_id") REFERENCES "venue"("id") ON DELETE CASCADE ON UPDATE CASCADE;
