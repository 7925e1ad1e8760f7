import Link from "next/link";
import { Notice } from "@/components/notice";

export default function NotFound() {
  return (
    <Notice
      title="We couldn't find that page"
      action={
        <Link className="button" href="/">
          Browse events
        </Link>
      }
    >
      The event may have been removed, or the link is mistyped.
    </Notice>
  );
}
