import type { Context, Hono } from "hono";
import { z } from "zod";
import { scopeAllows } from "../../../core/access/scopes.ts";
import type { Actor } from "../../../core/directory/permissions.ts";
import { AppError } from "../../../core/errors.ts";
import { functionsOf } from "../../../db/repositories/directory.ts";
import { readJson } from "../body.ts";
import { pdfResponse, registerCertificateFileRoute } from "../certificate/download.ts";
import {
  caseCertificates,
  certificateContentJson,
  certificatePdf,
  issueCertificate,
  revokeCertificate,
} from "../certificate/service.ts";
import { requireScope } from "../middleware/api-auth.ts";
import { jsonBody } from "../route-meta.ts";
import type { AppEnv } from "../services.ts";

export const issueBody = z
  .object({
    /** HR has reviewed the years of service the draft shows (Regs Art. 24 (4)). */
    yearsOfServiceConfirmed: z.boolean(),
  })
  .strict();

export const revokeBody = z.object({ reason: z.string().trim().min(3).max(500) }).strict();

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const certificateIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function param(c: Context<AppEnv>, name: string, pattern: RegExp): string {
  const value = c.req.param(name) ?? "";
  if (!pattern.test(value)) throw new AppError("bad_request", `The ${name} in the path is not valid.`);
  return value;
}

async function actorOf(c: Context<AppEnv>): Promise<Actor> {
  const principal = c.get("auth")?.principal ?? "";
  return { principal, functions: await functionsOf(c.get("services").database.db, principal) };
}

/** The separation certificate (LCL Art. 50, Regs Art. 24): issue, read, revoke, download. */
export function registerCertificateRoutes(app: Hono<AppEnv>): void {
  app.get("/api/v1/cases/:id/certificate", requireScope("cases:read"), async (c) =>
    c.json(await caseCertificates(c.get("services"), param(c, "id", idPattern))),
  );

  app.post("/api/v1/cases/:id/certificate", requireScope("cases:admin"), jsonBody(issueBody), async (c) => {
    const caseId = param(c, "id", idPattern);
    const body = await readJson(c, issueBody);
    const result = await issueCertificate(c.get("services"), caseId, await actorOf(c), body);
    return c.json(result.certificate, result.created ? 201 : 200);
  });

  app.post(
    "/api/v1/certificates/:id/revoke",
    requireScope("cases:admin"),
    jsonBody(revokeBody),
    async (c) => {
      const id = param(c, "id", certificateIdPattern);
      const { reason } = await readJson(c, revokeBody);
      return c.json(await revokeCertificate(c.get("services"), id, await actorOf(c), reason));
    },
  );

  // The canonical content its hash covers, to check the JWS: personal data, so the sensitive scope too.
  app.get("/api/v1/certificates/:id/content", requireScope("cases:read"), async (c) => {
    const id = param(c, "id", certificateIdPattern);
    if (!scopeAllows(c.get("auth")?.scopes ?? [], "employees:sensitive")) {
      throw new AppError("forbidden", "This API key lacks the scope employees:sensitive.", {
        messageKey: "error.missing_scope",
        params: { scope: "employees:sensitive" },
      });
    }
    const json = await certificateContentJson(c.get("services"), id, await actorOf(c));
    return c.body(json, 200, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
    });
  });

  app.get("/api/v1/certificates/:file{[0-9a-f-]+\\.pdf}", requireScope("cases:read"), async (c) => {
    const id = (c.req.param("file") ?? "").slice(0, -".pdf".length);
    if (!certificateIdPattern.test(id)) throw new AppError("bad_request", "The certificate id is not valid.");
    const { row, pdf } = await certificatePdf(c.get("services"), id, await actorOf(c));
    const response = pdfResponse(pdf, `separation-certificate-v${row.version}.pdf`, "inline");
    response.headers.set("x-certificate-status", row.status);
    return response;
  });

  registerCertificateFileRoute(app);
}
