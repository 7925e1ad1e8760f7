import type { Metadata } from "next";
import { MyWaitlistsView } from "@/waitlist/my-waitlists-view";

export const metadata: Metadata = { title: "My waitlists" };

export default function WaitlistsPage() {
  return <MyWaitlistsView />;
}
