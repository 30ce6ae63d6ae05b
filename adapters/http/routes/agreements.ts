import { and, eq } from "drizzle-orm";
import type { Context, Hono } from "hono";
import { z } from "zod";
import { scopeAllows } from "../../../core/access/scopes.ts";
import { agreementIdPattern, maxAgreementTextLength } from "../../../core/agreements/document.ts";
import { isIsoDate } from "../../../core/compliance/dates.ts";
import { presentFinding } from "../../../core/compliance/linter.ts";
import { externalIdPattern } from "../../../core/directory/employee-input.ts";
import { mayMaintainDirectory } from "../../../core/directory/permissions.ts";
import { AppError, isAppError } from "../../../core/errors.ts";
import type { Locale } from "../../../core/messages/index.ts";
import { buildEvidenceBundle } from "../../../db/agreements/bundle.ts";
import {
  employeeByExternalId,
  ensureSignatureRequest,
  findRequest,
  listRequests,
  requestView,
} from "../../../db/agreements/requests.ts";
import { copyOf, requireSignature } from "../../../db/agreements/signing.ts";
import { type AgreementFinding, publishDraft, saveDraft } from "../../../db/agreements/versions.ts";
import type { Db } from "../../../db/client.ts";
import {
  currentVersion,
  listVersions,
  requireVersion,
  versionView,
} from "../../../db/repositories/agreements.ts";
import { functionsOf } from "../../../db/repositories/directory.ts";
import { employees } from "../../../db/schema/index.ts";
import { parseFrontMatter } from "../../shared/front-matter.ts";
import { issueSigningLinks } from "../agreements/links.ts";
import { readJson, readQuery } from "../body.ts";
import { requestLocale } from "../errors.ts";
import { requireScope } from "../middleware/api-auth.ts";
import { jsonBody, queryParams } from "../route-meta.ts";
import type { AppEnv } from "../services.ts";

const versionBody = z
  .object({
    "zh-CN": z.string().min(1).max(maxAgreementTextLength),
    en: z.string().min(1).max(maxAgreementTextLength),
  })
  .strict();

const requestsBody = z
  .object({
    role: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,39}$/)
      .optional(),
    employees: z.array(z.string().regex(externalIdPattern)).min(1).max(1000).optional(),
    dueDate: z.string().refine(isIsoDate, { message: "must be a real date YYYY-MM-DD" }).optional(),
  })
  .strict()
  .refine((b) => (b.role === undefined) !== (b.employees === undefined), {
    message: "give either role or employees",
  });

const linksBody = z
  .object({
    ttlSeconds: z
      .number()
      .int()
      .min(300)
      .max(7 * 24 * 3600)
      .default(24 * 3600),
  })
  .strict();

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function agreementIdParam(c: Context<AppEnv>): string {
  const id = c.req.param("id") ?? "";
  if (!agreementIdPattern.test(id))
    throw new AppError("bad_request", "The agreement id must be a lower-case slug such as confidentiality.");
  return id;
}

function versionParam(c: Context<AppEnv>): number {
  const text = c.req.param("version") ?? "";
  if (!/^[1-9]\d{0,3}$/.test(text))
    throw new AppError("bad_request", "The version must be a whole number from 1 to 9999.");
  return Number(text);
}

function uuidParam(c: Context<AppEnv>, what: string): string {
  const id = c.req.param("id") ?? "";
  if (!uuidPattern.test(id)) throw new AppError("not_found", `There is no ${what} ${id}.`);
  return id;
}

/** A person may manage agreements only when they are HR; a system's key (with the scope) may. */
async function requireAgreementAdmin(c: Context<AppEnv>): Promise<string> {
  const principal = c.get("auth")?.principal ?? "";
  const functions = await functionsOf(c.get("services").database.db, principal);
  if (!mayMaintainDirectory({ principal, functions }))
    throw new AppError("forbidden", "Only HR manages agreements and signature requests.");
  return principal;
}

function transaction<T>(c: Context<AppEnv>, fn: (tx: Db) => Promise<T>): Promise<T> {
  return c.get("services").database.db.transaction((tx) => fn(tx as unknown as Db));
}

function presented(findings: AgreementFinding[], locale: Locale) {
  return findings.map((f) => ({ locale: f.locale, ...presentFinding(f, locale) }));
}

/** Linter findings in a 422 are shown in the caller's language. */
function withPresentedFindings(error: unknown, locale: Locale): unknown {
  if (isAppError(error) && error.messageKey === "agreement.lint_failed" && Array.isArray(error.details)) {
    return new AppError(error.code, error.message, {
      messageKey: error.messageKey,
      params: { ...error.params },
      details: presented(error.details as AgreementFinding[], locale),
    });
  }
  return error;
}

/** The signer's own session, or a key with evidence:read. */
function mayReadSignature(c: Context<AppEnv>, employeePrincipal: string): boolean {
  const auth = c.get("auth");
  if (!auth) return false;
  return auth.principal === employeePrincipal || scopeAllows(auth.scopes, "evidence:read");
}

/** Agreements, signature requests and signatures with their evidence (DESIGN §4, §6). */
export function registerAgreementRoutes(app: Hono<AppEnv>): void {
  app.get("/api/v1/agreements", async (c) => {
    const rows = await listVersions(c.get("services").database.db);
    return c.json({ versions: rows.map((r) => versionView(r)) });
  });

  app.get("/api/v1/agreements/:id/versions", async (c) => {
    const rows = await listVersions(c.get("services").database.db, agreementIdParam(c));
    return c.json({ versions: rows.map((r) => versionView(r)) });
  });

  app.get("/api/v1/agreements/:id/versions/:version", async (c) => {
    const row = await requireVersion(c.get("services").database.db, agreementIdParam(c), versionParam(c));
    return c.json(versionView(row, true));
  });

  app.put(
    "/api/v1/agreements/:id/versions/:version",
    requireScope("agreements:write"),
    jsonBody(versionBody),
    async (c) => {
      const agreementId = agreementIdParam(c);
      const version = versionParam(c);
      const texts = await readJson(c, versionBody);
      const actor = await requireAgreementAdmin(c);
      const now = c.get("services").clock.now();
      const result = await transaction(c, (tx) =>
        saveDraft(tx, { agreementId, version, texts }, parseFrontMatter, actor, now),
      );
      return c.json(
        { ...versionView(result.row, true), findings: presented(result.findings, requestLocale(c)) },
        result.created ? 201 : 200,
      );
    },
  );

  app.post(
    "/api/v1/agreements/:id/versions/:version/publish",
    requireScope("agreements:write"),
    async (c) => {
      const agreementId = agreementIdParam(c);
      const version = versionParam(c);
      const actor = await requireAgreementAdmin(c);
      const now = c.get("services").clock.now();
      try {
        const result = await transaction(c, (tx) =>
          publishDraft(tx, { agreementId, version }, parseFrontMatter, actor, now),
        );
        return c.json({ ...versionView(result.row), findings: presented(result.findings, requestLocale(c)) });
      } catch (error) {
        throw withPresentedFindings(error, requestLocale(c));
      }
    },
  );

  app.post(
    "/api/v1/agreements/:id/signature-requests",
    requireScope("agreements:write"),
    jsonBody(requestsBody),
    async (c) => {
      const agreementId = agreementIdParam(c);
      const body = await readJson(c, requestsBody);
      const actor = await requireAgreementAdmin(c);
      const { database, clock } = c.get("services");
      const version = await currentVersion(database.db, agreementId);
      if (!version) throw new AppError("not_found", `Agreement ${agreementId} has no published version.`);
      const now = clock.now();
      const result = await transaction(c, async (tx) => {
        const people = body.role
          ? await tx
              .select()
              .from(employees)
              .where(and(eq(employees.role, body.role), eq(employees.status, "active")))
          : [];
        for (const externalId of body.employees ?? []) {
          const row = await employeeByExternalId(tx, externalId);
          if (!row) throw new AppError("not_found", `No employee has the id ${externalId}.`);
          if (row.status !== "active")
            throw new AppError(
              "unprocessable",
              `${externalId} is ${row.status}; only active employees are asked to sign.`,
            );
          people.push(row);
        }
        const ids: string[] = [];
        let created = 0;
        for (const employee of people) {
          const ensured = await ensureSignatureRequest(tx, {
            employee,
            version,
            reason: body.role ? "role" : "employee",
            ...(body.dueDate ? { dueNotAfter: body.dueDate } : {}),
            actor,
            now,
          });
          ids.push(ensured.request.id);
          if (ensured.created) created += 1;
        }
        return { created, ids };
      });
      return c.json({
        agreementId,
        version: version.version,
        created: result.created,
        existing: result.ids.length - result.created,
        requests: await listRequests(database.db, { ids: result.ids }),
      });
    },
  );

  const signatureRequestsQuery = z.object({
    employee: z.string().regex(externalIdPattern).optional(),
    status: z.enum(["pending", "signed"]).optional(),
  });

  app.get(
    "/api/v1/signature-requests",
    requireScope("agreements:write"),
    queryParams(signatureRequestsQuery),
    async (c) => {
      const query = readQuery(c, signatureRequestsQuery);
      const db = c.get("services").database.db;
      let employeeId: string | undefined;
      if (query.employee) {
        const row = await employeeByExternalId(db, query.employee);
        if (!row) throw new AppError("not_found", `No employee has the id ${query.employee}.`);
        employeeId = row.id;
      }
      return c.json({
        requests: await listRequests(db, {
          ...(employeeId ? { employeeId } : {}),
          ...(query.status ? { status: query.status } : {}),
        }),
      });
    },
  );

  app.post("/api/v1/signature-requests/:id/links", requireScope("admin"), jsonBody(linksBody), async (c) => {
    const id = uuidParam(c, "signature request");
    const { ttlSeconds } = await readJson(c, linksBody);
    const links = await issueSigningLinks(c.get("services"), id, ttlSeconds);
    return c.json(links, 201, { "cache-control": "no-store" });
  });

  app.get("/api/v1/signature-requests/:id", async (c) => {
    const id = uuidParam(c, "signature request");
    const db = c.get("services").database.db;
    const request = await findRequest(db, id);
    const employee = request
      ? await db.select().from(employees).where(eq(employees.id, request.employeeId))
      : [];
    const externalId = employee[0]?.externalId ?? "";
    const auth = c.get("auth");
    if (
      !request ||
      !(auth?.principal === `employee:${externalId}` || scopeAllows(auth?.scopes ?? [], "agreements:write"))
    )
      throw new AppError("not_found", `There is no signature request ${id}.`);
    return c.json(requestView(request, externalId));
  });

  app.get("/api/v1/signatures/:id", async (c) => {
    const id = uuidParam(c, "signature");
    const { database, config } = c.get("services");
    const row = await requireSignature(database.db, id);
    if (!mayReadSignature(c, row.record.employee.principal))
      throw new AppError("not_found", `There is no signature ${id}.`);
    return c.json({
      id: row.id,
      record: row.record,
      jws: row.jws,
      kid: row.kid,
      verifyUrl: `${config.publicUrl}/verify/${row.verificationId}`,
    });
  });

  app.get("/api/v1/signatures/:id/copy", async (c) => {
    const id = uuidParam(c, "signature");
    const db = c.get("services").database.db;
    const row = await requireSignature(db, id);
    if (!mayReadSignature(c, row.record.employee.principal))
      throw new AppError("not_found", `There is no signature ${id}.`);
    return c.json(await copyOf(db, row), 200, {
      "content-disposition": `attachment; filename="signature-${id}.json"`,
      "cache-control": "no-store",
    });
  });

  app.get("/api/v1/signatures/:id/bundle", requireScope("evidence:read"), async (c) => {
    const id = uuidParam(c, "signature");
    const { database, signer, clock, chainWriter } = c.get("services");
    const build = () => buildEvidenceBundle(database.db, { signer, now: clock.now() }, id);
    let bundle: Awaited<ReturnType<typeof build>>;
    try {
      bundle = await build();
    } catch (error) {
      if (!isAppError(error) || error.messageKey !== "agreement.not_chained") throw error;
      // Signed a moment ago: chain what is waiting, then try once more.
      await chainWriter.runOnce();
      bundle = await build();
    }
    return c.json(bundle, 200, {
      "content-disposition": `attachment; filename="evidence-${id}.json"`,
      "cache-control": "no-store",
    });
  });
}
