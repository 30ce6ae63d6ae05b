import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { isVerificationKind } from "../../../core/audit/verification.ts";
import { dateInTimeZone } from "../../../core/compliance/dates.ts";
import { type Locale, translate } from "../../../core/messages/index.ts";
import { SignatureError } from "../../../core/ports.ts";
import { findVerification, type VerificationRow } from "../../../db/repositories/verifications.ts";
import { requestLocale } from "../errors.ts";
import { noStore } from "../middleware/security.ts";
import { messagePage, page } from "../pages/layout.ts";
import type { AppEnv } from "../services.ts";

type Status = "valid" | "revoked" | "invalid" | "expired";

const kindKeys = {
  signature: "verify.kind.signature",
  certificate: "verify.kind.certificate",
  "training-certificate": "verify.kind.training-certificate",
} as const;

async function statusOf(c: Context<AppEnv>, row: VerificationRow): Promise<{ status: Status; kid?: string }> {
  if (row.revokedAt) return { status: "revoked" };
  try {
    const verified = await c.get("services").signer.verify(row.jws);
    // The signature must be over this very record, not any JWS Baton ever made.
    return verified.payload.sub === row.subject
      ? { status: "valid", kid: verified.kid }
      : { status: "invalid" };
  } catch (error) {
    if (error instanceof SignatureError) return { status: "invalid" };
    throw error;
  }
}

/**
 * Human verification pages for signatures and certificates. Read-only: GET shows, nothing acts.
 * Unknown and malformed ids look the same (404), so the page says nothing about which ids exist.
 */
export function registerVerificationRoutes(app: Hono<AppEnv>): void {
  app.use("/verify/*", noStore);

  app.get("/verify/:id", async (c) => {
    const locale: Locale = requestLocale(c, "zh-CN");
    const { database, config } = c.get("services");
    const row = await findVerification(database.db, c.req.param("id"));
    if (!row || !isVerificationKind(row.kind)) {
      return c.html(
        messagePage(
          locale,
          translate(locale, "verify.not_found.title"),
          translate(locale, "verify.not_found.body"),
        ),
        404,
      );
    }
    const checked = await statusOf(c, row);
    const { kid } = checked;
    const validThrough = row.summary.validThrough;
    // A genuine certificate past its last day (in the company's time zone) has expired.
    const today = dateInTimeZone(c.get("services").clock.now(), config.BATON_TIMEZONE);
    const status: Status =
      checked.status === "valid" && validThrough !== undefined && today > validThrough
        ? "expired"
        : checked.status;
    const formatDate = (date: Date) =>
      new Intl.DateTimeFormat(locale, {
        dateStyle: "long",
        timeStyle: "long",
        timeZone: config.BATON_TIMEZONE,
      }).format(date);
    const kind = translate(locale, kindKeys[row.kind]);
    const title = translate(locale, `verify.${status}.title`);
    const body = translate(locale, `verify.${status}.body`, {
      kind,
      revokedAt: row.revokedAt ? formatDate(row.revokedAt) : "",
      validThrough: validThrough ?? "",
    });
    const at = new Date(row.summary.at);
    return c.html(
      page(
        locale,
        title,
        html`<h1>${title}</h1>
<p class="status-${status}">${body}</p>
<dl>
<dt>${translate(locale, "verify.what")}</dt><dd>${kind} · ${row.summary.title[locale]}</dd>
<dt>${translate(locale, "verify.holder")}</dt><dd>${row.summary.holder}</dd>
<dt>${translate(locale, "verify.when")}</dt><dd>${Number.isNaN(at.getTime()) ? "" : formatDate(at)}</dd>
${validThrough ? html`<dt>${translate(locale, "verify.valid_through")}</dt><dd>${validThrough}</dd>` : ""}
${kid ? html`<dt>${translate(locale, "verify.key")}</dt><dd class="muted"><code>${kid}</code></dd>` : ""}
</dl>`,
      ),
      200,
    );
  });
}
