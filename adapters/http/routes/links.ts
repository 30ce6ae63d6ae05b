import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { isAppError } from "../../../core/errors.ts";
import { type Locale, type MessageKey, translate } from "../../../core/messages/index.ts";
import type { Db } from "../../../db/client.ts";
import { usedLinkRepository } from "../../../db/repositories/used-links.ts";
import { formFields } from "../body.ts";
import { requestLocale, statusOf } from "../errors.ts";
import type { LinkActionOutcome, LinkDescription } from "../links/actions.ts";
import { type LinkClaims, LinkTokenError } from "../links/tokens.ts";
import { noStore, sameOriginForUnsafeMethods } from "../middleware/security.ts";
import { messagePage, page } from "../pages/layout.ts";
import type { AppEnv } from "../services.ts";
import { openSession, sameToken, setSessionCookie } from "../sessions.ts";

type Refusal = { status: 401 | 403 | 404 | 409; title: MessageKey; body: MessageKey };

const refusals = {
  invalid: { status: 401, title: "link.invalid.title", body: "link.invalid.body" },
  unknown: { status: 404, title: "link.invalid.title", body: "link.invalid.body" },
  used: { status: 409, title: "link.used.title", body: "link.used.body" },
  wrongPerson: { status: 403, title: "link.wrong_person.title", body: "link.wrong_person.body" },
  signInFirst: { status: 401, title: "link.invalid.title", body: "link.sign_in_first" },
  csrf: { status: 403, title: "link.invalid.title", body: "error.csrf" },
} satisfies Record<string, Refusal>;

function refuse(c: Context<AppEnv>, locale: Locale, refusal: Refusal) {
  const title = translate(locale, refusal.title);
  return c.html(messagePage(locale, title, translate(locale, refusal.body)), refusal.status);
}

async function claimsOf(c: Context<AppEnv>): Promise<LinkClaims | undefined> {
  try {
    return await c.get("services").linkTokens.verify(c.req.param("token") ?? "");
  } catch (error) {
    if (error instanceof LinkTokenError) return undefined;
    throw error;
  }
}

class AlreadyUsed extends Error {}

/**
 * Signed action links. GET only shows what the link would do (chat apps fetch links for previews);
 * POST acts once: the link is marked used in the same transaction as its effect.
 */
export function registerLinkRoutes(app: Hono<AppEnv>): void {
  app.use("/a/*", noStore, sameOriginForUnsafeMethods);

  app.get("/a/:token", async (c) => {
    const locale = requestLocale(c, "zh-CN");
    const { linkActions, database } = c.get("services");
    const claims = await claimsOf(c);
    if (!claims) return refuse(c, locale, refusals.invalid);
    const action = linkActions.get(claims.purpose);
    if (!action) return refuse(c, locale, refusals.unknown);
    if (await usedLinkRepository(database.db).isUsed(claims.jti)) return refuse(c, locale, refusals.used);
    const session = c.get("session");
    if (action.requiresSession) {
      if (!session) return refuse(c, locale, { ...refusals.signInFirst, status: 401 });
      if (session.principal !== claims.principal) return refuse(c, locale, refusals.wrongPerson);
    }
    let shown: LinkDescription;
    try {
      shown = await action.describe({
        principal: claims.principal,
        data: claims.data,
        locale,
        db: database.db,
      });
    } catch (error) {
      if (!isAppError(error)) throw error;
      return c.html(
        messagePage(locale, translate(locale, "link.invalid.title"), error.message),
        statusOf[error.code],
      );
    }
    const expires = new Intl.DateTimeFormat(locale, {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: c.get("services").config.BATON_TIMEZONE,
    }).format(claims.expiresAt);
    return c.html(
      page(
        locale,
        shown.title,
        html`<h1>${shown.title}</h1>
<p>${shown.body}</p>
${shown.content ?? ""}
<form method="post">
${action.requiresSession && session ? html`<input type="hidden" name="_csrf" value="${session.csrfToken}">` : ""}
${shown.formContent ?? ""}
${(shown.fields ?? []).map(
  (field) =>
    html`<p><label>${field.label}<br><input name="${field.name}" required maxlength="200" autocomplete="${field.autocomplete ?? "off"}"></label></p>`,
)}
<p><button type="submit">${shown.confirm}</button></p>
</form>
<p class="muted">${translate(locale, "link.expires", { expiresAt: expires })}</p>`,
      ),
    );
  });

  app.post("/a/:token", async (c) => {
    const locale = requestLocale(c, "zh-CN");
    const services = c.get("services");
    const claims = await claimsOf(c);
    if (!claims) return refuse(c, locale, refusals.invalid);
    const action = services.linkActions.get(claims.purpose);
    if (!action) return refuse(c, locale, refusals.unknown);
    const session = c.get("session");
    const form = await formFields(c);
    if (action.requiresSession) {
      if (!session) return refuse(c, locale, refusals.signInFirst);
      if (session.principal !== claims.principal) return refuse(c, locale, refusals.wrongPerson);
      if (!sameToken(form._csrf ?? "", session.csrfToken)) return refuse(c, locale, refusals.csrf);
    }
    const { _csrf, ...fields } = form;
    const now = services.clock.now();
    let outcome: LinkActionOutcome;
    let cookie: string | undefined;
    try {
      ({ outcome, cookie } = await services.database.db.transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        const fresh = await usedLinkRepository(tx).markUsed({
          jti: claims.jti,
          purpose: claims.purpose,
          principal: claims.principal,
          usedAt: now,
          expiresAt: claims.expiresAt,
        });
        if (!fresh) throw new AlreadyUsed();
        const result = await action.perform({
          tx,
          principal: claims.principal,
          data: claims.data,
          locale,
          now,
          jti: claims.jti,
          form: fields,
          request: {
            ...(c.get("clientIp") ? { ip: c.get("clientIp") } : {}),
            ...(c.req.header("user-agent") ? { userAgent: c.req.header("user-agent")?.slice(0, 512) } : {}),
            ...(session && action.requiresSession ? { sessionIdHash: session.idHash } : {}),
          },
        });
        const value = result.startSession ? await openSession(tx, claims.principal, now) : undefined;
        return { outcome: result, cookie: value };
      }));
      if (outcome.afterCommit) outcome = { ...outcome, ...(await outcome.afterCommit()) };
    } catch (error) {
      if (error instanceof AlreadyUsed) return refuse(c, locale, refusals.used);
      if (isAppError(error)) {
        // A rule the input broke (a mistyped name): nothing happened and the link still works.
        if (error.code === "unprocessable") {
          const title = translate(locale, "link.not_done.title");
          return c.html(
            page(
              locale,
              title,
              html`<h1>${title}</h1><p>${error.message}</p><p class="muted">${translate(locale, "link.not_done.body")}</p>`,
            ),
            422,
          );
        }
        const title = translate(locale, "link.invalid.title");
        return c.html(messagePage(locale, title, error.message), statusOf[error.code]);
      }
      throw error;
    }
    services.logger.info({ purpose: claims.purpose, principal: claims.principal }, "link acted");
    if (cookie) setSessionCookie(c, cookie);
    if (outcome.redirect) return c.redirect(outcome.redirect, 303);
    const title = outcome.title || translate(locale, "link.done.title");
    if (outcome.content) {
      return c.html(page(locale, title, html`<h1>${title}</h1><p>${outcome.body}</p>${outcome.content}`));
    }
    return c.html(messagePage(locale, title, outcome.body));
  });
}
