"use client";

import { useEffect, useState } from "react";
import type { EventStatus } from "@/gql/graphql";

// setTimeout fires at once beyond this (about 24.8 days).
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface SaleTimes {
  status: EventStatus;
  onSale: boolean;
  saleStartsAt: string;
}

/** Whether seats can be held now; flips by itself when a scheduled sale opens while the page is open. */
export function useSaleOpen(event: SaleTimes): boolean {
  const [opened, setOpened] = useState(event.onSale);
  useEffect(() => {
    if (opened || event.status !== "ON_SALE") return;
    const wait = Date.parse(event.saleStartsAt) - Date.now();
    // Mounted after the sale opened (a waiting room admitted the fan on a page loaded before it).
    if (wait <= 0) {
      setOpened(true);
      return;
    }
    if (wait > MAX_TIMEOUT_MS) return;
    const timer = setTimeout(() => setOpened(true), wait);
    return () => clearTimeout(timer);
  }, [opened, event.status, event.saleStartsAt]);
  return opened;
}
