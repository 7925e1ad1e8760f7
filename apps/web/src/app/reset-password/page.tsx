import type { Metadata } from "next";
import { AuthCard } from "@/auth/auth-card";
import { ResetPasswordForm } from "@/auth/reset-password-form";

export const metadata: Metadata = { title: "Choose a new password", referrer: "no-referrer" };

export default async function ResetPasswordPage({ searchParams }: PageProps<"/reset-password">) {
  const { token } = await searchParams;
  return (
    <AuthCard title="Choose a new password" lead="The link from your email works once, for 30 minutes.">
      <ResetPasswordForm token={typeof token === "string" ? token : ""} />
    </AuthCard>
  );
}
