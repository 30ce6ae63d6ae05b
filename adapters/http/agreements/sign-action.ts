import { html } from "hono/html";
import { agreementLocales } from "../../../core/agreements/document.ts";
import { AppError, isAppError } from "../../../core/errors.ts";
import { isMessageKey, type Locale, translate } from "../../../core/messages/index.ts";
import { employeeById, findRequest } from "../../../db/agreements/requests.ts";
import { signInTransaction } from "../../../db/agreements/signing.ts";
import type { Db } from "../../../db/client.ts";
import { findVersion } from "../../../db/repositories/agreements.ts";
import type { LinkAction } from "../links/actions.ts";
import type { Services } from "../services.ts";

export const signPurpose = "agreement.sign";

/** An AppError in the page's language (the link pages show `message` as is). */
function localised(error: AppError, locale: Locale): AppError {
  const key = error.messageKey;
  if (!key || !isMessageKey(key)) return error;
  return new AppError(error.code, translate(locale, key, error.params), {
    messageKey: key,
    params: error.params,
  });
}

/**
 * The request the link (or a chat card) is for: it must exist, be this person's and still wait for
 * a signature.
 */
export async function openRequest(db: Db, principal: string, data: Record<string, unknown>) {
  const requestId = typeof data.requestId === "string" ? data.requestId : "";
  const request = requestId ? await findRequest(db, requestId) : undefined;
  if (!request) throw new AppError("not_found", "", { messageKey: "agreement.request_not_found" });
  const employee = await employeeById(db, request.employeeId);
  if (!employee || `employee:${employee.externalId}` !== principal)
    throw new AppError("forbidden", "", { messageKey: "agreement.not_yours" });
  if (request.status === "signed")
    throw new AppError("conflict", "", { messageKey: "agreement.already_signed" });
  const version = await findVersion(db, request.agreementId, request.version);
  if (version?.status !== "published" || !version.hash)
    throw new AppError("conflict", "", { messageKey: "agreement.not_published" });
  return { request, employee, version, hash: version.hash };
}

/**
 * Web signing through a signed link bound to the employee (the link's principal) and the request
 * (so one agreement version). GET shows the whole text exactly as hashed, and the hash; it never
 * acts. The POST needs that employee's own session and its CSRF token — sessions come only from
 * one-time login links sent to the employee's own chat or e-mail, so a forwarded link signs
 * nothing — and the typed full name; it acts once.
 */
export function agreementSignAction(services: Pick<Services, "signer" | "config">): LinkAction {
  return {
    purpose: signPurpose,
    requiresSession: true,
    async describe({ principal, data, locale, db }) {
      let open: Awaited<ReturnType<typeof openRequest>>;
      try {
        open = await openRequest(db, principal, data);
      } catch (error) {
        throw isAppError(error) ? localised(error, locale) : error;
      }
      const { version, hash } = open;
      const order = [locale, ...agreementLocales.filter((l) => l !== locale)];
      const texts = { "zh-CN": version.textZhCn, en: version.textEn };
      return {
        title: translate(locale, "agreement.sign.title", { title: version.title[locale] }),
        body: translate(locale, "agreement.sign.body", { version: version.version }),
        confirm: translate(locale, "agreement.sign.button"),
        fields: [
          { name: "typedName", label: translate(locale, "agreement.sign.name_label"), autocomplete: "name" },
        ],
        content: html`<p class="muted">${translate(locale, "agreement.sign.hash")}: <code style="word-break:break-all">${hash}</code></p>
${order.map(
  (
    l,
  ) => html`<h2 style="font-size:1.05rem">${translate(locale, l === "zh-CN" ? "agreement.sign.text_zh" : "agreement.sign.text_en")}</h2>
<pre lang="${l}" style="white-space:pre-wrap;font:inherit;background:#f5f6f8;padding:.75rem;border-radius:8px;max-height:28rem;overflow:auto">${texts[l]}</pre>`,
)}`,
      };
    },
    async perform({ tx, principal, data, locale, now, form, request }) {
      try {
        const result = await signInTransaction(
          tx,
          { signer: services.signer, now },
          {
            requestId: typeof data.requestId === "string" ? data.requestId : "",
            signer: {
              principal,
              surface: "web",
              ...(request.ip ? { ip: request.ip } : {}),
              ...(request.userAgent ? { userAgent: request.userAgent } : {}),
              ...(request.sessionIdHash ? { sessionIdHash: request.sessionIdHash } : {}),
            },
            typedName: form.typedName ?? "",
          },
        );
        const { agreement } = result.record;
        const signedAt = new Intl.DateTimeFormat(locale, {
          dateStyle: "long",
          timeStyle: "long",
          timeZone: services.config.BATON_TIMEZONE,
        }).format(now);
        return {
          title: translate(locale, "agreement.signed.title"),
          body: translate(locale, "agreement.signed.body", {
            title: agreement.title[locale],
            version: agreement.version,
            signedAt,
          }),
          content: html`<p><a href="/api/v1/signatures/${result.signatureId}/copy" download="signature-${result.signatureId}.json">${translate(locale, "agreement.signed.download")}</a></p>
<p><a href="/verify/${result.verificationId}">${translate(locale, "agreement.signed.verify")}</a></p>
<p class="muted">SHA-256 <code style="word-break:break-all">${agreement.hash}</code></p>`,
        };
      } catch (error) {
        throw isAppError(error) ? localised(error, locale) : error;
      }
    },
  };
}
