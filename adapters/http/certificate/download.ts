import type { Context, Hono } from "hono";
import { AppError } from "../../../core/errors.ts";
import { type Locale, translate } from "../../../core/messages/index.ts";
import {
  findCertificate,
  holderOf,
  openCertificatePdf,
  recordDelivery,
} from "../../../db/repositories/certificates.ts";
import { recordEvidence } from "../../../db/repositories/evidence.ts";
import { requestLocale } from "../errors.ts";
import type { LinkAction } from "../links/actions.ts";
import { LinkTokenError } from "../links/tokens.ts";
import { noStore } from "../middleware/security.ts";
import { messagePage } from "../pages/layout.ts";
import type { AppEnv, Services } from "../services.ts";
import { downloadPurpose } from "./service.ts";

/** The file URL a used download link leads to: short-lived, so a browser retry works but a copy soon dies. */
export const fileLinkSeconds = 10 * 60;
const filePurpose = "certificate.file";

const certificateIdOf = (data: Record<string, unknown>) =>
  typeof data.certificateId === "string" && /^[0-9a-f-]{36}$/.test(data.certificateId)
    ? data.certificateId
    : undefined;

/**
 * The employee's download link (`/a/<token>`, sent with `certificate.issued`; after exit it reaches
 * their personal e-mail). GET shows a page with a download button; the POST records the download
 * as a delivery receipt (evidence) and redirects to a 10-minute file URL. The link acts once, like
 * every action link; HR's reissue or a new notification gives a fresh one. No session is needed:
 * the employee's accounts are closed by then, and the link only ever yields their own certificate.
 */
export function certificateDownloadAction(services: Pick<Services, "linkTokens">): LinkAction {
  return {
    purpose: downloadPurpose,
    requiresSession: false,
    describe: ({ locale }) => ({
      title: translate(locale, "certificate.link.title"),
      body: translate(locale, "certificate.link.body"),
      confirm: translate(locale, "certificate.link.button"),
    }),
    async perform({ tx, principal, data, locale, now }) {
      const certificateId = certificateIdOf(data);
      const row = certificateId ? await findCertificate(tx, certificateId) : undefined;
      if (!row) throw new AppError("not_found", translate(locale, "certificate.error.not_issued"));
      if (row.status !== "issued") throw new AppError("gone", translate(locale, "certificate.error.revoked"));
      if (principal !== `employee:${await holderOf(tx, row.employeeId)}`) {
        throw new AppError("forbidden", translate(locale, "link.wrong_person.body"));
      }
      const evidenceId = await recordEvidence(tx, {
        at: now,
        actor: principal,
        action: "certificate.downloaded",
        subject: `case:${row.caseId}`,
        data: { certificateId: row.id, version: row.version, pdfHash: row.pdfHash },
      });
      await recordDelivery(tx, {
        certificateId: row.id,
        channel: "download",
        recipient: principal,
        evidenceId,
        at: now,
      });
      const file = await services.linkTokens.issue({
        principal,
        purpose: filePurpose,
        ttlSeconds: fileLinkSeconds,
        data: { certificateId: row.id },
      });
      return { title: "", body: "", redirect: `/certificates/file/${file.token}` };
    },
  };
}

function refuse(c: Context<AppEnv>, locale: Locale, status: 401 | 404 | 410) {
  const title = translate(locale, "link.invalid.title");
  const body =
    status === 410 ? translate(locale, "certificate.error.revoked") : translate(locale, "link.invalid.body");
  return c.html(messagePage(locale, title, body), status);
}

/**
 * `GET /certificates/file/:token`: the PDF behind a used download link. It only reads; the act (the
 * receipt) was the link's POST. Never cached, never referred.
 */
export function registerCertificateFileRoute(app: Hono<AppEnv>): void {
  app.use("/certificates/file/*", noStore);
  app.get("/certificates/file/:token", async (c) => {
    const locale = requestLocale(c, "zh-CN");
    const { linkTokens, database, keys } = c.get("services");
    let claims: Awaited<ReturnType<typeof linkTokens.verify>>;
    try {
      claims = await linkTokens.verify(c.req.param("token"));
    } catch (error) {
      if (error instanceof LinkTokenError) return refuse(c, locale, 401);
      throw error;
    }
    const certificateId = certificateIdOf(claims.data);
    if (claims.purpose !== filePurpose || !certificateId) return refuse(c, locale, 401);
    const row = await findCertificate(database.db, certificateId);
    if (!row) return refuse(c, locale, 404);
    if (row.status !== "issued") return refuse(c, locale, 410);
    // The link was made for the certificate's employee; make sure the directory still agrees.
    if (claims.principal !== `employee:${await holderOf(database.db, row.employeeId)}`)
      return refuse(c, locale, 401);
    const pdf = await openCertificatePdf(database.db, keys.encryption, row);
    if (!pdf) return refuse(c, locale, 410);
    return pdfResponse(pdf, `separation-certificate-v${row.version}.pdf`, "attachment");
  });
}

/** A PDF body: never cached, opened or saved as the caller asks. */
export function pdfResponse(
  pdf: Uint8Array,
  filename: string,
  disposition: "attachment" | "inline",
): Response {
  return new Response(new Uint8Array(pdf), {
    status: 200,
    headers: {
      "content-type": "application/pdf",
      "content-length": String(pdf.length),
      "content-disposition": `${disposition}; filename="${filename}"`,
      "cache-control": "no-store",
    },
  });
}
