import type { Metadata } from "next";
import { AuthCard } from "@/auth/auth-card";
import { VerifyEmailView } from "@/auth/verify-email-view";

export const metadata: Metadata = { title: "Confirm your email", referrer: "no-referrer" };

export default async function VerifyEmailPage({ searchParams }: PageProps<"/verify-email">) {
  const { token } = await searchParams;
  return (
    <AuthCard title="Confirm your email" lead="So that your tickets and password resets reach you.">
      <VerifyEmailView token={typeof token === "string" ? token : ""} />
    </AuthCard>
  );
}
