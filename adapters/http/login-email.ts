import { and, eq, gt, sql } from "drizzle-orm";
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { z } from "zod";
import { externalIdPattern } from "../../core/directory/employee-input.ts";
import { AppError, isAppError } from "../../core/errors.ts";
import { type Locale, negotiateLocale, translate } from "../../core/messages/index.ts";
import type { Db } from "../../db/client.ts";
import { getEmployee } from "../../db/repositories/directory.ts";
import { deliveredNotifications } from "../../db/schema/index.ts";
import { renderLoginEmail } from "../email/index.ts";
import { readJson } from "./body.ts";
import { mailerOf } from "./email.ts";
import { requestLocale } from "./errors.ts";
import { safeRedirectPath } from "./links/actions.ts";
import { maxLinkLifetimeSeconds } from "./links/tokens.ts";
import { requireScope } from "./middleware/api-auth.ts";
import { noStore } from "./middleware/security.ts";
import { messagePage, page } from "./pages/layout.ts";
import { jsonBody } from "./route-meta.ts";
import type { AppEnv, Services } from "./services.ts";

/** The kind of the delivery record of a mailed login link (`delivered_notifications`). */
export const loginEmailKind = "login.link";
/** At most this many login e-mails per employee per rolling hour, counted from the delivery records. */
export const loginEmailsPerHour = 3;
/** How long a login link asked for through the public form stays valid. */
export const formLinkMinutes = 15;

type Deps = Pick<Services, "database" | "keys" | "clock" | "logger" | "config" | "linkTokens">;

export type LoginEmailRequest = {
  externalId: string;
  /** A path on this site to go to after signing in. */
  next?: string;
  ttlSeconds?: number;
  /** Where the request came from, kept in the delivery record. */
  via: "api" | "cli" | "form";
  /** Who asked (`employee:E1301`, `system:cli`, or `self` for the public form). */
  requestedBy: string;
};

export type LoginEmailResult = { deliveryId: number; expiresAt: Date };

const hourMs = 3600_000;

/** The one clear error while e-mail is off (API and CLI): 409, nothing issued. */
export function emailNotConfigured(): AppError {
  return new AppError("conflict", "E-mail is not set up on this Baton (SMTP_URL and MAIL_FROM).", {
    messageKey: "email.login.not_configured",
  });
}

/**
 * Issues a one-time login link for an active employee and mails it to their personal e-mail, in
 * their language, as HTML and text. A delivery record (kind `login.link`, platform `email`, target
 * the principal) is written first under a per-employee lock that also enforces
 * {@link loginEmailsPerHour}; it is removed again if the mail server does not take the message. The
 * token and the link appear only in the mail: never in the record, the log or the answer.
 */
export async function mailLoginLink(deps: Deps, request: LoginEmailRequest): Promise<LoginEmailResult> {
  const { database, keys, clock, logger, config, linkTokens } = deps;
  const mailer = mailerOf(config);
  if (!mailer) throw emailNotConfigured();
  const next = request.next === undefined ? undefined : safeRedirectPath(request.next);
  if (request.next !== undefined && !next) {
    throw new AppError("unprocessable", "next must be a path on this site.", {
      messageKey: "email.login.bad_next",
    });
  }
  const { externalId } = request;
  const employee = await getEmployee(database.db, keys.encryption, externalId, { sensitive: true });
  if (employee.status !== "active") {
    throw new AppError("unprocessable", `${externalId} is ${employee.status}.`, {
      messageKey: "email.login.not_active",
      params: { employee: externalId, status: employee.status },
    });
  }
  const to = employee.personalEmail;
  if (employee.personalDataErased || !to || !to.includes("@")) {
    throw new AppError("unprocessable", `${externalId} has no personal e-mail.`, {
      messageKey: "email.login.no_address",
      params: { employee: externalId },
    });
  }

  const principal = `employee:${externalId}`;
  const ttlSeconds = Math.min(request.ttlSeconds ?? formLinkMinutes * 60, maxLinkLifetimeSeconds);
  const link = await linkTokens.issue({
    principal,
    purpose: "login",
    ttlSeconds,
    ...(next ? { data: { next } } : {}),
  });

  const now = clock.now();
  const deliveryId = await database.db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`baton:login-email:${principal}`})::bigint)`,
    );
    const [counted] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(deliveredNotifications)
      .where(
        and(
          // destination is indexed; kind and platform narrow it to mailed login links.
          eq(deliveredNotifications.destination, `person:${principal}`),
          eq(deliveredNotifications.kind, loginEmailKind),
          eq(deliveredNotifications.platform, "email"),
          gt(deliveredNotifications.deliveredAt, new Date(now.getTime() - hourMs)),
        ),
      );
    if (Number(counted?.count ?? 0) >= loginEmailsPerHour) {
      throw new AppError("rate_limited", `Too many login e-mails for ${externalId}.`, {
        messageKey: "email.login.too_many",
        params: { employee: externalId, limit: loginEmailsPerHour },
      });
    }
    const [row] = await tx
      .insert(deliveredNotifications)
      .values({
        outboxIds: [],
        kind: loginEmailKind,
        recipientType: "person",
        destination: `person:${principal}`,
        target: principal,
        platform: "email",
        data: {
          via: request.via,
          requestedBy: request.requestedBy,
          expiresAt: link.expiresAt.toISOString(),
          ...(next ? { next } : {}),
        },
        deliveredAt: now,
      })
      .returning({ id: deliveredNotifications.id });
    if (!row) throw new Error("the delivery record was not written");
    return row.id;
  });

  const locale = negotiateLocale(employee.locale, "zh-CN");
  const expiresAt = new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: employee.timeZone,
  }).format(link.expiresAt);
  try {
    await mailer.send({ ...renderLoginEmail({ locale, name: employee.name, url: link.url, expiresAt }), to });
  } catch {
    await database.db.delete(deliveredNotifications).where(eq(deliveredNotifications.id, deliveryId));
    logger.warn({ principal, via: request.via }, "login e-mail not taken by the mail server");
    throw new AppError("not_ready", "The mail server did not take the message.", {
      messageKey: "email.login.send_failed",
    });
  }
  logger.info({ principal, via: request.via, deliveryId }, "login link e-mailed");
  return { deliveryId, expiresAt: link.expiresAt };
}

const apiBody = z
  .object({
    ttlSeconds: z.number().int().min(60).max(maxLinkLifetimeSeconds).default(900),
    next: z.string().max(512).optional(),
  })
  .strict();

/** Form work still running, per services (the form answers before the mail goes out). */
const running = new WeakMap<object, Set<Promise<unknown>>>();

/** Waits until every login e-mail asked for through the public form has been sent or given up (tests). */
export async function settleLoginEmails(services: object): Promise<void> {
  const set = running.get(services);
  while (set && set.size > 0) await Promise.allSettled([...set]);
}

function inBackground(services: object, work: Promise<unknown>): void {
  let set = running.get(services);
  if (!set) {
    set = new Set();
    running.set(services, set);
  }
  const tracked = work.finally(() => set.delete(tracked));
  set.add(tracked);
}

/**
 * The public form is not behind a session, so nothing but its origin tells a forged cross-site post
 * apart: a browser's POST carries `Origin` (or at least `Sec-Fetch-Site`), and it must be Baton's own.
 * A request with neither is refused too.
 */
function sameOrigin(c: Context<AppEnv>): boolean {
  const origin = c.req.header("origin");
  // Under `Referrer-Policy: no-referrer` a browser's form post says `Origin: null` even on the same
  // origin: Sec-Fetch-Site then decides.
  if (origin !== undefined && origin !== "null") {
    const ours = new URL(c.get("services").config.publicUrl).origin;
    return origin === ours || origin === new URL(c.req.url).origin;
  }
  return c.req.header("sec-fetch-site") === "same-origin";
}

function formPage(
  c: Context<AppEnv>,
  locale: Locale,
  title: string,
  body: string,
  status: 200 | 400 | 403 | 409,
) {
  return c.html(page(locale, title, html`<h1>${title}</h1><p>${body}</p>`), status);
}

/**
 * `POST /api/v1/employees/:externalId/login-link/email` (scope `admin`, like the login-link API)
 * and the public `POST /chat/email-link` form (fields `employeeId`, optional `next`): it answers
 * one neutral page whether or not the employee exists, has an address or hit the hourly limit,
 * and sends in the background so the answer takes the same time either way.
 */
export function registerLoginEmailRoutes(app: Hono<AppEnv>): void {
  app.post(
    "/api/v1/employees/:externalId/login-link/email",
    requireScope("admin"),
    jsonBody(apiBody),
    async (c) => {
      const externalId = c.req.param("externalId");
      if (!externalIdPattern.test(externalId))
        throw new AppError("bad_request", "The employee id in the path is not valid.");
      const body = await readJson(c, apiBody);
      const auth = c.get("auth");
      const result = await mailLoginLink(c.get("services"), {
        externalId,
        ttlSeconds: body.ttlSeconds,
        ...(body.next !== undefined ? { next: body.next } : {}),
        via: auth?.via === "cli" ? "cli" : "api",
        requestedBy: auth?.principal ?? "unknown",
      });
      return c.json(
        {
          status: "sent",
          channel: "email",
          deliveryId: result.deliveryId,
          expiresAt: result.expiresAt.toISOString(),
        },
        200,
        { "cache-control": "no-store" },
      );
    },
  );

  app.post("/chat/email-link", noStore, async (c) => {
    const locale = requestLocale(c, "zh-CN");
    const services = c.get("services");
    if (!sameOrigin(c)) {
      return c.html(
        messagePage(locale, translate(locale, "error.forbidden"), translate(locale, "error.csrf")),
        403,
      );
    }
    if (!mailerOf(services.config)) {
      return formPage(
        c,
        locale,
        translate(locale, "email.form.not_configured.title"),
        translate(locale, "email.form.not_configured.body"),
        409,
      );
    }
    let form: Record<string, unknown> = {};
    try {
      form = await c.req.parseBody();
    } catch {
      form = {};
    }
    const employeeId = typeof form.employeeId === "string" ? form.employeeId.trim() : "";
    if (!externalIdPattern.test(employeeId)) {
      return formPage(
        c,
        locale,
        translate(locale, "email.form.title"),
        translate(locale, "email.form.bad_id"),
        400,
      );
    }
    const next = typeof form.next === "string" ? safeRedirectPath(form.next) : undefined;
    inBackground(
      services,
      mailLoginLink(services, {
        externalId: employeeId,
        ...(next ? { next } : {}),
        ttlSeconds: formLinkMinutes * 60,
        via: "form",
        requestedBy: "self",
      }).catch((error: unknown) => {
        // Unknown, inactive, no address, too many: the page said the same; only the outcome is logged.
        if (isAppError(error))
          services.logger.info({ via: "form", outcome: error.code }, "no login e-mail sent");
        else
          services.logger.error(
            { via: "form", err: { name: (error as Error)?.name } },
            "login e-mail failed",
          );
      }),
    );
    return formPage(
      c,
      locale,
      translate(locale, "email.form.title"),
      translate(locale, "email.form.body", { minutes: formLinkMinutes }),
      200,
    );
  });
}
