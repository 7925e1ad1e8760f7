-- A seat removed from a chart (an unfrozen version re-drawn or re-imported, a venue deleted) cascades to
-- its event_seat rows through the foreign key, which looks them up by seat_id alone. No index led with
-- seat_id, so each removed seat scanned event_seat whole: 3.9 ms a seat with 285,000 rows, a 52,800-seat
-- re-import with renumbered seats minutes long, and longer with every event on the platform.
CREATE INDEX "event_seat_seat_id_idx" ON "event_seat"("seat_id");
