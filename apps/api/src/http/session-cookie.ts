import type { IncomingMessage } from "node:http";
import { parseCookie, stringifySetCookie } from "cookie";
import type { SessionHandle } from "../graphql/context.js";
import { AppError, ErrorCode } from "../kernel/errors.js";

export const SESSION_COOKIE = "frontrow_session";

export function sessionTokenFrom(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  return header ? parseCookie(header)[SESSION_COOKIE] : undefined;
}

/** Whether the browser reached us over HTTPS (directly, or through a proxy we trust). */
export function isHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ("encrypted" in req.socket && req.socket.encrypted) return true;
  return trustProxy && req.headers["x-forwarded-proto"] === "https";
}

/** Session handle for an HTTP request: Set-Cookie headers are collected and sent with the response. */
export function httpSession(token: string | undefined, secure: boolean, setCookies: string[]): SessionHandle {
  const options = { httpOnly: true, sameSite: "lax" as const, secure, path: "/" };
  return {
    token,
    start(newToken, expiresAt) {
      setCookies.push(
        stringifySetCookie({ name: SESSION_COOKIE, value: newToken, ...options, expires: expiresAt }),
      );
    },
    end() {
      setCookies.push(
        stringifySetCookie({ name: SESSION_COOKIE, value: "", ...options, expires: new Date(0) }),
      );
    },
  };
}

/** WebSocket operations use the session they connected with; cookies cannot change mid-connection. */
export function socketSession(token: string | undefined): SessionHandle {
  const refuse = () => {
    throw new AppError(ErrorCode.BAD_USER_INPUT, "Sign in and out over HTTP, not over a WebSocket");
  };
  return { token, start: refuse, end: refuse };
}
