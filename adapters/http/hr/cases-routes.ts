import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { z } from "zod";
import { dateInTimeZone } from "../../../core/compliance/dates.ts";
import { AppError, isAppError } from "../../../core/errors.ts";
import type { MessageKey } from "../../../core/messages/index.ts";
import { stepKeyPattern } from "../../../core/offboarding/template.ts";
import { toCsv } from "../../../core/training/csv.ts";
import { handoverAccountsOf } from "../../../db/connectors.ts";
import {
  type AdminInput,
  agreeLastDay,
  correctNoticeDate,
  delegateStep,
  type EmployeeAgreement,
  holdCase,
  overrideDueDate,
  reassignStep,
  resumeCase,
  withdrawCase,
} from "../../../db/offboarding/administration.ts";
import type { OffboardingDeps } from "../../../db/offboarding/index.ts";
import { listEntities } from "../../../db/repositories/directory.ts";
import { pdfResponse } from "../certificate/download.ts";
import {
  type CaseCertificates,
  caseCertificates,
  certificatePdf,
  issueCertificate,
  revokeCertificate,
} from "../certificate/service.ts";
import { statusOf } from "../errors.ts";
import { offboardingDepsOf } from "../offboarding.ts";
import { caseAdminBodies, caseIdPattern } from "../routes/cases.ts";
import { issueBody, revokeBody } from "../routes/certificates.ts";
import { caseListPage, casePage, type ListQuery, principalsOf } from "./cases-pages.ts";
import {
  type Cursor,
  caseTrail,
  consoleCase,
  countConsoleCases,
  listConsoleCases,
  namesOf,
  parseCursor,
  statusFilters,
} from "./data.ts";
import { localDateTime, optional, parseForm, runFormAction } from "./forms.ts";
import type { HrEnv } from "./guard.ts";
import { caseStatusName, separationName, stepName, whoName, yesNo } from "./labels.ts";
import { consolePage, errorText, type Flash, type PageStatus, translator } from "./layout.ts";

type C = Context<HrEnv>;

const maxPageSize = 200;
const entityPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The CSV export stops here; narrow the filter for more. */
const maxCsvRows = 100_000;

/** The list's filter from the query string; values that do not fit fall back to the defaults. */
function listQuery(c: C): ListQuery & { after?: Cursor | undefined; before?: Cursor | undefined } {
  const q = c.req.query();
  const status = (statusFilters as readonly string[]).includes(q.status ?? "")
    ? (q.status as ListQuery["status"])
    : "open";
  const size =
    /^\d{1,3}$/.test(q.size ?? "") && Number(q.size) >= 1 ? Math.min(Number(q.size), maxPageSize) : 50;
  return {
    status,
    q: q.q?.trim().slice(0, 100) || undefined,
    step: q.step && stepKeyPattern.test(q.step) ? q.step : undefined,
    entity: q.entity && entityPattern.test(q.entity) ? q.entity : undefined,
    overdue: ["1", "on", "true"].includes(q.overdue ?? ""),
    size,
    after: parseCursor(q.after),
    before: parseCursor(q.before),
  };
}

/** A 404 (or the refusal the error names) inside the console frame. */
export function notFoundPage(c: C, error?: unknown) {
  const ctx = c.get("hr");
  const t = translator(ctx.locale);
  const text = error ? errorText(ctx.locale, error) : t("error.not_found");
  const status = isAppError(error) ? statusOf[error.code] : 404;
  return c.html(
    consolePage(ctx, {
      section: "cases",
      title: t("hr.not_found.title"),
      body: html`<p><a href="/hr">← ${t("hr.list.title")}</a></p>`,
      flash: { ok: false, text },
    }),
    status === 403 || status === 410 ? status : 404,
  );
}

const doneKeys: Record<string, MessageKey> = {
  reassign: "hr.done.reassign",
  delegate: "hr.done.delegate",
  "due-date": "hr.done.due_date",
  hold: "hr.done.hold",
  resume: "hr.done.resume",
  withdraw: "hr.done.withdraw",
  "notice-date": "hr.done.notice_date",
  "last-day": "hr.done.last_day",
  "certificate-issued": "hr.done.certificate_issued",
  "certificate-revoked": "hr.done.certificate_revoked",
  "certificate-reissued": "hr.done.certificate_reissued",
  unchanged: "hr.done.unchanged",
};

/** Renders a case page, with what just happened (or failed) on top. */
async function renderCase(c: C, caseId: string, flash: Flash, status: PageStatus) {
  const services = c.get("services");
  const ctx = c.get("hr");
  const db = services.database.db;
  const now = services.clock.now();
  let item: Awaited<ReturnType<typeof consoleCase>>;
  try {
    item = await consoleCase(db, caseId, now);
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") return notFoundPage(c, error);
    throw error;
  }
  let certificates: CaseCertificates | null = null;
  try {
    certificates = await caseCertificates(services, caseId);
  } catch (error) {
    // A certificate draft that cannot be computed (erased personal data) leaves the rest of the page.
    if (!isAppError(error)) throw error;
  }
  const [trail, entities, accounts] = await Promise.all([
    caseTrail(db, caseId, 100),
    listEntities(db),
    handoverAccountsOf(db, caseId),
  ]);
  const names = await namesOf(db, principalsOf(item, trail.entries, certificates ?? undefined));
  const entityName = entities.find((e) => e.id === item.entityId)?.name ?? null;
  const crmNames = new Map(accounts.map((a) => [a.checklistItem, a.name]));
  return c.html(casePage(ctx, { item, names, entityName, certificates, trail, flash, crmNames }), status);
}

function agreementOf(form: Record<string, string>, timeZone: string): Partial<EmployeeAgreement> | undefined {
  const at = localDateTime(form.agreementAt, timeZone);
  const via = optional(form.agreementVia);
  const reference = optional(form.agreementReference);
  if (at === undefined && via === undefined && reference === undefined) return undefined;
  return { at, via, reference } as Partial<EmployeeAgreement>;
}

const stepField = z.object({ step: z.string().regex(stepKeyPattern) });
const stepOfForm = (form: Record<string, string>) => parseForm(stepField, { step: form.step ?? "" }).step;

type AdminRun = (
  deps: OffboardingDeps,
  input: Omit<AdminInput, "reason">,
  form: Record<string, string>,
  timeZone: string,
) => Promise<{ changed: boolean }>;

/**
 * Each administration form, read with the REST API's schema and run through the same command
 * (which checks that the actor is HR and not the leaver, and records the evidence).
 */
const adminActions: Record<string, AdminRun> = {
  reassign: (deps, input, f) => {
    const stepKey = stepOfForm(f);
    const body = parseForm(caseAdminBodies.reassign, {
      reason: f.reason ?? "",
      owner: f.owner?.trim() ?? "",
    });
    return reassignStep(deps, { ...input, reason: body.reason, stepKey, owner: body.owner });
  },
  delegate: (deps, input, f) => {
    const stepKey = stepOfForm(f);
    const body = parseForm(caseAdminBodies.delegate, { reason: f.reason ?? "", to: f.to?.trim() ?? "" });
    return delegateStep(deps, { ...input, reason: body.reason, stepKey, to: body.to });
  },
  "due-date": (deps, input, f) => {
    const stepKey = stepOfForm(f);
    const body = parseForm(caseAdminBodies.dueDate, { reason: f.reason ?? "", dueDate: f.dueDate ?? "" });
    return overrideDueDate(deps, { ...input, reason: body.reason, stepKey, dueDate: body.dueDate });
  },
  hold: (deps, input, f) => {
    const body = parseForm(caseAdminBodies.hold, { reason: f.reason ?? "" });
    return holdCase(deps, { ...input, reason: body.reason });
  },
  resume: (deps, input, f) => {
    const body = parseForm(caseAdminBodies.resume, { reason: f.reason ?? "" });
    return resumeCase(deps, { ...input, reason: body.reason });
  },
  withdraw: (deps, input, f, timeZone) => {
    const agreement = agreementOf(f, timeZone);
    const body = parseForm(caseAdminBodies.withdraw, {
      reason: f.reason ?? "",
      ...(agreement ? { employeeAgreement: agreement } : {}),
    });
    return withdrawCase(deps, {
      ...input,
      reason: body.reason,
      ...(body.employeeAgreement ? { employeeAgreement: body.employeeAgreement } : {}),
    });
  },
  "notice-date": (deps, input, f) => {
    const body = parseForm(caseAdminBodies.noticeDate, {
      reason: f.reason ?? "",
      noticeDate: f.noticeDate ?? "",
    });
    return correctNoticeDate(deps, { ...input, reason: body.reason, noticeDate: body.noticeDate });
  },
  "last-day": (deps, input, f, timeZone) => {
    const agreement = agreementOf(f, timeZone);
    const body = parseForm(caseAdminBodies.agreedLastDay, {
      reason: f.reason ?? "",
      lastDay: f.lastDay ?? "",
      ...(agreement ? { employeeAgreement: agreement } : {}),
    });
    return agreeLastDay(deps, {
      ...input,
      reason: body.reason,
      lastDay: body.lastDay,
      ...(body.employeeAgreement ? { employeeAgreement: body.employeeAgreement } : {}),
    });
  },
};

/** Runs a form's action: on success back to the case page (303), on a broken rule the page with why. */
function act(c: C, caseId: string, run: () => Promise<string>) {
  return runFormAction(
    c,
    run,
    (done) => `/hr/cases/${caseId}?done=${done}`,
    (flash, status) => renderCase(c, caseId, flash, status),
  );
}

function caseIdOf(c: C): string | undefined {
  const id = c.req.param("id") ?? "";
  return caseIdPattern.test(id) ? id : undefined;
}

const actorOf = (c: C) => {
  const ctx = c.get("hr");
  return { principal: ctx.principal, functions: ctx.functions };
};

/** A certificate of this case (a form naming another case's certificate is refused). */
function certificateOfCase(certs: CaseCertificates, id: string | undefined) {
  const found = certs.versions.find((v) => v.id === id);
  if (!found) {
    throw new AppError("not_found", "This case has no such certificate.", {
      messageKey: "certificate.error.not_issued",
    });
  }
  return found;
}

/** The cases list, its CSV export, a case page and its actions. */
export function registerCaseConsole(hr: Hono<HrEnv>): void {
  hr.get("/", async (c) => {
    const services = c.get("services");
    const db = services.database.db;
    const now = services.clock.now();
    const query = listQuery(c);
    const [page, total, entities] = await Promise.all([
      listConsoleCases(db, query, { size: query.size, after: query.after, before: query.before }, now),
      countConsoleCases(db, query, now),
      listEntities(db),
    ]);
    const names = await namesOf(
      db,
      page.cases.flatMap((item) => item.current.map((s) => s.owner)),
    );
    return c.html(caseListPage(c.get("hr"), { query, page, total, names, entities }));
  });

  hr.get("/cases.csv", async (c) => {
    const services = c.get("services");
    const ctx = c.get("hr");
    const { locale } = ctx;
    const t = translator(locale);
    const db = services.database.db;
    const now = services.clock.now();
    const query = listQuery(c);
    const entities = new Map((await listEntities(db)).map((e) => [e.id, e.name]));
    const rows: (string | null)[][] = [];
    let after: Cursor | undefined;
    while (rows.length < maxCsvRows) {
      const page = await listConsoleCases(db, query, { size: 500, after }, now);
      const names = await namesOf(
        db,
        page.cases.flatMap((item) => item.current.map((s) => s.owner)),
      );
      for (const item of page.cases) {
        const v = item.view;
        rows.push([
          v.id,
          v.employeeExternalId,
          item.name,
          item.entityId ? `${entities.get(item.entityId) ?? ""} (${item.entityId})` : null,
          separationName(locale, v.separationType),
          caseStatusName(locale, v.status),
          v.noticeDate,
          v.legalLastDay,
          v.requestedLastDay,
          v.agreedLastDay,
          v.plannedLastDay,
          item.current.map((s) => stepName(locale, s.key)).join("; "),
          item.current.map((s) => whoName(locale, names, s.owner)).join("; "),
          item.current.map((s) => s.dueDate).join("; "),
          yesNo(locale, item.overdue),
        ]);
      }
      if (!page.next) break;
      after = page.next;
    }
    const header = [
      t("hr.csv.case_id"),
      t("hr.csv.employee_id"),
      t("hr.csv.name"),
      t("hr.col.entity"),
      t("hr.col.type"),
      t("hr.col.status"),
      t("hr.col.notice_date"),
      t("hr.col.legal_last_day"),
      t("hr.case.requested_last_day"),
      t("hr.case.agreed_last_day"),
      t("hr.col.planned_last_day"),
      t("hr.col.current_step"),
      t("hr.col.owner"),
      t("hr.col.due"),
      t("hr.overdue"),
    ];
    // A byte order mark, so that Excel reads the file as UTF-8 (Chinese names stay readable).
    const body = `\uFEFF${toCsv(header, rows.slice(0, maxCsvRows))}`;
    const today = dateInTimeZone(now, ctx.timeZone);
    return c.body(body, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="baton-cases-${today}.csv"`,
      "cache-control": "no-store",
    });
  });

  hr.get("/cases/:id", async (c) => {
    const id = caseIdOf(c);
    if (!id) return notFoundPage(c);
    const key = doneKeys[c.req.query("done") ?? ""];
    const flash = key ? { ok: true, text: translator(c.get("hr").locale)(key) } : undefined;
    return renderCase(c, id, flash, 200);
  });

  hr.post("/cases/:id/certificate", async (c) => {
    const id = caseIdOf(c);
    if (!id) return notFoundPage(c);
    return act(c, id, async () => {
      const form = c.get("form");
      const body = parseForm(issueBody, {
        yearsOfServiceConfirmed: form.yearsOfServiceConfirmed !== undefined,
      });
      const result = await issueCertificate(c.get("services"), id, actorOf(c), body);
      return result.created ? "certificate-issued" : "unchanged";
    });
  });

  hr.post("/cases/:id/certificate/revoke", async (c) => {
    const id = caseIdOf(c);
    if (!id) return notFoundPage(c);
    return act(c, id, async () => {
      const form = c.get("form");
      const { reason } = parseForm(revokeBody, { reason: form.reason ?? "" });
      const services = c.get("services");
      const certificate = certificateOfCase(await caseCertificates(services, id), form.certificateId);
      if (certificate.status === "revoked") return "unchanged";
      await revokeCertificate(services, certificate.id, actorOf(c), reason);
      return "certificate-revoked";
    });
  });

  /** A correction: the standing version is revoked and the next one issued from the directory's facts. */
  hr.post("/cases/:id/certificate/reissue", async (c) => {
    const id = caseIdOf(c);
    if (!id) return notFoundPage(c);
    const ctx = c.get("hr");
    return act(c, id, async () => {
      const form = c.get("form");
      const { reason } = parseForm(revokeBody, { reason: form.reason ?? "" });
      if (form.yearsOfServiceConfirmed === undefined) {
        throw new AppError("unprocessable", "Confirm the years of service first.", {
          messageKey: "hr.cert.confirm_first",
        });
      }
      const services = c.get("services");
      const certificate = certificateOfCase(await caseCertificates(services, id), form.certificateId);
      if (certificate.status !== "issued") {
        throw new AppError("conflict", "This version is no longer the standing one.", {
          messageKey: "hr.cert.not_current",
        });
      }
      await revokeCertificate(services, certificate.id, actorOf(c), reason);
      try {
        await issueCertificate(services, id, actorOf(c), { yearsOfServiceConfirmed: true });
      } catch (error) {
        // The old version stays revoked: the page says so, and why the new one could not be issued.
        if (!isAppError(error)) throw error;
        throw new AppError(error.code, error.message, {
          messageKey: "hr.cert.revoked_not_reissued",
          params: { problem: errorText(ctx.locale, error) },
        });
      }
      return "certificate-reissued";
    });
  });

  hr.post("/cases/:id/:action", async (c) => {
    const id = caseIdOf(c);
    const run = adminActions[c.req.param("action")];
    if (!id || !run) return notFoundPage(c);
    const ctx = c.get("hr");
    const deps = offboardingDepsOf(c.get("services"));
    return act(c, id, async () => {
      const result = await run(deps, { caseId: id, actor: ctx.principal }, c.get("form"), ctx.timeZone);
      return result.changed ? c.req.param("action") : "unchanged";
    });
  });

  hr.get("/certificates/:file{[0-9a-f-]{36}\\.pdf}", async (c) => {
    const id = (c.req.param("file") ?? "").slice(0, -".pdf".length);
    try {
      const { row, pdf } = await certificatePdf(c.get("services"), id, actorOf(c));
      const response = pdfResponse(pdf, `separation-certificate-v${row.version}.pdf`, "inline");
      response.headers.set("x-certificate-status", row.status);
      return response;
    } catch (error) {
      if (isAppError(error) && error.code !== "internal") return notFoundPage(c, error);
      throw error;
    }
  });
}
