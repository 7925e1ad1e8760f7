-- A waitlist place can ask for places in a standing area instead of seats (docs/waitlist.md): a
-- sold-out pitch has a line too. A place asks for a price tier's seats, any seat, or an area's places.
ALTER TABLE "waitlist_entry" ADD COLUMN "area_id" INTEGER;

ALTER TABLE "waitlist_entry" ADD CONSTRAINT "waitlist_entry_area_id_fkey"
  FOREIGN KEY ("area_id") REFERENCES "section"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "waitlist_entry" ADD CONSTRAINT "waitlist_entry_tier_or_area_check"
  CHECK ("price_tier_id" IS NULL OR "area_id" IS NULL);

CREATE INDEX "waitlist_entry_area_id_idx" ON "waitlist_entry"("area_id");
