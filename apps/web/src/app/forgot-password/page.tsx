import type { Metadata } from "next";
import { ForgotPasswordForm } from "@/accounts/forgot-password-form";
import { AuthCard } from "@/auth/auth-card";

export const metadata: Metadata = { title: "Forgot password" };

export default function ForgotPasswordPage() {
  return (
    <AuthCard title="Forgot your password?" lead="We will email you a link to choose a new one.">
      <ForgotPasswordForm />
    </AuthCard>
  );
}
