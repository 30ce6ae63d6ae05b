import type { Context, Hono } from "hono";
import { z } from "zod";
import type { Figure, MissingInput } from "../../../core/compliance/settlement.ts";
import { AppError } from "../../../core/errors.ts";
import { isMessageKey, type Locale, type MessageKey, translate } from "../../../core/messages/index.ts";
import { actingParty } from "../../../core/offboarding/transitions.ts";
import type { Db } from "../../../db/client.ts";
import { handoverAccountsOf } from "../../../db/connectors.ts";
import { functionsOf } from "../../../db/repositories/directory.ts";
import { setSettlementFacts, settlementReport } from "../../../db/settlements.ts";
import { readJson } from "../body.ts";
import { requestLocale } from "../errors.ts";
import { requireScope } from "../middleware/api-auth.ts";
import { jsonBody } from "../route-meta.ts";
import type { AppEnv } from "../services.ts";

const factsBody = z
  .object({
    mutualProposedBy: z.enum(["employer", "employee"]).optional(),
    renewalDeclinedOnEqualTerms: z.boolean().optional(),
    dismissalArticle: z.enum(["39", "40", "41"]).optional(),
    finalWagesFen: z.number().int().min(0).max(1e12).nullable().optional(),
    note: z.string().max(2000).optional(),
  })
  .strict();

/** Finance and HR (people with those functions) and systems see and enter settlement money. */
async function requireFinanceOrHr(c: Context<AppEnv>) {
  const principal = c.get("auth")?.principal ?? "";
  const actor = actingParty(principal, await functionsOf(c.get("services").database.db, principal));
  if (actor.kind !== "system" && !actor.functions.includes("finance") && !actor.functions.includes("hr")) {
    throw new AppError("forbidden", "Only finance and HR see the settlement.", {
      messageKey: "settlement.finance_or_hr",
    });
  }
  return actor;
}

function caseIdParam(c: Context<AppEnv>): string {
  const id = c.req.param("id") ?? "";
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id))
    throw new AppError("not_found", "", { messageKey: "error.not_found" });
  return id;
}

const figureLabel: Record<Figure["key"], MessageKey> = {
  "final-wages": "settlement.figure.final_wages",
  "unused-leave-pay": "settlement.figure.unused_leave_pay",
  severance: "settlement.figure.severance",
};

function missingText(locale: Locale, input: MissingInput, params: Record<string, string>): string {
  const key = `settlement.missing.${input}`;
  return isMessageKey(key) ? translate(locale, key, params) : input;
}

function presentFigure(figure: Figure, locale: Locale, params: Record<string, string>) {
  return {
    key: figure.key,
    label: translate(locale, figureLabel[figure.key]),
    status: figure.status,
    amountFen: figure.amountFen,
    articles: figure.articles.map((id) => ({ id, name: isMessageKey(id) ? translate(locale, id) : id })),
    missing: figure.missing.map((input) => ({ input, message: missingText(locale, input, params) })),
    ...(figure.details ? { details: figure.details } : {}),
    ...(figure.payableWhen ? { payableWhen: figure.payableWhen } : {}),
  };
}

async function settlementBody(c: Context<AppEnv>, caseId: string) {
  const { db } = c.get("services").database;
  const report = await settlementReport(db, caseId);
  const locale = requestLocale(c);
  const params = { caseId, lastDay: report.statement.terminationDate, employee: report.employeeExternalId };
  return {
    caseId,
    employeeExternalId: report.employeeExternalId,
    separationType: report.separationType,
    caseStatus: report.caseStatus,
    terminationDate: report.statement.terminationDate,
    owedToEmployee: report.statement.owedToEmployee.map((f) => presentFigure(f, locale, params)),
    owedToEmployeeKnownFen: report.statement.owedToEmployeeKnownFen,
    owedByEmployee: {
      ...report.statement.owedByEmployee,
      requestedAt: report.financeRequestedAt,
      answeredAt: report.financeAnsweredAt,
    },
    complete: report.statement.complete,
    severanceFacts: report.severanceFacts,
    finalWagesSource: report.finalWagesSource,
    wageRates: report.wageRates,
    handoverAccounts: await handoverAccountsOf(db, caseId),
  };
}

/** `GET/PUT /api/v1/cases/:id/settlement` (DESIGN §6): the money owed each way at exit, with its articles. */
export function registerSettlementRoutes(app: Hono<AppEnv>): void {
  app.get("/api/v1/cases/:id/settlement", requireScope("cases:read"), async (c) => {
    await requireFinanceOrHr(c);
    return c.json(await settlementBody(c, caseIdParam(c)));
  });

  app.put("/api/v1/cases/:id/settlement", requireScope("cases:write"), jsonBody(factsBody), async (c) => {
    const actor = await requireFinanceOrHr(c);
    const caseId = caseIdParam(c);
    const body = await readJson(c, factsBody);
    const { database, clock } = c.get("services");
    const before = await settlementReport(database.db, caseId);
    if (actor.principal === `employee:${before.employeeExternalId}`) {
      throw new AppError("forbidden", "Nobody acts on the approvals of their own case.", {
        messageKey: "case.own_case",
      });
    }
    const { note, finalWagesFen, ...facts } = body;
    await database.db.transaction((tx) =>
      setSettlementFacts(tx as unknown as Db, {
        caseId,
        facts,
        ...(finalWagesFen === undefined ? {} : { finalWagesFen }),
        actor: actor.principal,
        note: note ?? null,
        now: clock.now(),
      }),
    );
    return c.json(await settlementBody(c, caseId));
  });
}
