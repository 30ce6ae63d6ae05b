import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import {
  type OwedItem,
  type SettlementStatement,
  settlementStatement,
} from "../core/compliance/settlement.ts";
import type { SeveranceFacts } from "../core/compliance/severance-entitlement.ts";
import { AppError } from "../core/errors.ts";
import type { SeparationType } from "../core/offboarding/separation.ts";
import type { Db } from "./client.ts";
import { enqueueNotification } from "./outbox.ts";
import { wageRateOn } from "./repositories/directory.ts";
import { recordEvidence } from "./repositories/evidence.ts";
import { cases, employees, settlements } from "./schema/index.ts";

type SettlementRow = typeof settlements.$inferSelect;

async function settlementRow(db: Db, caseId: string): Promise<SettlementRow | undefined> {
  const [row] = await db.select().from(settlements).where(eq(settlements.caseId, caseId));
  return row;
}

async function caseOf(db: Db, caseId: string) {
  const [row] = await db
    .select({
      id: cases.id,
      status: cases.status,
      separationType: cases.separationType,
      plannedLastDay: cases.plannedLastDay,
      entityId: cases.entityId,
      employee: {
        externalId: employees.externalId,
        serviceStartDate: employees.serviceStartDate,
        hireDate: employees.hireDate,
        averageMonthlyWageFen: employees.averageMonthlyWageFen,
        annualLeaveDays: employees.annualLeaveDays,
        annualLeaveTakenDays: employees.annualLeaveTakenDays,
      },
    })
    .from(cases)
    .innerJoin(employees, eq(employees.id, cases.employeeId))
    .where(eq(cases.id, caseId));
  if (!row) throw new AppError("not_found", `No case has the id ${caseId}.`);
  return row;
}

/** The case's settlement row, made when first needed. */
async function ensureSettlement(tx: Db, caseId: string, actor: string, now: Date): Promise<void> {
  await tx
    .insert(settlements)
    .values({ caseId, updatedBy: actor, createdAt: now, updatedAt: now })
    .onConflictDoNothing({ target: settlements.caseId });
}

/** Finance's system was asked (the settlement step started with the finance connector on). */
export async function markFinanceRequested(tx: Db, caseId: string, now: Date): Promise<void> {
  await ensureSettlement(tx, caseId, "system:baton", now);
  const row = await settlementRow(tx, caseId);
  if (row?.financeStatus !== "not-requested") return;
  await tx
    .update(settlements)
    .set({ financeStatus: "requested", financeRequestedAt: now, updatedAt: now })
    .where(eq(settlements.caseId, caseId));
}

export type FinanceAnswer = {
  caseId: string;
  status: "outstanding" | "settled";
  items: readonly OwedItem[];
  finalWagesFen?: number | undefined;
  actor: string;
  /** The inbound message's id (a webhook-id), or a request id. */
  reference: string;
  now: Date;
};

/**
 * Finance's answer, in the caller's transaction: the items the employee still owes, or settled;
 * and the final wages when payroll sent them. Outstanding items are shown to finance and HR; a
 * later answer replaces an earlier one (finance's view is the current one), recorded each time.
 */
export async function recordFinanceAnswer(tx: Db, answer: FinanceAnswer): Promise<void> {
  const facts = await caseOf(tx, answer.caseId);
  await ensureSettlement(tx, answer.caseId, answer.actor, answer.now);
  const totalFen = answer.items.reduce((sum, item) => sum + item.amountFen, 0);
  await tx
    .update(settlements)
    .set({
      financeStatus: answer.status,
      financeItems: [...answer.items],
      financeAnsweredAt: answer.now,
      ...(answer.finalWagesFen === undefined
        ? {}
        : { finalWagesFen: answer.finalWagesFen, finalWagesSource: "finance" as const }),
      updatedBy: answer.actor,
      updatedAt: answer.now,
    })
    .where(eq(settlements.caseId, answer.caseId));
  await recordEvidence(tx, {
    at: answer.now,
    actor: answer.actor,
    action: "settlement.finance.answered",
    subject: `case:${answer.caseId}`,
    data: {
      status: answer.status,
      reference: answer.reference,
      items: answer.items.map((i) => ({ id: i.id, kind: i.kind, amountFen: i.amountFen })),
      totalFen,
      finalWagesFen: answer.finalWagesFen ?? null,
    },
  });
  if (answer.status === "outstanding") {
    const data = {
      caseId: answer.caseId,
      employeeExternalId: facts.employee.externalId,
      items: answer.items.length,
      totalFen,
    };
    const entity = facts.entityId ? { entityId: facts.entityId } : {};
    for (const purpose of ["finance", "hr"] as const) {
      await enqueueNotification(
        tx,
        {
          kind: "settlement.outstanding",
          recipient: { type: "channel", purpose, ...entity },
          data,
          dedupeKey: `settlement.outstanding:${answer.caseId}:${purpose}:${answer.reference}`,
        },
        answer.now,
      );
    }
  }
}

export type SettlementFactsInput = {
  caseId: string;
  facts: SeveranceFacts;
  /** Final wages through the last day, entered by finance or HR (null clears). */
  finalWagesFen?: number | null;
  actor: string;
  note?: string | null;
  now: Date;
};

/** HR or finance records the facts that decide severance and the final wages. */
export async function setSettlementFacts(tx: Db, input: SettlementFactsInput): Promise<void> {
  await caseOf(tx, input.caseId);
  await ensureSettlement(tx, input.caseId, input.actor, input.now);
  const row = (await settlementRow(tx, input.caseId)) as SettlementRow;
  const facts: SeveranceFacts = { ...row.severanceFacts, ...input.facts };
  await tx
    .update(settlements)
    .set({
      severanceFacts: facts,
      ...(input.finalWagesFen === undefined
        ? {}
        : {
            finalWagesFen: input.finalWagesFen,
            finalWagesSource: input.finalWagesFen === null ? null : ("entered" as const),
          }),
      updatedBy: input.actor,
      updatedAt: input.now,
    })
    .where(eq(settlements.caseId, input.caseId));
  await recordEvidence(tx, {
    at: input.now,
    actor: input.actor,
    action: "settlement.facts.recorded",
    subject: `case:${input.caseId}`,
    data: {
      facts,
      finalWagesFen: input.finalWagesFen === undefined ? "unchanged" : input.finalWagesFen,
      noteSha256: input.note ? createHash("sha256").update(input.note).digest("hex") : null,
    },
  });
}

export type SettlementReport = {
  caseId: string;
  employeeExternalId: string;
  separationType: SeparationType;
  caseStatus: string;
  severanceFacts: SeveranceFacts;
  financeRequestedAt: string | null;
  financeAnsweredAt: string | null;
  finalWagesSource: "finance" | "entered" | null;
  wageRates: {
    localMinimumMonthly: { amountFen: number; effectiveFrom: string } | null;
    localAverageMonthly: { amountFen: number; effectiveFrom: string } | null;
  };
  statement: SettlementStatement;
};

/**
 * The settlement of a case as of its last day: the figures owed each way, computed from the
 * directory's pay facts, the entity's wage rates in force on the last day and what finance and HR
 * recorded. Inputs nobody entered make the figure `missing`, never an error.
 */
export async function settlementReport(db: Db, caseId: string): Promise<SettlementReport> {
  const facts = await caseOf(db, caseId);
  const row = await settlementRow(db, caseId);
  const day = facts.plannedLastDay;
  const [minimum, average] = facts.entityId
    ? await Promise.all([
        wageRateOn(db, facts.entityId, "minimum_monthly", day),
        wageRateOn(db, facts.entityId, "average_monthly", day),
      ])
    : [undefined, undefined];
  const employee = facts.employee;
  const statement = settlementStatement({
    separationType: facts.separationType,
    severanceFacts: row?.severanceFacts ?? {},
    terminationDate: day,
    serviceStartDate: employee.serviceStartDate ?? employee.hireDate,
    hireDate: employee.hireDate,
    averageMonthlyWageFen: employee.averageMonthlyWageFen,
    annualLeaveDays: employee.annualLeaveDays === null ? null : Number(employee.annualLeaveDays),
    annualLeaveTakenDays:
      employee.annualLeaveTakenDays === null ? null : Number(employee.annualLeaveTakenDays),
    localMinimumMonthlyWageFen: minimum?.amountFen ?? null,
    localAverageMonthlyWageFen: average?.amountFen ?? null,
    finalWagesFen: row?.finalWagesFen ?? null,
    finance: { status: row?.financeStatus ?? "not-requested", items: row?.financeItems ?? [] },
  });
  return {
    caseId,
    employeeExternalId: employee.externalId,
    separationType: facts.separationType,
    caseStatus: facts.status,
    severanceFacts: row?.severanceFacts ?? {},
    financeRequestedAt: row?.financeRequestedAt?.toISOString() ?? null,
    financeAnsweredAt: row?.financeAnsweredAt?.toISOString() ?? null,
    finalWagesSource: row?.finalWagesSource ?? null,
    wageRates: { localMinimumMonthly: minimum ?? null, localAverageMonthly: average ?? null },
    statement,
  };
}
