import type { Metadata } from "next";
import { OrdersList } from "@/orders/orders-list";

export const metadata: Metadata = { title: "My orders" };

export default function OrdersPage() {
  return <OrdersList />;
}
