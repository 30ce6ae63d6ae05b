import type { MiddlewareHandler } from "hono";
import { type Scope, scopeAllows } from "../../../core/access/scopes.ts";
import { AppError } from "../../../core/errors.ts";
import { apiKeyRepository } from "../../../db/repositories/api-keys.ts";
import { hashSecret, verifyApiKey } from "../api-keys.ts";
import { normaliseAddress } from "../client-ip.ts";
import { isLoopbackHost } from "../config.ts";
import { withMeta } from "../route-meta.ts";
import type { AppEnv } from "../services.ts";
import { sameToken } from "../sessions.ts";

const unauthorized = () =>
  new AppError("unauthorized", "The API key or token is not valid.", { messageKey: "error.bad_credentials" });

/**
 * Authenticates /api requests: a bearer API key, the bootstrap BATON_ADMIN_TOKEN, the local CLI's
 * per-run secret (loopback only), or else a session cookie (then unsafe methods need the CSRF token).
 */
export const apiAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const services = c.get("services");
  const header = c.req.header("authorization");
  if (header !== undefined) {
    const match = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(header.trim());
    if (!match) throw unauthorized();
    const presented = match[1] as string;
    const digest = hashSecret(presented);
    const admin = services.config.BATON_ADMIN_TOKEN;
    if (admin !== undefined && sameToken(digest, hashSecret(admin))) {
      c.set("auth", { principal: "system:admin", scopes: ["*"], via: "admin-token" });
    } else if (
      services.cliSecret !== undefined &&
      sameToken(digest, hashSecret(services.cliSecret)) &&
      isLoopbackHost(normaliseAddress(services.remoteAddress(c.env) ?? ""))
    ) {
      c.set("auth", { principal: "system:cli", scopes: ["*"], via: "cli" });
    } else {
      const row = await verifyApiKey(services.database.db, presented);
      if (!row) throw unauthorized();
      const now = services.clock.now();
      // Recording every use would turn each read into a write; a minute's precision is enough.
      if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
        await apiKeyRepository(services.database.db).touch(row.id, now);
      }
      c.set("auth", { principal: row.principal, scopes: row.scopes, via: "api-key", keyId: row.id });
    }
    return next();
  }
  const session = c.get("session");
  if (session) {
    if (!["GET", "HEAD", "OPTIONS"].includes(c.req.method)) {
      const token = c.req.header("x-csrf-token") ?? "";
      if (!sameToken(token, session.csrfToken)) {
        throw new AppError("forbidden", "CSRF token missing or wrong.", { messageKey: "error.csrf" });
      }
    }
    c.set("auth", { principal: session.principal, scopes: [], via: "session" });
    return next();
  }
  throw new AppError("unauthorized", "Authentication is required.", { messageKey: "error.unauthorized" });
};

/** Refuses the request unless the caller's key carries `scope` (which the OpenAPI document shows). */
export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    const auth = c.get("auth");
    if (!auth)
      throw new AppError("unauthorized", "Authentication is required.", { messageKey: "error.unauthorized" });
    if (!scopeAllows(auth.scopes, scope)) {
      throw new AppError("forbidden", `This API key lacks the scope ${scope}.`, {
        messageKey: "error.missing_scope",
        params: { scope },
      });
    }
    return next();
  };
  return withMeta(middleware, { scope });
}
