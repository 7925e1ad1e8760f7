// How seats that are not available are told apart by more than colour: each status has its own shape,
// drawn on the canvas and in the legend, in a colour with at least 3:1 contrast against the map's
// background (WCAG 2.2 SC 1.4.11, non-text contrast).

/** A seat's shape: a filled disc (available), a ring (held), a disc with a cross (sold), a bar (not for sale). */
export type SeatMark = "fill" | "ring" | "cross" | "bar";

export const MAP_BACKGROUND = "#fbfcfe";

export const STATUS_STYLES = {
  // Drawn by the renderer over the seat's own colour, larger, with a white ring and a white centre.
  yours: { colour: "#111827", mark: "fill" },
  held: { colour: "#64748b", mark: "ring" },
  sold: { colour: "#475569", mark: "cross" },
  notForSale: { colour: "#737d8c", mark: "bar" },
  // An available seat in a section without a known tier: should not happen, but must still be visible.
  unpriced: { colour: "#475569", mark: "fill" },
} as const satisfies Record<string, { colour: string; mark: SeatMark }>;

function relativeLuminance(hex: string): number {
  const value = Number.parseInt(hex.slice(1), 16);
  const channels = [(value >> 16) & 255, (value >> 8) & 255, value & 255].map((channel) => {
    const srgb = channel / 255;
    return srgb <= 0.04045 ? srgb / 12.92 : ((srgb + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (channels[0] ?? 0) + 0.7152 * (channels[1] ?? 0) + 0.0722 * (channels[2] ?? 0);
}

/** The WCAG contrast ratio of two `#rrggbb` colours, from 1 to 21. */
export function contrastRatio(first: string, second: string): number {
  const [lighter, darker] = [relativeLuminance(first), relativeLuminance(second)].sort((a, b) => b - a);
  return ((lighter ?? 0) + 0.05) / ((darker ?? 0) + 0.05);
}
