import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { SiteFooter } from "@/components/site-footer";
import { SiteHeader } from "@/components/site-header";
import { publicApiUrl } from "@/lib/api-url";
import { ApolloProvider } from "@/lib/apollo/apollo-provider";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Frontrow · live tickets", template: "%s · Frontrow" },
  description: "Find concerts, theatre, comedy and sport, and pick your seat on a live seat map.",
};

export const viewport: Viewport = {
  themeColor: "#5b21b6",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Render per request so the API URL is read from the running server's environment, not frozen at build.
  await connection();
  const apiUrl = publicApiUrl();
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <ApolloProvider apiUrl={apiUrl}>
          <SiteHeader playgroundUrl={apiUrl} />
          <main id="main" className="page">
            {children}
          </main>
        </ApolloProvider>
        <SiteFooter />
      </body>
    </html>
  );
}
