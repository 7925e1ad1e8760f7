-- Seating charts as organizers describe them (docs/venues.md): the description a chart version was made
-- from (sections, rows, numbering, curves; what the API exports and the venue builder edits), and the
-- outline a standing area is drawn with. Charts made before this have no description: their export is
-- built from their seats.
ALTER TABLE "seating_chart" ADD COLUMN "description" JSONB;
ALTER TABLE "section" ADD COLUMN "outline" JSONB;
