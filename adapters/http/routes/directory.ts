import type { Context, Hono } from "hono";
import { z } from "zod";
import { scopeAllows } from "../../../core/access/scopes.ts";
import { isIsoDate } from "../../../core/compliance/dates.ts";
import {
  employeeInput,
  employeeInputProblems,
  externalIdPattern,
} from "../../../core/directory/employee-input.ts";
import { type Actor, mayEnterPayFacts, mayMaintainDirectory } from "../../../core/directory/permissions.ts";
import { AppError } from "../../../core/errors.ts";
import type { Db } from "../../../db/client.ts";
import {
  erasePersonalData,
  functionsOf,
  getEmployee,
  identityHistory,
  listEmployees,
  listEntities,
  managerChainOf,
  setPayFacts,
  upsertEmployee,
  upsertEntity,
} from "../../../db/repositories/directory.ts";
import { readJson, readQuery } from "../body.ts";
import { importEmployees } from "../directory-import.ts";
import { safeRedirectPath } from "../links/actions.ts";
import { maxLinkLifetimeSeconds } from "../links/tokens.ts";
import { requireScope } from "../middleware/api-auth.ts";
import { jsonBody, queryParams, rawBody } from "../route-meta.ts";
import type { AppEnv } from "../services.ts";

const payFactsBody = z
  .object({
    averageMonthlyWageFen: z.number().int().min(0).max(1e10).nullable().optional(),
    annualLeaveDays: z.number().min(0).max(365).multipleOf(0.5).nullable().optional(),
    annualLeaveTakenDays: z.number().min(0).max(365).multipleOf(0.5).nullable().optional(),
  })
  .strict();

const entityBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    city: z.string().trim().min(1).max(100),
    calendarRegion: z
      .string()
      .regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/)
      .default("CN"),
    wageRates: z
      .array(
        z.object({
          kind: z.enum(["minimum_monthly", "average_monthly"]),
          amountFen: z.number().int().min(0).max(1e10),
          effectiveFrom: z.string().refine(isIsoDate, { message: "must be a date YYYY-MM-DD" }),
        }),
      )
      .max(100)
      .optional(),
  })
  .strict();

const loginLinkBody = z
  .object({
    ttlSeconds: z.number().int().min(60).max(maxLinkLifetimeSeconds).default(900),
    next: z.string().optional(),
  })
  .strict();

function externalIdParam(c: Context<AppEnv>): string {
  const id = c.req.param("externalId") ?? "";
  if (!externalIdPattern.test(id))
    throw new AppError("bad_request", "The employee id in the path is not valid.");
  return id;
}

async function actorOf(c: Context<AppEnv>): Promise<Actor> {
  const principal = c.get("auth")?.principal ?? "";
  return { principal, functions: await functionsOf(c.get("services").database.db, principal) };
}

async function transaction<T>(c: Context<AppEnv>, fn: (tx: Db) => Promise<T>): Promise<T> {
  return c.get("services").database.db.transaction((tx) => fn(tx as unknown as Db));
}

/** The directory: employing entities and employees (DESIGN §4). */
export function registerDirectoryRoutes(app: Hono<AppEnv>): void {
  const master = (c: Context<AppEnv>) => c.get("services").keys.encryption;

  app.get("/api/v1/entities", requireScope("employees:read"), async (c) =>
    c.json({ entities: await listEntities(c.get("services").database.db) }),
  );

  app.put("/api/v1/entities/:id", requireScope("employees:write"), jsonBody(entityBody), async (c) => {
    const id = c.req.param("id");
    if (!externalIdPattern.test(id))
      throw new AppError("bad_request", "The entity id in the path is not valid.");
    const body = await readJson(c, entityBody);
    const actor = await actorOf(c);
    if (!mayMaintainDirectory(actor)) throw new AppError("forbidden", "Only HR maintains the directory.");
    await transaction(c, (tx) => upsertEntity(tx, id, body, actor.principal, c.get("services").clock.now()));
    const entity = (await listEntities(c.get("services").database.db)).find((e) => e.id === id);
    return c.json(entity);
  });

  const employeesQuery = z.object({
    status: z.enum(["active", "deactivated", "left"]).optional(),
    department: z.string().max(100).optional(),
    role: z.string().max(40).optional(),
    after: z.string().regex(externalIdPattern).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  });

  app.get("/api/v1/employees", requireScope("employees:read"), queryParams(employeesQuery), async (c) => {
    const query = readQuery(c, employeesQuery);
    const page = await listEmployees(c.get("services").database.db, master(c), query);
    const last = page.at(-1);
    return c.json({
      employees: page,
      next: page.length === query.limit && last ? last.externalId : null,
    });
  });

  app.get("/api/v1/employees/:externalId", requireScope("employees:read"), async (c) => {
    const sensitive = c.req.query("include") === "sensitive";
    if (sensitive && !scopeAllows(c.get("auth")?.scopes ?? [], "employees:sensitive")) {
      throw new AppError("forbidden", "This API key lacks the scope employees:sensitive.", {
        messageKey: "error.missing_scope",
        params: { scope: "employees:sensitive" },
      });
    }
    return c.json(
      await getEmployee(c.get("services").database.db, master(c), externalIdParam(c), { sensitive }),
    );
  });

  app.put(
    "/api/v1/employees/:externalId",
    requireScope("employees:write"),
    jsonBody(employeeInput),
    async (c) => {
      const externalId = externalIdParam(c);
      const body = await readJson(c, employeeInput);
      const problems = employeeInputProblems(externalId, body);
      if (problems.length)
        throw new AppError("unprocessable", problems.map((p) => `${p.field}: ${p.message}`).join("; "), {
          details: problems,
        });
      const actor = await actorOf(c);
      if (!mayMaintainDirectory(actor)) throw new AppError("forbidden", "Only HR maintains the directory.");
      const result = await transaction(c, (tx) =>
        upsertEmployee(tx, master(c), externalId, body, actor.principal, c.get("services").clock.now()),
      );
      return c.json({ ...result.employee, changed: result.changed }, result.created ? 201 : 200);
    },
  );

  app.put(
    "/api/v1/employees/:externalId/pay-facts",
    requireScope("employees:write"),
    jsonBody(payFactsBody),
    async (c) => {
      const externalId = externalIdParam(c);
      const body = await readJson(c, payFactsBody);
      const actor = await actorOf(c);
      if (!mayEnterPayFacts(actor)) throw new AppError("forbidden", "Only HR or finance enter pay facts.");
      await transaction(c, (tx) =>
        setPayFacts(tx, externalId, body, actor.principal, c.get("services").clock.now()),
      );
      return c.json(await getEmployee(c.get("services").database.db, master(c), externalId));
    },
  );

  app.get("/api/v1/employees/:externalId/manager-chain", requireScope("employees:read"), async (c) =>
    c.json({ managers: await managerChainOf(c.get("services").database.db, externalIdParam(c)) }),
  );

  app.get("/api/v1/employees/:externalId/identity-history", requireScope("employees:read"), async (c) =>
    c.json({ changes: await identityHistory(c.get("services").database.db, externalIdParam(c)) }),
  );

  const eraseBody = z.object({ reason: z.string().trim().min(3).max(500) }).strict();

  app.post(
    "/api/v1/employees/:externalId/erase-personal-data",
    requireScope("admin"),
    jsonBody(eraseBody),
    async (c) => {
      const externalId = externalIdParam(c);
      const { reason } = await readJson(c, eraseBody);
      await transaction(c, (tx) =>
        erasePersonalData(
          tx,
          externalId,
          c.get("auth")?.principal ?? "unknown",
          reason,
          c.get("services").clock.now(),
        ),
      );
      return c.json(await getEmployee(c.get("services").database.db, master(c), externalId));
    },
  );

  app.post(
    "/api/v1/employees/:externalId/login-link",
    requireScope("admin"),
    jsonBody(loginLinkBody),
    async (c) => {
      const externalId = externalIdParam(c);
      const body = await readJson(c, loginLinkBody);
      const employee = await getEmployee(c.get("services").database.db, master(c), externalId);
      if (employee.status !== "active") {
        throw new AppError(
          "unprocessable",
          `${externalId} is ${employee.status}; login links are for active employees.`,
        );
      }
      const next = body.next === undefined ? undefined : safeRedirectPath(body.next);
      if (body.next !== undefined && !next)
        throw new AppError("unprocessable", "next must be a path on this site, like /chat.");
      const link = await c.get("services").linkTokens.issue({
        principal: `employee:${externalId}`,
        purpose: "login",
        ttlSeconds: body.ttlSeconds,
        ...(next ? { data: { next } } : {}),
      });
      return c.json({ url: link.url, expiresAt: link.expiresAt.toISOString() }, 201, {
        "cache-control": "no-store",
      });
    },
  );

  app.post(
    "/api/v1/employees/import",
    requireScope("employees:write"),
    rawBody("text/csv", "The CSV import (see the README, The directory): all rows or none."),
    async (c) => {
      const actor = await actorOf(c);
      if (!mayMaintainDirectory(actor)) throw new AppError("forbidden", "Only HR maintains the directory.");
      const type = c.req.header("content-type") ?? "";
      if (!type.startsWith("text/csv")) throw new AppError("bad_request", "Send the file as text/csv.");
      const text = await c.req.text();
      const { database, keys, clock } = c.get("services");
      return c.json(await importEmployees(database, keys.encryption, text, actor.principal, clock.now()));
    },
  );
}
