import type { Metadata } from "next";
import { AuthCard } from "@/auth/auth-card";
import { ForgotPasswordForm } from "@/auth/forgot-password-form";

export const metadata: Metadata = { title: "Forgot password" };

export default function ForgotPasswordPage() {
  return (
    <AuthCard title="Forgot your password?" lead="We will email you a link to choose a new one.">
      <ForgotPasswordForm />
    </AuthCard>
  );
}
