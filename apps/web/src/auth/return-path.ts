/**
 * Where to go after signing in: only a path on this site, so a crafted `?next=https://evil.example`
 * (or `//evil.example`) cannot turn the login page into an open redirect.
 */
export function safeReturnPath(next: string | string[] | undefined): string {
  const path = Array.isArray(next) ? next[0] : next;
  if (!path?.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return "/";
  return path;
}

/** The login page, coming back to `returnTo` afterwards. */
export function loginHref(returnTo: string): string {
  return returnTo === "/" ? "/login" : `/login?next=${encodeURIComponent(returnTo)}`;
}

export function signUpHref(returnTo: string): string {
  return returnTo === "/" ? "/signup" : `/signup?next=${encodeURIComponent(returnTo)}`;
}
