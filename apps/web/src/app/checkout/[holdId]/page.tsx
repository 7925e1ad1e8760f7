import type { Metadata } from "next";
import { CheckoutView } from "@/orders/checkout-view";

export const metadata: Metadata = { title: "Checkout" };

export default async function CheckoutPage({ params }: PageProps<"/checkout/[holdId]">) {
  const { holdId } = await params;
  return <CheckoutView holdId={holdId} />;
}
