import type { Context, Hono } from "hono";
import { z } from "zod";
import { isIsoDate } from "../../../core/compliance/dates.ts";
import { externalIdPattern } from "../../../core/directory/employee-input.ts";
import { AppError } from "../../../core/errors.ts";
import { isEmployeeNotice, separationTypes } from "../../../core/offboarding/separation.ts";
import { stepKeyPattern } from "../../../core/offboarding/template.ts";
import { templateById, templates } from "../../../core/offboarding/templates.ts";
import { actingParty, caseStatuses, mayReadCase } from "../../../core/offboarding/transitions.ts";
import {
  agreeLastDay,
  correctNoticeDate,
  delegateStep,
  holdCase,
  overrideDueDate,
  reassignStep,
  resumeCase,
  withdrawCase,
} from "../../../db/offboarding/administration.ts";
import { personPrincipal } from "../../../db/offboarding/complete.ts";
import { type OffboardingDeps, offboardingCommands } from "../../../db/offboarding/index.ts";
import { listCaseViews, loadCaseView } from "../../../db/offboarding/repository.ts";
import { functionsOf } from "../../../db/repositories/directory.ts";
import { readJson, readQuery } from "../body.ts";
import { requireScope } from "../middleware/api-auth.ts";
import { offboardingDepsOf } from "../offboarding.ts";
import { jsonBody, queryParams, requestHeader } from "../route-meta.ts";
import type { AppEnv } from "../services.ts";

const date = z.string().refine(isIsoDate, { message: "expected a real date YYYY-MM-DD" });
const reason = z.string().trim().min(1).max(2000);
const personRef = z.string().min(1).max(80);
const agreement = z
  .object({
    at: z.iso.datetime({ offset: true }),
    via: z.string().trim().min(1).max(40),
    reference: z.string().trim().min(1).max(500),
  })
  .strict();

const resignationBody = z
  .object({
    employeeExternalId: z.string().regex(externalIdPattern),
    noticeDate: date,
    separationType: z.enum(separationTypes).default("resignation"),
    requestedLastDay: date.nullable().optional(),
    reason: z.string().max(2000).nullable().optional(),
  })
  .strict();

const completeBody = z
  .object({
    actor: personRef.optional(),
    note: z.string().max(2000).nullable().optional(),
    data: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .strict()
  .refine((b) => JSON.stringify(b.data ?? {}).length <= 16_384, {
    message: "data is too large",
    path: ["data"],
  });

const checklistBody = z
  .object({
    checklist: z
      .record(z.string().min(1).max(200), z.boolean())
      .refine((c) => Object.keys(c).length <= 500, { message: "at most 500 items" }),
    actor: personRef.optional(),
    note: z.string().max(2000).nullable().optional(),
  })
  .strict();

const adminBase = { reason, actor: personRef.optional() };

/** The bodies of HR's case administration; the HR console's forms are read with the same schemas. */
export const caseAdminBodies = {
  reassign: z.object({ ...adminBase, owner: personRef }).strict(),
  delegate: z.object({ ...adminBase, to: personRef }).strict(),
  dueDate: z.object({ ...adminBase, dueDate: date }).strict(),
  hold: z.object(adminBase).strict(),
  resume: z.object(adminBase).strict(),
  withdraw: z.object({ ...adminBase, employeeAgreement: agreement.optional() }).strict(),
  noticeDate: z.object({ ...adminBase, noticeDate: date }).strict(),
  agreedLastDay: z.object({ ...adminBase, lastDay: date, employeeAgreement: agreement.optional() }).strict(),
};

/** Idempotency keys: visible ASCII, as Stripe and the IETF draft use them. */
const idempotencyKeyPattern = /^[\x21-\x7e]{1,200}$/;
export const caseIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function depsOf(c: Context<AppEnv>): OffboardingDeps {
  return offboardingDepsOf(c.get("services"));
}

function caseIdParam(c: Context<AppEnv>): string {
  const id = c.req.param("id") ?? "";
  if (!caseIdPattern.test(id)) {
    throw new AppError("not_found", `There is no case ${id.slice(0, 40)}.`, {
      messageKey: "case.not_found",
      params: { id: id.slice(0, 40) },
    });
  }
  return id;
}

function stepKeyParam(c: Context<AppEnv>): string {
  const key = c.req.param("key") ?? "";
  if (!stepKeyPattern.test(key)) {
    throw new AppError("not_found", `The case has no step ${key.slice(0, 40)}.`, {
      messageKey: "case.step_not_found",
      params: { step: key.slice(0, 40) },
    });
  }
  return key;
}

/**
 * Who acts: the key's principal; a system key may name the person it acts for (`actor`), who is
 * then held to the same rules. A person's key never acts for someone else.
 */
function actingPrincipal(c: Context<AppEnv>, named: string | undefined): string {
  const principal = c.get("auth")?.principal ?? "";
  if (named === undefined) return principal;
  const person = personPrincipal(named);
  if (!externalIdPattern.test(person.slice("employee:".length))) {
    throw new AppError("bad_request", "actor must be an employee id.", { messageKey: "error.bad_request" });
  }
  if (principal.startsWith("system:")) return person;
  if (person === principal) return person;
  throw new AppError("forbidden", "A person's key acts only for that person.", {
    messageKey: "case.cannot_act_for",
  });
}

async function partyOf(c: Context<AppEnv>, principal: string) {
  return actingParty(principal, await functionsOf(c.get("services").database.db, principal));
}

/** Offboarding cases (DESIGN §4, §6): opening, reading, completing steps, and HR's administration. */
export function registerCaseRoutes(app: Hono<AppEnv>): void {
  app.post(
    "/api/v1/resignations",
    requireScope("cases:write"),
    requestHeader(
      "Idempotency-Key",
      "1 to 200 visible ASCII characters; a repeat with the same key answers the same case.",
    ),
    jsonBody(resignationBody),
    async (c) => {
      const key = c.req.header("idempotency-key");
      if (key === undefined || !idempotencyKeyPattern.test(key)) {
        throw new AppError("bad_request", "Send an Idempotency-Key header (1 to 200 visible characters).", {
          messageKey: "case.idempotency_key_required",
        });
      }
      const body = await readJson(c, resignationBody);
      const actor = await partyOf(c, c.get("auth")?.principal ?? "");
      const self = actor.principal === `employee:${body.employeeExternalId}`;
      const allowed =
        actor.kind === "system" ||
        actor.functions.includes("hr") ||
        (self && isEmployeeNotice(body.separationType));
      if (!allowed) {
        throw new AppError("forbidden", "Cases are opened by HR, a system, or the employee giving notice.", {
          messageKey: "case.open_forbidden",
        });
      }
      const result = await offboardingCommands(depsOf(c)).openCase({
        employeeExternalId: body.employeeExternalId,
        noticeDate: body.noticeDate,
        separationType: body.separationType,
        requestedLastDay: body.requestedLastDay ?? null,
        reason: body.reason ?? null,
        actor: actor.principal,
        channel: "api",
        idempotencyKey: key,
      });
      return c.json(result.case, result.created ? 201 : 200);
    },
  );

  const casesQuery = z.object({
    status: z.enum([...caseStatuses, "active", "all"]).default("all"),
    employee: z.string().regex(externalIdPattern).optional(),
    after: z.string().regex(caseIdPattern).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  });

  app.get("/api/v1/cases", requireScope("cases:read"), queryParams(casesQuery), async (c) => {
    const query = readQuery(c, casesQuery);
    const actor = await partyOf(c, c.get("auth")?.principal ?? "");
    const seesAll =
      actor.kind === "system" || actor.functions.includes("hr") || actor.functions.includes("finance");
    const page = await listCaseViews(c.get("services").database.db, {
      ...(query.status === "all" ? {} : { status: query.status }),
      ...(query.employee ? { employeeExternalId: query.employee } : {}),
      ...(query.after ? { after: query.after } : {}),
      ...(seesAll ? {} : { involving: actor.principal }),
      limit: query.limit,
    });
    const last = page.at(-1);
    return c.json({ cases: page, next: page.length === query.limit && last ? last.id : null });
  });

  app.get("/api/v1/cases/:id", requireScope("cases:read"), async (c) => {
    const view = await loadCaseView(c.get("services").database.db, caseIdParam(c));
    const actor = await partyOf(c, c.get("auth")?.principal ?? "");
    const parties = view.steps.map((s) => ({ ...s, readsGates: false }));
    if (!mayReadCase(actor, { employee: `employee:${view.employeeExternalId}`, parties })) {
      throw new AppError("forbidden", "You are not a party to this case.", {
        messageKey: "case.read_forbidden",
      });
    }
    return c.json(view);
  });

  app.post(
    "/api/v1/cases/:id/steps/:key/complete",
    requireScope("cases:write"),
    jsonBody(completeBody),
    async (c) => {
      const caseId = caseIdParam(c);
      const stepKey = stepKeyParam(c);
      const body = await readJson(c, completeBody);
      const result = await offboardingCommands(depsOf(c)).completeStep({
        caseId,
        stepKey,
        actor: actingPrincipal(c, body.actor),
        note: body.note ?? null,
        data: body.data ?? null,
      });
      return c.json({ case: result.case, changed: result.changed, capacity: result.capacity });
    },
  );

  app.put(
    "/api/v1/cases/:id/steps/:key/checklist",
    requireScope("cases:write"),
    jsonBody(checklistBody),
    async (c) => {
      const caseId = caseIdParam(c);
      const stepKey = stepKeyParam(c);
      const body = await readJson(c, checklistBody);
      const result = await offboardingCommands(depsOf(c)).saveChecklist({
        caseId,
        stepKey,
        actor: actingPrincipal(c, body.actor),
        checklist: body.checklist,
        note: body.note ?? null,
      });
      return c.json({ case: result.case, changed: result.changed, capacity: result.capacity });
    },
  );

  const admin = (c: Context<AppEnv>, actor: string | undefined, r: string) => ({
    caseId: caseIdParam(c),
    actor: actingPrincipal(c, actor),
    reason: r,
  });

  app.post(
    "/api/v1/cases/:id/steps/:key/reassign",
    requireScope("cases:admin"),
    jsonBody(caseAdminBodies.reassign),
    async (c) => {
      const body = await readJson(c, caseAdminBodies.reassign);
      const stepKey = stepKeyParam(c);
      return c.json(
        await reassignStep(depsOf(c), { ...admin(c, body.actor, body.reason), stepKey, owner: body.owner }),
      );
    },
  );

  app.post(
    "/api/v1/cases/:id/steps/:key/delegate",
    requireScope("cases:admin"),
    jsonBody(caseAdminBodies.delegate),
    async (c) => {
      const body = await readJson(c, caseAdminBodies.delegate);
      const stepKey = stepKeyParam(c);
      return c.json(
        await delegateStep(depsOf(c), { ...admin(c, body.actor, body.reason), stepKey, to: body.to }),
      );
    },
  );

  app.put(
    "/api/v1/cases/:id/steps/:key/due-date",
    requireScope("cases:admin"),
    jsonBody(caseAdminBodies.dueDate),
    async (c) => {
      const body = await readJson(c, caseAdminBodies.dueDate);
      const stepKey = stepKeyParam(c);
      return c.json(
        await overrideDueDate(depsOf(c), {
          ...admin(c, body.actor, body.reason),
          stepKey,
          dueDate: body.dueDate,
        }),
      );
    },
  );

  app.post(
    "/api/v1/cases/:id/hold",
    requireScope("cases:admin"),
    jsonBody(caseAdminBodies.hold),
    async (c) => {
      const body = await readJson(c, caseAdminBodies.hold);
      return c.json(await holdCase(depsOf(c), admin(c, body.actor, body.reason)));
    },
  );

  app.post(
    "/api/v1/cases/:id/resume",
    requireScope("cases:admin"),
    jsonBody(caseAdminBodies.resume),
    async (c) => {
      const body = await readJson(c, caseAdminBodies.resume);
      return c.json(await resumeCase(depsOf(c), admin(c, body.actor, body.reason)));
    },
  );

  app.post(
    "/api/v1/cases/:id/withdraw",
    requireScope("cases:admin"),
    jsonBody(caseAdminBodies.withdraw),
    async (c) => {
      const body = await readJson(c, caseAdminBodies.withdraw);
      return c.json(
        await withdrawCase(depsOf(c), {
          ...admin(c, body.actor, body.reason),
          ...(body.employeeAgreement ? { employeeAgreement: body.employeeAgreement } : {}),
        }),
      );
    },
  );

  app.put(
    "/api/v1/cases/:id/notice-date",
    requireScope("cases:admin"),
    jsonBody(caseAdminBodies.noticeDate),
    async (c) => {
      const body = await readJson(c, caseAdminBodies.noticeDate);
      return c.json(
        await correctNoticeDate(depsOf(c), {
          ...admin(c, body.actor, body.reason),
          noticeDate: body.noticeDate,
        }),
      );
    },
  );

  app.put(
    "/api/v1/cases/:id/agreed-last-day",
    requireScope("cases:admin"),
    jsonBody(caseAdminBodies.agreedLastDay),
    async (c) => {
      const body = await readJson(c, caseAdminBodies.agreedLastDay);
      return c.json(
        await agreeLastDay(depsOf(c), {
          ...admin(c, body.actor, body.reason),
          lastDay: body.lastDay,
          ...(body.employeeAgreement ? { employeeAgreement: body.employeeAgreement } : {}),
        }),
      );
    },
  );

  app.get("/api/v1/offboarding/templates", requireScope("cases:read"), (c) => c.json({ templates }));

  app.get("/api/v1/offboarding/templates/:id", requireScope("cases:read"), (c) => {
    const template = templateById(c.req.param("id"));
    if (!template) {
      throw new AppError("not_found", "There is no such template.", {
        messageKey: "case.template_not_found",
        params: { id: c.req.param("id").slice(0, 40) },
      });
    }
    return c.json(template);
  });
}
