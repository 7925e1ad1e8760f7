import type { Metadata } from "next";
import { AccountSettings } from "@/auth/account-settings";
import { AuthCard } from "@/auth/auth-card";

export const metadata: Metadata = { title: "My account" };

export default function AccountPage() {
  return (
    <AuthCard title="My account" lead="Your email, your password and the devices signed in.">
      <AccountSettings />
    </AuthCard>
  );
}
