import Link from "next/link";
import layout from "./layout.module.css";

/** "← All events": the way up from a page, as a breadcrumb. */
export function BackLink({ href, children }: { href: string; children: string }) {
  return (
    <nav aria-label="Breadcrumb">
      <Link href={href} className={layout.back}>
        ← {children}
      </Link>
    </nav>
  );
}
