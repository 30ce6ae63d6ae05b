import type { Context, Hono } from "hono";
import { z } from "zod";
import { dateInTimeZone, isIsoDate } from "../../../core/compliance/dates.ts";
import { nonCompeteCategories } from "../../../core/compliance/lint/terms.ts";
import { externalIdPattern } from "../../../core/directory/employee-input.ts";
import { AppError } from "../../../core/errors.ts";
import { type ActingParty, actingParty } from "../../../core/offboarding/transitions.ts";
import type { Db } from "../../../db/client.ts";
import {
  confirmPayment,
  decideNonCompete,
  endNonCompete,
  getNonCompete,
  leaverOfCase,
  type NonCompeteView,
  nonCompeteCategoryOf,
  nonCompeteOfCase,
  setNonCompeteCategory,
} from "../../../db/non-competes.ts";
import { functionsOf } from "../../../db/repositories/directory.ts";
import { readJson } from "../body.ts";
import { requireScope } from "../middleware/api-auth.ts";
import { jsonBody } from "../route-meta.ts";
import type { AppEnv } from "../services.ts";

const date = z.string().refine(isIsoDate, { message: "expected a real date YYYY-MM-DD" });
const reason = z.string().trim().min(1).max(2000);

const categoryBody = z
  .object({ category: z.enum(nonCompeteCategories).nullable(), basis: z.string().trim().max(500).optional() })
  .strict();

const decisionBody = z.discriminatedUnion("decision", [
  z
    .object({
      decision: z.literal("enforce"),
      months: z.number().int().min(1).max(120),
      monthlyPayFen: z.number().int().min(0).max(1e10).optional(),
      startDate: date.optional(),
      reason: reason.optional(),
    })
    .strict(),
  z.object({ decision: z.literal("waive"), reason: reason.optional() }).strict(),
]);

const paymentBody = z
  .object({
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: "expected a month YYYY-MM" }),
    amountFen: z.number().int().min(1).max(1e10),
  })
  .strict();

const endBody = z.object({ by: z.enum(["employer", "employee"]), date: date.optional(), reason }).strict();

async function actorOf(c: Context<AppEnv>): Promise<ActingParty> {
  const principal = c.get("auth")?.principal ?? "";
  return actingParty(principal, await functionsOf(c.get("services").database.db, principal));
}

const isHr = (actor: ActingParty) => actor.kind === "system" || actor.functions.includes("hr");
const isFinance = (actor: ActingParty) => actor.kind === "system" || actor.functions.includes("finance");

function requireHr(actor: ActingParty, employeeExternalId?: string): void {
  if (!isHr(actor)) {
    throw new AppError("forbidden", "Only HR records non-compete decisions.", {
      messageKey: "non_compete.hr_only",
    });
  }
  if (employeeExternalId && actor.principal === `employee:${employeeExternalId}`) {
    throw new AppError("forbidden", "Nobody acts on the approvals of their own case.", {
      messageKey: "case.own_case",
    });
  }
}

/** HR, finance and systems read non-competes; so does the employee bound by one. */
function requireReader(actor: ActingParty, view: NonCompeteView): void {
  if (isHr(actor) || isFinance(actor) || actor.principal === `employee:${view.employeeExternalId}`) return;
  throw new AppError("forbidden", "You may not see this non-compete.", { messageKey: "error.forbidden" });
}

function idParam(c: Context<AppEnv>): string {
  const id = c.req.param("id") ?? "";
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id))
    throw new AppError("not_found", "", { messageKey: "error.not_found" });
  return id;
}

async function inTransaction<T>(c: Context<AppEnv>, fn: (tx: Db) => Promise<T>): Promise<T> {
  return c.get("services").database.db.transaction((tx) => fn(tx as unknown as Db));
}

/**
 * Non-compete after exit (DESIGN §6): the employee's Art. 24 category, HR's decision at exit
 * (enforce or waive), finance's monthly confirmations, and ending it early.
 */
export function registerNonCompeteRoutes(app: Hono<AppEnv>): void {
  app.get("/api/v1/employees/:externalId/non-compete-category", requireScope("employees:read"), async (c) => {
    const externalId = c.req.param("externalId");
    if (!externalIdPattern.test(externalId))
      throw new AppError("bad_request", "The employee id is not valid.");
    return c.json(await nonCompeteCategoryOf(c.get("services").database.db, externalId));
  });

  app.put(
    "/api/v1/employees/:externalId/non-compete-category",
    requireScope("employees:write"),
    jsonBody(categoryBody),
    async (c) => {
      const externalId = c.req.param("externalId");
      if (!externalIdPattern.test(externalId))
        throw new AppError("bad_request", "The employee id is not valid.");
      const body = await readJson(c, categoryBody);
      const actor = await actorOf(c);
      requireHr(actor, externalId);
      const view = await inTransaction(c, (tx) =>
        setNonCompeteCategory(tx, {
          externalId,
          category: body.category,
          basis: body.basis || null,
          actor: actor.principal,
          at: c.get("services").clock.now(),
        }),
      );
      return c.json(view);
    },
  );

  app.post(
    "/api/v1/cases/:id/non-compete",
    requireScope("cases:admin"),
    jsonBody(decisionBody),
    async (c) => {
      const caseId = idParam(c);
      const body = await readJson(c, decisionBody);
      const actor = await actorOf(c);
      const { database, clock } = c.get("services");
      requireHr(actor);
      const leaver = await leaverOfCase(database.db, caseId);
      requireHr(actor, leaver);
      const result = await inTransaction(c, (tx) =>
        decideNonCompete(tx, { caseId, actor: actor.principal, at: clock.now(), decision: body }),
      );
      return c.json(result.view, result.created ? 201 : 200);
    },
  );

  app.get("/api/v1/cases/:id/non-compete", requireScope("cases:read"), async (c) => {
    const { database, clock } = c.get("services");
    const view = await nonCompeteOfCase(database.db, idParam(c), clock.now());
    if (!view) throw new AppError("not_found", "No non-compete decision is recorded on this case.");
    requireReader(await actorOf(c), view);
    return c.json(view);
  });

  app.get("/api/v1/non-competes/:id", requireScope("cases:read"), async (c) => {
    const { database, clock } = c.get("services");
    const view = await getNonCompete(database.db, idParam(c), clock.now());
    requireReader(await actorOf(c), view);
    return c.json(view);
  });

  app.post(
    "/api/v1/non-competes/:id/payments",
    requireScope("cases:write"),
    jsonBody(paymentBody),
    async (c) => {
      const id = idParam(c);
      const body = await readJson(c, paymentBody);
      const actor = await actorOf(c);
      if (!isFinance(actor)) {
        throw new AppError("forbidden", "Only finance confirms non-compete payments.", {
          messageKey: "non_compete.finance_only",
        });
      }
      const { clock } = c.get("services");
      const result = await inTransaction(c, (tx) =>
        confirmPayment(tx, {
          id,
          month: body.month,
          amountFen: body.amountFen,
          actor: actor.principal,
          at: clock.now(),
        }),
      );
      return c.json(result.view, result.created ? 201 : 200);
    },
  );

  app.post("/api/v1/non-competes/:id/end", requireScope("cases:admin"), jsonBody(endBody), async (c) => {
    const id = idParam(c);
    const body = await readJson(c, endBody);
    const actor = await actorOf(c);
    const { database, clock } = c.get("services");
    const current = await getNonCompete(database.db, id, clock.now());
    requireHr(actor, current.employeeExternalId);
    const now = clock.now();
    const view = await inTransaction(c, (tx) =>
      endNonCompete(tx, {
        id,
        by: body.by,
        on: body.date ?? dateInTimeZone(now, c.get("services").config.BATON_TIMEZONE),
        reason: body.reason,
        actor: actor.principal,
        at: now,
      }),
    );
    return c.json(view);
  });
}
