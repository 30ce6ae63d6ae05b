import type { Hono } from "hono";
import { AppError } from "../../../core/errors.ts";
import { translate } from "../../../core/messages/index.ts";
import { sessionRepository } from "../../../db/repositories/sessions.ts";
import { requestLocale } from "../errors.ts";
import { messagePage } from "../pages/layout.ts";
import type { AppEnv } from "../services.ts";
import { clearSessionCookie, sameToken } from "../sessions.ts";

export function registerSessionRoutes(app: Hono<AppEnv>): void {
  /** Who the caller is: a key's principal and scopes, or a session's principal and CSRF token. */
  app.get("/api/v1/me", (c) => {
    const auth = c.get("auth");
    const session = c.get("session");
    return c.json(
      {
        principal: auth?.principal,
        via: auth?.via,
        scopes: auth?.scopes ?? [],
        ...(auth?.via === "session" && session ? { csrfToken: session.csrfToken } : {}),
      },
      200,
      { "cache-control": "no-store" },
    );
  });

  app.post("/logout", async (c) => {
    const session = c.get("session");
    const locale = requestLocale(c, "zh-CN");
    if (session) {
      const form = await c.req.parseBody();
      const token = typeof form._csrf === "string" ? form._csrf : (c.req.header("x-csrf-token") ?? "");
      if (!sameToken(token, session.csrfToken)) {
        throw new AppError("forbidden", "CSRF token missing or wrong.", { messageKey: "error.csrf" });
      }
      const { database, clock } = c.get("services");
      await sessionRepository(database.db).end(session.idHash, clock.now());
    }
    clearSessionCookie(c);
    const text = translate(locale, "session.signed_out");
    return c.html(messagePage(locale, text, text));
  });
}
