import type { Metadata } from "next";
import { AuthCard } from "@/auth/auth-card";
import { AuthForm } from "@/auth/auth-form";
import { safeReturnPath } from "@/auth/return-path";

export const metadata: Metadata = { title: "Log in" };

export default async function LoginPage({ searchParams }: PageProps<"/login">) {
  const returnTo = safeReturnPath((await searchParams).next);
  return (
    <AuthCard
      title="Log in"
      lead={returnTo === "/" ? "Welcome back." : "Log in to continue where you left off."}
    >
      <AuthForm mode="logIn" returnTo={returnTo} />
    </AuthCard>
  );
}
