import { formatCount } from "@/lib/format";
import type { StandingArea } from "./seat-status-sync";

/** "Pitch Standing, 1,234 places left": the words the map and the list use for a standing area. */
export function standingAreaLabel(area: Pick<StandingArea, "name" | "available">): string {
  if (area.available === 0) return `${area.name}, sold out`;
  return `${area.name}, ${formatCount(area.available)} ${area.available === 1 ? "place" : "places"} left`;
}
