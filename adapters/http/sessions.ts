import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Db } from "../../db/client.ts";
import { sessionRepository } from "../../db/repositories/sessions.ts";
import type { Config } from "./config.ts";
import type { AppEnv, SessionInfo } from "./services.ts";

export const sessionLifetimeSeconds = 12 * 3600;

function isSecure(config: Config): boolean {
  return config.publicUrl.startsWith("https://");
}

/** `__Host-` needs Secure, so plain-HTTP local runs use the bare name. */
export function sessionCookieName(config: Config): string {
  return isSecure(config) ? "__Host-baton_session" : "baton_session";
}

export function hashSessionId(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** The CSRF token of a session: derived from the cookie, so it needs no storage and reveals nothing. */
export function csrfTokenFor(cookieValue: string): string {
  return createHmac("sha256", cookieValue).update("baton csrf").digest("base64url");
}

export function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Opens a session inside the caller's transaction and returns the cookie value to set. */
export async function openSession(tx: Db, principal: string, now: Date): Promise<string> {
  const value = randomBytes(32).toString("base64url");
  await sessionRepository(tx).insert({
    idHash: hashSessionId(value),
    principal,
    now,
    expiresAt: new Date(now.getTime() + sessionLifetimeSeconds * 1000),
  });
  return value;
}

export function setSessionCookie(c: Context<AppEnv>, value: string): void {
  const config = c.get("services").config;
  setCookie(c, sessionCookieName(config), value, {
    httpOnly: true,
    secure: isSecure(config),
    sameSite: "Lax",
    path: "/",
    maxAge: sessionLifetimeSeconds,
  });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  const config = c.get("services").config;
  deleteCookie(c, sessionCookieName(config), { path: "/", secure: isSecure(config) });
}

/** Reads the session cookie, if any, into `c.var.session`. */
export const loadSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const services = c.get("services");
  const value = getCookie(c, sessionCookieName(services.config));
  c.set("session", undefined);
  if (value && /^[A-Za-z0-9_-]{43}$/.test(value) && services.readiness.migrations === "current") {
    const idHash = hashSessionId(value);
    const row = await sessionRepository(services.database.db).findLive(idHash, services.clock.now());
    if (row) {
      const session: SessionInfo = { principal: row.principal, idHash, csrfToken: csrfTokenFor(value) };
      c.set("session", session);
    }
  }
  await next();
};
