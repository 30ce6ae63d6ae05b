import type { Context, MiddlewareHandler } from "hono";
import { negotiateLocale } from "../../../core/messages/index.ts";
import { actingParty } from "../../../core/offboarding/transitions.ts";
import { functionsOf } from "../../../db/repositories/directory.ts";
import { formFields } from "../body.ts";
import { requestLocale } from "../errors.ts";
import { sameOriginForUnsafeMethods } from "../middleware/security.ts";
import type { AppEnv } from "../services.ts";
import { sameToken } from "../sessions.ts";
import { personOf } from "./data.ts";
import { barePage, type HrContext, translator } from "./layout.ts";

export type HrEnv = {
  Variables: AppEnv["Variables"] & {
    hr: HrContext;
    /** The posted form's fields, without the CSRF token. */
    form: Record<string, string>;
  };
};

/** Where a person signs in: the web chat's sign-in, which brings them back to `next`. */
export function signInPath(next: string): string {
  return `/chat?next=${encodeURIComponent(next)}`;
}

function requestedPath(c: Context): string {
  const url = new URL(c.req.url);
  return `${url.pathname}${url.search}`.slice(0, 500);
}

/**
 * The console is for HR sessions only. No session: a page view goes to the sign-in, a form post is
 * a 401. A session of someone without the `hr` function: 403. Every POST must come from Baton's
 * own pages (Origin) and carry the session's CSRF token in `_csrf`; else 403 and nothing happens.
 */
export const hrGuard: MiddlewareHandler<HrEnv> = async (c, next) => {
  // The app's own helpers take the app's context; this one only adds variables to it.
  const base = c as unknown as Context<AppEnv>;
  const services = c.get("services");
  const db = services.database.db;
  const session = c.get("session");
  const unsafe = !["GET", "HEAD"].includes(c.req.method);
  if (!session) {
    const locale = requestLocale(base, "zh-CN");
    const t = translator(locale);
    const target = signInPath(unsafe ? "/hr" : requestedPath(c));
    if (!unsafe) return c.redirect(target, 302);
    return c.html(
      barePage(locale, t("hr.sign_in.title"), t("hr.sign_in.body"), {
        href: target,
        label: t("hr.sign_in.button"),
      }),
      401,
    );
  }
  const person = await personOf(db, session.principal);
  const locale = person ? negotiateLocale(person.locale, "zh-CN") : requestLocale(base, "zh-CN");
  const t = translator(locale);
  const refuse = (title: string, text: string) => c.html(barePage(locale, title, text), 403);
  if (unsafe) {
    try {
      await sameOriginForUnsafeMethods(base, async () => {});
    } catch {
      return refuse(t("hr.refused.title"), t("error.csrf"));
    }
    const { _csrf: token, ...fields } = await formFields(c);
    if (!sameToken(token ?? c.req.header("x-csrf-token") ?? "", session.csrfToken)) {
      return refuse(t("hr.refused.title"), t("error.csrf"));
    }
    c.set("form", fields);
  } else {
    c.set("form", {});
  }
  const functions = await functionsOf(db, session.principal);
  const actor = actingParty(session.principal, functions);
  if (actor.kind !== "person" || !actor.functions.includes("hr")) {
    return refuse(t("hr.forbidden.title"), t("hr.forbidden.body"));
  }
  c.set("hr", {
    principal: session.principal,
    name: person?.name ?? session.principal,
    functions,
    locale,
    csrfToken: session.csrfToken,
    timeZone: services.config.BATON_TIMEZONE,
  });
  await next();
};
