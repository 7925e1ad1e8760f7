// Distinct hues that stay apart for common colour-vision deficiencies and contrast with the greys
// used for held, sold and not-for-sale seats. Tiers beyond the palette reuse it in order.
const TIER_PALETTE = ["#6d28d9", "#0284c7", "#059669", "#d97706", "#db2777", "#0d9488", "#65a30d", "#dc2626"];

export function tierColour(tierIndex: number): string {
  return TIER_PALETTE[tierIndex % TIER_PALETTE.length] ?? "#6d28d9";
}
