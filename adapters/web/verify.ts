import type { Locale } from "../../core/messages/index.ts";
import type { RawRequest, VerifyResult } from "../shared/surface.ts";
import { decodeBody, textField } from "./body.ts";

/** The session the wiring layer found for the request's cookie (the web signs nothing else). */
export type WebSession = { principal: string; csrfToken: string };

/**
 * A request to the web chat: the raw request plus what the wiring layer resolved from it — the
 * session of its cookie (absent: none or expired), the viewer's language and the arrival time.
 */
export type WebRequest = RawRequest & { session?: WebSession; locale?: Locale; receivedAt?: Date };

export type WebVerifyOptions = {
  /** Origins a browser may post from: Baton's public origin (the request's own origin is also fine). */
  allowedOrigins: readonly string[];
};

/** Compares two strings in time that depends only on their length. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function ownOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * The web chat's check, pure given its inputs: a live session (else 401), a same-origin request
 * (a browser sends `Origin` on a POST, `Sec-Fetch-Site` backs it up; else 403) and the session's
 * CSRF token in the `X-CSRF-Token` header or the `_csrf` field (else 403).
 */
export function verifyWebRequest(request: WebRequest, options: WebVerifyOptions): VerifyResult {
  const { session } = request;
  if (!session) return { ok: false, status: 401, reason: "no session" };
  const allowed = new Set(options.allowedOrigins);
  const own = ownOrigin(request.url);
  if (own) allowed.add(own);
  const origin = request.headers.origin;
  const site = request.headers["sec-fetch-site"];
  // Under Baton's `Referrer-Policy: no-referrer` a browser's plain form post (no script) says
  // `Origin: null` even on the same origin: then Sec-Fetch-Site decides, and must be present.
  const opaque = origin === "null";
  if (origin !== undefined && !opaque && !allowed.has(origin)) {
    return { ok: false, status: 403, reason: "cross-origin request" };
  }
  if ((origin === undefined || opaque) && site !== undefined && site !== "same-origin" && site !== "none") {
    return { ok: false, status: 403, reason: "cross-site request" };
  }
  if (opaque && site === undefined) {
    return { ok: false, status: 403, reason: "opaque origin" };
  }
  const token = request.headers["x-csrf-token"] ?? textField(decodeBody(request), "_csrf") ?? "";
  if (!constantTimeEqual(token, session.csrfToken)) {
    return { ok: false, status: 403, reason: "CSRF token missing or wrong" };
  }
  return { ok: true };
}
