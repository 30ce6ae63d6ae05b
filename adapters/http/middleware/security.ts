import type { MiddlewareHandler } from "hono";
import { AppError } from "../../../core/errors.ts";
import type { AppEnv } from "../services.ts";

const pageCsp =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The web chat's pages also load their own script and poll their own origin (adapters/web). */
const chatPageCsp = pageCsp.replace(
  "default-src 'none';",
  "default-src 'none'; script-src 'self'; connect-src 'self';",
);
const isChatPage = (path: string) => path === "/chat" || path.startsWith("/chat/");

/** Security headers on every response; pages get a strict Content-Security-Policy. */
export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header("x-content-type-options", "nosniff");
  c.header("x-frame-options", "DENY");
  c.header("referrer-policy", "no-referrer");
  c.header("cross-origin-opener-policy", "same-origin");
  c.header("cross-origin-resource-policy", "same-origin");
  c.header("permissions-policy", "camera=(), microphone=(), geolocation=()");
  if (c.get("services").config.publicUrl.startsWith("https://")) {
    c.header("strict-transport-security", "max-age=31536000; includeSubDomains");
  }
  if ((c.res.headers.get("content-type") ?? "").startsWith("text/html")) {
    c.header("content-security-policy", isChatPage(c.req.path) ? chatPageCsp : pageCsp);
  } else {
    c.header("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
  }
};

/** Pages that carry tokens or personal data: never cached, never leaked through Referer. */
export const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header("cache-control", "no-store");
  c.header("pragma", "no-cache");
  c.header("x-robots-tag", "noindex, nofollow");
};

/**
 * Cross-site form posts are refused for cookie-authenticated routes: a browser sends Origin on a
 * POST, and it must be Baton's own. (Sec-Fetch-Site backs this up where Origin is absent.) Under
 * this site's `Referrer-Policy: no-referrer` a browser's plain form post says `Origin: null` even
 * on the same origin (a `fetch` says the origin); then Sec-Fetch-Site decides, and must be present.
 */
export const sameOriginForUnsafeMethods: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (["GET", "HEAD", "OPTIONS"].includes(c.req.method)) return next();
  const origin = c.req.header("origin");
  const site = c.req.header("sec-fetch-site");
  const ours = new URL(c.get("services").config.publicUrl).origin;
  const requestOrigin = new URL(c.req.url).origin;
  const opaque = origin === "null";
  if (origin !== undefined && !opaque && origin !== ours && origin !== requestOrigin) {
    throw new AppError("forbidden", "Cross-site request refused.", { messageKey: "error.csrf" });
  }
  if ((origin === undefined || opaque) && site !== undefined && site !== "same-origin" && site !== "none") {
    throw new AppError("forbidden", "Cross-site request refused.", { messageKey: "error.csrf" });
  }
  if (opaque && site === undefined) {
    throw new AppError("forbidden", "Cross-site request refused.", { messageKey: "error.csrf" });
  }
  return next();
};
