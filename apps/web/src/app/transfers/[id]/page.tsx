import type { Metadata } from "next";
import { AcceptTransferView } from "@/transfers/accept-transfer-view";

export const metadata: Metadata = { title: "Tickets for you" };

export default async function TransferPage({ params }: PageProps<"/transfers/[id]">) {
  const { id } = await params;
  return <AcceptTransferView transferId={id} />;
}
