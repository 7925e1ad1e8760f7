import type { Metadata } from "next";
import { OrderView } from "@/orders/order-view";

export const metadata: Metadata = { title: "Order" };

export default async function OrderPage({ params }: PageProps<"/orders/[id]">) {
  const { id } = await params;
  return <OrderView orderId={id} />;
}
