import type { Metadata } from "next";
import { AuthCard } from "@/auth/auth-card";
import { AuthForm } from "@/auth/auth-form";
import { safeReturnPath } from "@/auth/return-path";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage({ searchParams }: PageProps<"/signup">) {
  const returnTo = safeReturnPath((await searchParams).next);
  return (
    <AuthCard title="Create an account" lead="Hold seats and buy tickets with one free account.">
      <AuthForm mode="signUp" returnTo={returnTo} />
    </AuthCard>
  );
}
