/** The Frontrow mark: a ticket with a seat row punched through it, and the wordmark. */
export function Logo() {
  return (
    <svg width="132" height="28" viewBox="0 0 132 28" role="img" aria-label="Frontrow">
      <path
        d="M3 5a3 3 0 0 1 3-3h18a3 3 0 0 1 3 3v5.2a3.8 3.8 0 0 0 0 7.6V23a3 3 0 0 1-3 3H6a3 3 0 0 1-3-3v-5.2a3.8 3.8 0 0 0 0-7.6Z"
        fill="#5b21b6"
      />
      <circle cx="10" cy="16" r="2" fill="#fff" />
      <circle cx="15" cy="16" r="2" fill="#fff" />
      <circle cx="20" cy="16" r="2" fill="#f9a8d4" />
      <rect x="8" y="8" width="14" height="3" rx="1.5" fill="#c4b5fd" />
      <text
        x="34"
        y="20.5"
        fill="#111827"
        fontFamily="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
        fontSize="18"
        fontWeight="750"
        letterSpacing="-0.4"
      >
        Frontrow
      </text>
    </svg>
  );
}
