import { randomBytes } from "node:crypto";
import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { InboundEvent } from "../../../bots/events.ts";
import type { CardNode } from "../../../cards/model.ts";
import { AppError, isAppError } from "../../../core/errors.ts";
import {
  isMessageKey,
  type Locale,
  locales,
  negotiateLocale,
  translate,
} from "../../../core/messages/index.ts";
import type { Db } from "../../../db/client.ts";
import { sessionRepository } from "../../../db/repositories/sessions.ts";
import {
  claimInbound,
  deliverBotCard,
  demoPeople,
  findBotMessage,
  latestRevision,
  messagesAfter,
  messagesByIds,
  recentMessages,
  releaseInbound,
  replaceBotCard,
  type WebMessageRow,
  webChatPerson,
} from "../../../db/web-messages.ts";
import {
  chatPage,
  chatScript,
  chatScriptPath,
  problemPage,
  renderMessage,
  signInPage,
  type WebMessageView,
  type WebRequest,
  webAdapter,
  webhookPath,
} from "../../web/index.ts";
import { lowerCaseHeaders } from "../body.ts";
import { statusOf } from "../errors.ts";
import { noStore, sameOriginForUnsafeMethods } from "../middleware/security.ts";
import type { AppEnv, Services } from "../services.ts";
import { csrfTokenFor, openSession, sameToken, setSessionCookie } from "../sessions.ts";

/** The language preference the switch sets. */
const languageCookie = "baton_lang";
/** Polls get again what changed this recently, so a late commit with an earlier revision is not missed. */
const pollOverlapMs = 10_000;

const secure = (services: Services) => services.config.publicUrl.startsWith("https://");

/** A random value that binds the signed-out page's forms to this browser (login CSRF). */
function preSessionCookieName(services: Services): string {
  return secure(services) ? "__Host-baton_pre" : "baton_pre";
}

/**
 * The CSRF token of the signed-out sign-in page: derived from a cookie of this browser, so a form
 * posted from another site (which cannot read it) is refused. Sets the cookie when missing.
 * Exported for the e-mail login form's route (`POST /chat/email-link`), which may check it too.
 */
export function preSessionCsrf(c: Context<AppEnv>, create: boolean): string | undefined {
  const services = c.get("services");
  const name = preSessionCookieName(services);
  let value = getCookie(c, name);
  if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) {
    if (!create) return undefined;
    value = randomBytes(32).toString("base64url");
    setCookie(c, name, value, {
      httpOnly: true,
      secure: secure(services),
      sameSite: "Strict",
      path: "/",
      maxAge: 3600,
    });
  }
  return csrfTokenFor(value);
}

/** The viewer's language: the switch's cookie, else the person's own, else Accept-Language. */
function viewerLocale(c: Context<AppEnv>, personLocale?: string): Locale {
  const chosen = getCookie(c, languageCookie);
  if (chosen && (locales as readonly string[]).includes(chosen)) return chosen as Locale;
  if (personLocale) return negotiateLocale(personLocale, "zh-CN");
  return negotiateLocale(c.req.header("accept-language"), "zh-CN");
}

function viewOf(row: WebMessageRow): WebMessageView {
  return {
    id: row.id,
    revision: row.revision,
    role: row.role,
    text: row.text,
    card: (row.card ?? null) as CardNode | null,
  };
}

function renderedMessages(rows: readonly WebMessageRow[], locale: Locale, csrfToken: string) {
  return rows.map((row) => ({
    id: row.id,
    revision: row.revision,
    role: row.role,
    html: renderMessage(viewOf(row), { locale, csrfToken }).toString(),
  }));
}

/** A plain form post (no script) wants a page or a redirect; the page's fetch and API callers want JSON. */
function wantsHtml(c: Context<AppEnv>): boolean {
  const accept = c.req.header("accept") ?? "";
  return accept.includes("text/html") && !accept.startsWith("application/json");
}

/** The error as a page for a form post without script, or thrown for the one JSON error shape. */
function fail(c: Context<AppEnv>, locale: Locale, error: AppError): Response {
  if (!wantsHtml(c)) throw error;
  const key = error.messageKey ?? `error.${error.code}`;
  const text = isMessageKey(key) ? translate(locale, key, error.params) : error.message;
  return c.html(problemPage(locale, text), statusOf[error.code]);
}

type Outcome = { duplicate: boolean; ids: number[] };

/** Stores what the bot answered: new messages, or the clicked card replaced in place. */
async function storeReplies(
  tx: Db,
  input: {
    principal: string;
    key: string;
    replies: Awaited<ReturnType<Services["bot"]["receive"]>>["replies"];
    sourceId: number | undefined;
    now: Date;
  },
): Promise<number[]> {
  const ids: number[] = [];
  for (const [index, reply] of input.replies.entries()) {
    if (reply.type === "options") continue;
    if (reply.type === "replace" && input.sourceId !== undefined) {
      const replaced = await replaceBotCard(tx, {
        principal: input.principal,
        id: input.sourceId,
        card: reply.card,
        now: input.now,
      });
      if (replaced) {
        ids.push(replaced.id);
        continue;
      }
    }
    const stored = await deliverBotCard(tx, {
      principal: input.principal,
      card: reply.card,
      kind: reply.type,
      sourceKey: `re:${input.key}:${index}`,
      now: input.now,
    });
    ids.push(stored.id);
  }
  return ids;
}

/** Hands one event to the bot once per idempotency key and keeps the chat's copy of both sides. */
async function handle(services: Services, event: InboundEvent, principal: string): Promise<Outcome> {
  const { database, clock } = services;
  const key = event.idempotencyKey.slice(principal.length + 1);
  const text =
    event.type === "message" ? event.text : event.type === "command" ? `/baton ${event.text}`.trim() : null;
  const claim = await claimInbound(database.db, {
    principal,
    key,
    text,
    kind: event.type === "action" ? "action" : "text",
    now: clock.now(),
  });
  if (!claim) return { duplicate: true, ids: [] };
  let source: WebMessageRow | undefined;
  if (event.type === "action" && event.sourceMessageId) {
    source = await findBotMessage(database.db, principal, Number(event.sourceMessageId));
  }
  const delivered: InboundEvent =
    event.type === "message" ? { ...event, messageId: String(claim.id) } : event;
  let outcome: Awaited<ReturnType<Services["bot"]["receive"]>>;
  try {
    outcome = await services.bot.receive(delivered);
  } catch (error) {
    // Nothing was answered: give the key back so the person's retry is handled.
    await releaseInbound(database.db, principal, key);
    throw error;
  }
  const now = clock.now();
  const ids = await database.db.transaction((tx) =>
    storeReplies(tx as unknown as Db, {
      principal,
      key,
      replies: outcome.replies,
      sourceId: source?.id,
      now,
    }),
  );
  return { duplicate: outcome.duplicate, ids: [claim.id, ...ids] };
}

/**
 * The web chat (DESIGN §7, adapters/web): `GET /chat` (sign-in or the chat), the demo picker,
 * polling, the page's script, and `POST /webhooks/web` where the page's forms go.
 */
export function registerWebChatRoutes(app: Hono<AppEnv>): void {
  app.use("/chat", noStore);
  app.use("/chat/*", noStore);
  app.use(webhookPath, noStore);
  app.use("/chat/demo-login", sameOriginForUnsafeMethods);

  app.get(chatScriptPath, (c) =>
    c.body(chatScript, 200, { "content-type": "text/javascript; charset=utf-8" }),
  );

  app.get("/chat", async (c) => {
    const services = c.get("services");
    const lang = c.req.query("lang");
    if (lang !== undefined) {
      if ((locales as readonly string[]).includes(lang)) {
        setCookie(c, languageCookie, lang, {
          httpOnly: true,
          secure: secure(services),
          sameSite: "Lax",
          path: "/",
          maxAge: 365 * 24 * 3600,
        });
      }
      return c.redirect("/chat", 303);
    }
    const session = c.get("session");
    const { database } = services;
    if (!session) {
      const locale = viewerLocale(c);
      const csrfToken = preSessionCsrf(c, true) as string;
      const people = services.config.demo ? await demoPeople(database.db) : undefined;
      return c.html(signInPage({ locale, csrfToken, ...(people ? { demoPeople: people } : {}) }));
    }
    const person = await webChatPerson(database.db, session.principal);
    const locale = viewerLocale(c, person?.locale);
    const [rows, revision] = await Promise.all([
      recentMessages(database.db, session.principal),
      latestRevision(database.db, session.principal),
    ]);
    return c.html(
      chatPage({
        locale,
        name: person?.name ?? session.principal,
        csrfToken: session.csrfToken,
        messages: rows.map(viewOf),
        revision,
      }),
    );
  });

  /** Demo installations only: sign in as a demo person (no link needed). */
  app.post("/chat/demo-login", async (c) => {
    const services = c.get("services");
    const locale = viewerLocale(c);
    if (!services.config.demo) {
      return fail(c, locale, new AppError("not_found", "Demo mode is off.", { messageKey: "web.demo.off" }));
    }
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody();
    } catch {
      form = {};
    }
    const expected = preSessionCsrf(c, false);
    const token = typeof form._csrf === "string" ? form._csrf : "";
    if (!expected || !sameToken(token, expected)) {
      return fail(
        c,
        locale,
        new AppError("forbidden", "CSRF token missing or wrong.", { messageKey: "error.csrf" }),
      );
    }
    const employeeId = typeof form.employeeId === "string" ? form.employeeId.trim() : "";
    const principal = `employee:${employeeId}`;
    const person = /^[\w.-]{1,64}$/.test(employeeId)
      ? await webChatPerson(services.database.db, principal)
      : undefined;
    if (person?.status !== "active") {
      return fail(
        c,
        locale,
        new AppError("unprocessable", "No active person has this id.", {
          messageKey: "web.demo.unknown",
          params: { employeeId: employeeId.slice(0, 64) },
        }),
      );
    }
    const now = services.clock.now();
    const previous = c.get("session");
    const cookie = await services.database.db.transaction(async (transaction) => {
      const tx = transaction as unknown as Db;
      if (previous) await sessionRepository(tx).end(previous.idHash, now);
      return openSession(tx, principal, now);
    });
    setSessionCookie(c, cookie);
    deleteCookie(c, preSessionCookieName(services), { path: "/", secure: secure(services) });
    services.logger.info({ principal }, "demo sign-in");
    return c.redirect("/chat", 303);
  });

  app.get("/chat/messages", async (c) => {
    const services = c.get("services");
    const session = c.get("session");
    if (!session)
      throw new AppError("unauthorized", "Sign in first.", { messageKey: "error.session_required" });
    const after = c.req.query("after") ?? "0";
    if (!/^\d{1,15}$/.test(after)) {
      throw new AppError("bad_request", "after must be a revision number.", {
        messageKey: "web.error.after",
      });
    }
    const { database, clock } = services;
    const person = await webChatPerson(database.db, session.principal);
    const locale = viewerLocale(c, person?.locale);
    const since = new Date(clock.now().getTime() - pollOverlapMs);
    const rows = await messagesAfter(database.db, session.principal, Number(after), since);
    const revision = Math.max(Number(after), ...rows.map((r) => r.revision));
    return c.json({ messages: renderedMessages(rows, locale, session.csrfToken), revision });
  });

  app.post(webhookPath, async (c) => {
    const services = c.get("services");
    const { database, config, clock } = services;
    const session = c.get("session");
    const body = await c.req.text();
    const person = session ? await webChatPerson(database.db, session.principal) : undefined;
    const locale = viewerLocale(c, person?.locale);
    const request: WebRequest = {
      method: c.req.method,
      url: c.req.url,
      headers: lowerCaseHeaders(c),
      body,
      ...(session ? { session: { principal: session.principal, csrfToken: session.csrfToken } } : {}),
      locale,
      receivedAt: clock.now(),
    };
    const adapter = webAdapter({ allowedOrigins: [new URL(config.publicUrl).origin] });
    const verified = adapter.verify(request);
    if (!verified.ok) {
      services.logger.info(
        { surface: "web", status: verified.status, reason: verified.reason },
        "web request refused",
      );
      return fail(
        c,
        locale,
        verified.status === 401
          ? new AppError("unauthorized", "Sign in first.", { messageKey: "error.session_required" })
          : new AppError("forbidden", "Cross-site request or CSRF token refused.", {
              messageKey: "error.csrf",
            }),
      );
    }
    let parsed: ReturnType<typeof adapter.parse>;
    try {
      parsed = adapter.parse(request);
    } catch (error) {
      if (isAppError(error)) return fail(c, locale, error);
      throw error;
    }
    if (parsed.kind === "handshake") return c.json(parsed.body as object, parsed.status as 200);
    const [event] = parsed.kind === "events" ? parsed.events : [];
    if (parsed.kind === "ignored" || !event || !session) {
      return wantsHtml(c) ? c.redirect("/chat", 303) : c.json({ ok: true, ignored: true });
    }
    if (event.type === "search") {
      const outcome = await services.bot.receive(event);
      const options = outcome.replies.flatMap((r) => (r.type === "options" ? r.options : [])).slice(0, 50);
      return c.json({ ok: true, options });
    }
    const { duplicate, ids } = await handle(services, event, session.principal);
    if (wantsHtml(c)) {
      const last = ids.at(-1);
      return c.redirect(last ? `/chat#m${last}` : "/chat", 303);
    }
    const rows = await messagesByIds(database.db, session.principal, ids);
    return c.json({
      ok: true,
      duplicate,
      messages: renderedMessages(rows, locale, session.csrfToken),
      revision: Math.max(0, ...rows.map((r) => r.revision)),
    });
  });
}
