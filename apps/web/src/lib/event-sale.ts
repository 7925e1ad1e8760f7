import type { EventStatus } from "@/gql/graphql";

export type SaleTone = "positive" | "upcoming" | "neutral" | "negative";

export interface SaleState {
  label: string;
  tone: SaleTone;
  /** Set while the event is scheduled to go on sale later. */
  opensAt: string | null;
}

export interface SaleFacts {
  status: EventStatus;
  /** The API's word on whether tickets can be bought right now. */
  onSale: boolean;
  saleStartsAt: string;
}

/** What a fan can do right now: buy, wait for the sale to open, or nothing. */
export function describeSale({ status, onSale, saleStartsAt }: SaleFacts, now: Date): SaleState {
  switch (status) {
    case "ON_SALE":
      if (onSale) return { label: "On sale", tone: "positive", opensAt: null };
      return new Date(saleStartsAt) > now
        ? { label: "Sale opens soon", tone: "upcoming", opensAt: saleStartsAt }
        : { label: "Not on sale", tone: "neutral", opensAt: null };
    case "SOLD_OUT":
      return { label: "Sold out", tone: "neutral", opensAt: null };
    case "CANCELLED":
      return { label: "Cancelled", tone: "negative", opensAt: null };
    case "ENDED":
      return { label: "Ended", tone: "neutral", opensAt: null };
    case "DRAFT":
      return { label: "Not yet announced", tone: "neutral", opensAt: null };
  }
}

/** Cancelled and ended events sell nothing: no availability, no prices. */
export function isEventOver(status: EventStatus): boolean {
  return status === "CANCELLED" || status === "ENDED";
}
