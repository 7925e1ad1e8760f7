import { GraphQLError } from "graphql";

// The stable `extensions.code` values clients may rely on (DESIGN.md §6).
export const ErrorCode = {
  BAD_USER_INPUT: "BAD_USER_INPUT",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  SEATS_UNAVAILABLE: "SEATS_UNAVAILABLE",
  HOLD_EXPIRED: "HOLD_EXPIRED",
  LIMIT_EXCEEDED: "LIMIT_EXCEEDED",
  NOT_ADMITTED: "NOT_ADMITTED",
  SALE_NOT_OPEN: "SALE_NOT_OPEN",
  RATE_LIMITED: "RATE_LIMITED",
  PAYMENT_DECLINED: "PAYMENT_DECLINED",
  QUERY_TOO_COMPLEX: "QUERY_TOO_COMPLEX",
  EMAIL_TAKEN: "EMAIL_TAKEN",
  /** A reset or verification link that is unknown, used, expired or for an old address (`reason`). */
  INVALID_TOKEN: "INVALID_TOKEN",
  /** No Apple Wallet signing certificates (or Google Wallet service account) are configured. */
  WALLET_NOT_CONFIGURED: "WALLET_NOT_CONFIGURED",
  /** The event's organizer turned the static codes of printed tickets and Wallet passes off. */
  STATIC_CODES_DISABLED: "STATIC_CODES_DISABLED",
  /** The request clashes with the current state (a transfer already accepted, a place already taken…). */
  CONFLICT: "CONFLICT",
  /** The event's organizer does not allow ticket transfers, or no longer (docs/transfers.md). */
  TRANSFER_NOT_ALLOWED: "TRANSFER_NOT_ALLOWED",
  /** A waitlist is for sold-out events and tiers: seats are on sale (docs/waitlist.md). */
  NOT_SOLD_OUT: "NOT_SOLD_OUT",
  /** The event has no waitlist (the organizer turned it off, or the sale is over). */
  WAITLIST_CLOSED: "WAITLIST_CLOSED",
  /** An upload over its route's size limit (HTTP 413; `limitBytes`), e.g. a seating chart's. */
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  /** An upload whose Content-Type the route does not take (HTTP 415). */
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  GRAPHQL_PARSE_FAILED: "GRAPHQL_PARSE_FAILED",
  GRAPHQL_VALIDATION_FAILED: "GRAPHQL_VALIDATION_FAILED",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * An error meant for the client: its message and extensions are safe to show. Services throw these
 * (they carry no GraphQL types beyond the error class); anything else is masked as an internal error.
 */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message, { extensions: { ...details, code } });
    this.name = "AppError";
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, details);

export const notFound = (what: string, id: string) =>
  new AppError(ErrorCode.NOT_FOUND, `${what} ${id} was not found`, { id });
