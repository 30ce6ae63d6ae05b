import { createHash, randomUUID } from "node:crypto";
import { and, asc, eq, isNull } from "drizzle-orm";
import { addDays, dateInTimeZone, type IsoDate } from "../core/compliance/dates.ts";
import type { NonCompeteCategory } from "../core/compliance/lint/terms.ts";
import { defaultNonCompeteMonthlyPay } from "../core/compliance/non-compete.ts";
import {
  type EnforcementProblem,
  employeeMayEnd,
  type PeriodStanding,
  periodStandings,
  planEnforcement,
  rescissionCompensationFen,
  restrictionPeriods,
} from "../core/compliance/non-compete-term.ts";
import { AppError } from "../core/errors.ts";
import type { Recipient } from "../core/notifications/notification.ts";
import type { Db } from "./client.ts";
import { enqueueNotification } from "./outbox.ts";
import { wageRateOn } from "./repositories/directory.ts";
import { recordEvidence } from "./repositories/evidence.ts";
import {
  cases,
  employeeNonCompeteCategories,
  employees,
  type NonCompeteStatus,
  nonCompetePayments,
  nonCompetes,
} from "./schema/index.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const yuan = (fen: number) => (fen / 100).toFixed(2);

type NonCompeteRow = typeof nonCompetes.$inferSelect;

function rule(messageKey: string, message: string, params: Record<string, string | number> = {}): AppError {
  return new AppError("unprocessable", message, { messageKey, params });
}

async function employeeByExternalId(db: Db, externalId: string) {
  const [row] = await db.select().from(employees).where(eq(employees.externalId, externalId));
  if (!row) throw new AppError("not_found", `No employee has the id ${externalId}.`);
  return row;
}

/* ------------------------------------------------------------------ position category (Art. 24) */

export type CategoryView = {
  employeeExternalId: string;
  category: NonCompeteCategory | null;
  basis: string | null;
  recordedBy: string | null;
  recordedAt: string | null;
};

export async function nonCompeteCategoryOf(db: Db, externalId: string): Promise<CategoryView> {
  const employee = await employeeByExternalId(db, externalId);
  const [row] = await db
    .select()
    .from(employeeNonCompeteCategories)
    .where(eq(employeeNonCompeteCategories.employeeId, employee.id));
  return {
    employeeExternalId: externalId,
    category: row?.category ?? null,
    basis: row?.basis ?? null,
    recordedBy: row?.recordedBy ?? null,
    recordedAt: row?.recordedAt.toISOString() ?? null,
  };
}

/** HR records (or clears, with null) which Art. 24 category the employee's position is in. */
export async function setNonCompeteCategory(
  tx: Db,
  input: {
    externalId: string;
    category: NonCompeteCategory | null;
    basis: string | null;
    actor: string;
    at: Date;
  },
): Promise<CategoryView> {
  const employee = await employeeByExternalId(tx, input.externalId);
  if (input.category === null) {
    await tx
      .delete(employeeNonCompeteCategories)
      .where(eq(employeeNonCompeteCategories.employeeId, employee.id));
  } else {
    const values = {
      category: input.category,
      basis: input.basis,
      recordedBy: input.actor,
      recordedAt: input.at,
    };
    await tx
      .insert(employeeNonCompeteCategories)
      .values({ employeeId: employee.id, ...values })
      .onConflictDoUpdate({ target: employeeNonCompeteCategories.employeeId, set: values });
  }
  await recordEvidence(tx, {
    at: input.at,
    actor: input.actor,
    action: "employee.non-compete-category.recorded",
    subject: `employee:${input.externalId}`,
    data: { category: input.category, basisSha256: input.basis ? sha256(input.basis) : null },
  });
  return nonCompeteCategoryOf(tx, input.externalId);
}

/* ------------------------------------------------------------------ the decision at exit */

type CaseFacts = {
  id: string;
  status: string;
  plannedLastDay: string;
  timeZone: string;
  entityId: string | null;
  employeeId: string;
  employeeExternalId: string;
  averageMonthlyWageFen: number | null;
};

async function caseFacts(db: Db, caseId: string): Promise<CaseFacts> {
  const [row] = await db
    .select({
      id: cases.id,
      status: cases.status,
      plannedLastDay: cases.plannedLastDay,
      timeZone: cases.timeZone,
      entityId: cases.entityId,
      employeeId: cases.employeeId,
      employeeExternalId: employees.externalId,
      averageMonthlyWageFen: employees.averageMonthlyWageFen,
    })
    .from(cases)
    .innerJoin(employees, eq(employees.id, cases.employeeId))
    .where(eq(cases.id, caseId));
  if (!row) throw new AppError("not_found", `No case has the id ${caseId}.`);
  return row;
}

/** The leaver's external id, for the "not on your own case" rule. */
export async function leaverOfCase(db: Db, caseId: string): Promise<string> {
  return (await caseFacts(db, caseId)).employeeExternalId;
}

export type DecisionInput =
  | {
      decision: "enforce";
      months: number;
      monthlyPayFen?: number;
      startDate?: IsoDate;
      reason?: string | null;
    }
  | { decision: "waive"; reason?: string | null };

/** The SPC-I Art. 36 default for the case, or the inputs still to enter. */
async function defaultPayOf(db: Db, facts: CaseFacts) {
  const minimum = facts.entityId
    ? await wageRateOn(db, facts.entityId, "minimum_monthly", facts.plannedLastDay)
    : undefined;
  const missing: string[] = [];
  if (facts.averageMonthlyWageFen === null) missing.push("averageMonthlyWageFen");
  if (!minimum) missing.push("localMinimumMonthlyWage");
  if (facts.averageMonthlyWageFen === null || !minimum) return { missing };
  return {
    missing,
    result: defaultNonCompeteMonthlyPay({
      averageMonthlyWageFen: facts.averageMonthlyWageFen,
      localMinimumMonthlyWageFen: minimum.amountFen,
    }),
  };
}

function sameDecision(
  row: NonCompeteRow,
  input: DecisionInput,
  defaultFen: number | null,
  lastDay: IsoDate,
): boolean {
  if (row.decision !== input.decision) return false;
  if (input.decision === "waive") return true;
  const start = input.startDate ?? addDays(lastDay, 1);
  return (
    row.months === input.months &&
    row.monthlyPayFen === (input.monthlyPayFen ?? defaultFen) &&
    row.startDate === start
  );
}

/**
 * HR's decision at exit (DESIGN §6 "Non-compete"): enforce — only for staff in an Art. 24
 * category, at most 24 months after the last day, paying at least the SPC-I Art. 36 default — or
 * waive. One decision per case; the same one again changes nothing. Evidence and notifications to
 * finance and the employee are written in the caller's transaction.
 */
export async function decideNonCompete(
  tx: Db,
  input: { caseId: string; actor: string; at: Date } & { decision: DecisionInput },
): Promise<{ view: NonCompeteView; created: boolean }> {
  const facts = await caseFacts(tx, input.caseId);
  if (facts.status === "withdrawn") {
    throw rule("non_compete.case_withdrawn", "The case was withdrawn; there is no exit to decide on.");
  }
  const decision = input.decision;
  const [existing] = await tx.select().from(nonCompetes).where(eq(nonCompetes.caseId, input.caseId));

  let category: NonCompeteCategory | null = null;
  let plan: { months: number; monthlyPayFen: number; startDate: string; endDate: string } | null = null;
  let defaultFen: number | null = null;
  if (decision.decision === "enforce") {
    const [recorded] = await tx
      .select()
      .from(employeeNonCompeteCategories)
      .where(eq(employeeNonCompeteCategories.employeeId, facts.employeeId));
    if (!recorded) {
      throw rule(
        "non_compete.category_required",
        "Record the employee's position category first: only senior managers, senior technical staff and other staff with a confidentiality duty may be bound (LCL Art. 24).",
        { employee: facts.employeeExternalId },
      );
    }
    category = recorded.category;
    const pay = await defaultPayOf(tx, facts);
    if (!pay.result) {
      throw new AppError("unprocessable", `Enter first: ${pay.missing.join(", ")}.`, {
        messageKey: "non_compete.inputs_missing",
        params: { fields: pay.missing.join(", ") },
        details: pay.missing.map((field) => ({ field, message: "needed for the SPC-I Art. 36 default" })),
      });
    }
    defaultFen = pay.result.amountFen;
    if (existing && sameDecision(existing, decision, defaultFen, facts.plannedLastDay))
      return { view: await viewOf(tx, existing, input.at), created: false };
    const planned = planEnforcement(
      {
        months: decision.months,
        ...(decision.monthlyPayFen === undefined ? {} : { monthlyPayFen: decision.monthlyPayFen }),
        ...(decision.startDate === undefined ? {} : { startDate: decision.startDate }),
      },
      { lastDay: facts.plannedLastDay, defaultMonthlyPayFen: defaultFen },
    );
    if ("problem" in planned) throw enforcementError(planned.problem);
    plan = planned.plan;
  } else if (existing && sameDecision(existing, decision, null, facts.plannedLastDay)) {
    return { view: await viewOf(tx, existing, input.at), created: false };
  }
  if (existing) {
    throw new AppError("conflict", "A decision on this non-compete is already recorded.", {
      messageKey: "non_compete.already_decided",
      params: { decision: existing.decision },
    });
  }

  const id = randomUUID();
  const row: typeof nonCompetes.$inferInsert = {
    id,
    caseId: facts.id,
    employeeId: facts.employeeId,
    decision: decision.decision,
    status: decision.decision === "enforce" ? "active" : "waived",
    category,
    months: plan?.months ?? null,
    monthlyPayFen: plan?.monthlyPayFen ?? null,
    defaultMonthlyPayFen: defaultFen,
    startDate: plan?.startDate ?? null,
    endDate: plan?.endDate ?? null,
    timeZone: facts.timeZone,
    decidedBy: input.actor,
    decidedAt: input.at,
    reasonSha256: decision.reason ? sha256(decision.reason) : null,
    createdAt: input.at,
    updatedAt: input.at,
  };
  await tx.insert(nonCompetes).values(row);
  await recordEvidence(tx, {
    at: input.at,
    actor: input.actor,
    action: decision.decision === "enforce" ? "non-compete.enforced" : "non-compete.waived",
    subject: `case:${facts.id}`,
    data: {
      nonCompeteId: id,
      category,
      months: plan?.months ?? null,
      monthlyPayFen: plan?.monthlyPayFen ?? null,
      defaultMonthlyPayFen: defaultFen,
      startDate: plan?.startDate ?? null,
      endDate: plan?.endDate ?? null,
      reasonSha256: row.reasonSha256,
    },
  });
  const data = {
    nonCompeteId: id,
    caseId: facts.id,
    employeeExternalId: facts.employeeExternalId,
    decision: decision.decision,
    ...(plan ?? {}),
  };
  await enqueueNotification(
    tx,
    {
      kind: `non-compete.${decision.decision === "enforce" ? "enforced" : "waived"}`,
      recipient: { type: "person", principal: `employee:${facts.employeeExternalId}` },
      data,
      dedupeKey: `non-compete:${id}:decided:employee`,
    },
    input.at,
  );
  if (plan) {
    await enqueueNotification(
      tx,
      {
        kind: "non-compete.enforced",
        recipient: financeChannel(facts.entityId),
        data,
        dedupeKey: `non-compete:${id}:decided:finance`,
      },
      input.at,
    );
  }
  const [inserted] = await tx.select().from(nonCompetes).where(eq(nonCompetes.id, id));
  return { view: await viewOf(tx, inserted as NonCompeteRow, input.at), created: true };
}

function enforcementError(problem: EnforcementProblem): AppError {
  switch (problem.problem) {
    case "too_long":
      return rule(
        "non_compete.too_long",
        "A non-compete after exit may last at most 24 months (LCL Art. 24).",
        {
          months: problem.months,
        },
      );
    case "start_before_exit":
      return rule(
        "non_compete.start_before_exit",
        "The restriction starts after the last day of employment.",
        {
          startDate: problem.startDate,
          lastDay: problem.lastDay,
        },
      );
    case "end_too_late":
      return rule(
        "non_compete.end_too_late",
        "The restriction would end more than 24 months after the last day.",
        {
          endDate: problem.endDate,
          latest: problem.latest,
        },
      );
    case "pay_below_default":
      return rule("non_compete.pay_below_default", "The monthly pay is below the SPC-I Art. 36 default.", {
        amount: yuan(problem.monthlyPayFen),
        default: yuan(problem.defaultFen),
      });
  }
}

function financeChannel(entityId: string | null): Recipient {
  return entityId
    ? { type: "channel", purpose: "finance", entityId }
    : { type: "channel", purpose: "finance" };
}

function hrChannel(entityId: string | null): Recipient {
  return entityId ? { type: "channel", purpose: "hr", entityId } : { type: "channel", purpose: "hr" };
}

/* ------------------------------------------------------------------ reading */

export type NonCompeteView = {
  id: string;
  caseId: string;
  employeeExternalId: string;
  decision: "enforce" | "waive";
  status: NonCompeteStatus;
  category: NonCompeteCategory | null;
  months: number | null;
  monthlyPayFen: number | null;
  defaultMonthlyPayFen: number | null;
  startDate: string | null;
  endDate: string | null;
  /** Each month of the restriction with what finance confirmed and where it stands today. */
  periods: (PeriodStanding & { confirmedAt: string | null })[];
  unpaidMonths: number;
  /** SPC-I Art. 38: three months unpaid — the employee may end it. */
  employeeMayEnd: boolean;
  employeeMayEndSince: string | null;
  endedOn: string | null;
  endedBy: string | null;
  /** SPC-I Art. 39: three months' extra pay owed after the employer ended it during the term. */
  extraCompensationFen: number | null;
  decidedBy: string;
  decidedAt: string;
  articles: string[];
};

async function viewOf(db: Db, row: NonCompeteRow, now: Date): Promise<NonCompeteView> {
  const [employee] = await db
    .select({ externalId: employees.externalId })
    .from(employees)
    .where(eq(employees.id, row.employeeId));
  const payments = await db
    .select()
    .from(nonCompetePayments)
    .where(eq(nonCompetePayments.nonCompeteId, row.id))
    .orderBy(asc(nonCompetePayments.month));
  const standings = standingsOf(row, payments, now);
  const confirmed = new Map(payments.map((p) => [p.month, p.confirmedAt.toISOString()]));
  const unpaid = standings.filter((s) => s.status === "overdue").length;
  return {
    id: row.id,
    caseId: row.caseId,
    employeeExternalId: employee?.externalId ?? "",
    decision: row.decision,
    status: row.status,
    category: row.category,
    months: row.months,
    monthlyPayFen: row.monthlyPayFen,
    defaultMonthlyPayFen: row.defaultMonthlyPayFen,
    startDate: row.startDate,
    endDate: row.endDate,
    periods: standings.map((s) => ({ ...s, confirmedAt: confirmed.get(s.month) ?? null })),
    unpaidMonths: unpaid,
    employeeMayEnd: row.status === "active" && employeeMayEnd(standings),
    employeeMayEndSince: row.employeeMayEndSince?.toISOString() ?? null,
    endedOn: row.endedOn,
    endedBy: row.endedBy,
    extraCompensationFen: row.extraCompensationFen,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt.toISOString(),
    articles:
      row.decision === "waive"
        ? ["LCL Art. 23"]
        : ["LCL Arts. 23–24", "SPC Interpretation I Arts. 36–39", "Civil Code Art. 202"],
  };
}

function standingsOf(
  row: NonCompeteRow,
  payments: readonly { month: string; amountFen: number }[],
  now: Date,
): PeriodStanding[] {
  if (row.decision !== "enforce" || !row.startDate || !row.months || row.monthlyPayFen === null) return [];
  return periodStandings({
    periods: restrictionPeriods(row.startDate, row.months),
    monthlyPayFen: row.monthlyPayFen,
    paidByMonth: new Map(payments.map((p) => [p.month, p.amountFen])),
    today: dateInTimeZone(now, row.timeZone),
    endedOn: row.endedOn,
  });
}

export async function getNonCompete(db: Db, id: string, now: Date): Promise<NonCompeteView> {
  const [row] = await db.select().from(nonCompetes).where(eq(nonCompetes.id, id));
  if (!row) throw new AppError("not_found", `No non-compete has the id ${id}.`);
  return viewOf(db, row, now);
}

export async function nonCompeteOfCase(
  db: Db,
  caseId: string,
  now: Date,
): Promise<NonCompeteView | undefined> {
  const [row] = await db.select().from(nonCompetes).where(eq(nonCompetes.caseId, caseId));
  return row ? viewOf(db, row, now) : undefined;
}

/** Who the non-compete is about and where its alerts go. */
export async function nonCompeteParties(db: Db, id: string) {
  const [row] = await db
    .select({
      caseId: nonCompetes.caseId,
      employeeExternalId: employees.externalId,
      entityId: cases.entityId,
    })
    .from(nonCompetes)
    .innerJoin(cases, eq(cases.id, nonCompetes.caseId))
    .innerJoin(employees, eq(employees.id, nonCompetes.employeeId))
    .where(eq(nonCompetes.id, id));
  if (!row) throw new AppError("not_found", `No non-compete has the id ${id}.`);
  return row;
}

/* ------------------------------------------------------------------ payments */

/**
 * Finance confirms one month's compensation. One confirmation per month: the same amount again
 * is a harmless repeat, another amount a conflict.
 */
export async function confirmPayment(
  tx: Db,
  input: { id: string; month: string; amountFen: number; actor: string; at: Date },
): Promise<{ view: NonCompeteView; created: boolean }> {
  const [row] = await tx.select().from(nonCompetes).where(eq(nonCompetes.id, input.id)).for("update");
  if (!row) throw new AppError("not_found", `No non-compete has the id ${input.id}.`);
  if (row.decision !== "enforce" || !row.startDate || !row.months) {
    throw rule("non_compete.not_enforced", "This non-compete was waived; nothing is paid.");
  }
  const periods = restrictionPeriods(row.startDate, row.months).filter(
    (p) => !row.endedOn || p.from <= (row.endedOn as string),
  );
  if (!periods.some((p) => p.month === input.month)) {
    throw rule("non_compete.unknown_month", `${input.month} is not a month of this non-compete.`, {
      month: input.month,
      first: periods[0]?.month ?? "",
      last: periods.at(-1)?.month ?? "",
    });
  }
  const [previous] = await tx
    .select()
    .from(nonCompetePayments)
    .where(and(eq(nonCompetePayments.nonCompeteId, row.id), eq(nonCompetePayments.month, input.month)));
  if (previous) {
    if (previous.amountFen === input.amountFen)
      return { view: await viewOf(tx, row, input.at), created: false };
    throw new AppError("conflict", `The payment for ${input.month} was already confirmed.`, {
      messageKey: "non_compete.payment_conflict",
      params: { month: input.month, amount: yuan(previous.amountFen) },
    });
  }
  const evidenceId = await recordEvidence(tx, {
    at: input.at,
    actor: input.actor,
    action: "non-compete.payment.confirmed",
    subject: `case:${row.caseId}`,
    data: {
      nonCompeteId: row.id,
      month: input.month,
      amountFen: input.amountFen,
      monthlyPayFen: row.monthlyPayFen,
      short: input.amountFen < (row.monthlyPayFen ?? 0),
    },
  });
  await tx.insert(nonCompetePayments).values({
    nonCompeteId: row.id,
    month: input.month,
    amountFen: input.amountFen,
    confirmedBy: input.actor,
    confirmedAt: input.at,
    evidenceId,
  });
  return { view: await viewOf(tx, row, input.at), created: true };
}

/* ------------------------------------------------------------------ ending early */

/**
 * Ends an enforced non-compete before its end date: by the employer during the term, owing three
 * more months' pay (SPC-I Art. 39); or by the employee, only once three months went unpaid
 * (SPC-I Art. 38). HR records either, with a reason.
 */
export async function endNonCompete(
  tx: Db,
  input: { id: string; by: "employer" | "employee"; on: IsoDate; reason: string; actor: string; at: Date },
): Promise<NonCompeteView> {
  const [row] = await tx.select().from(nonCompetes).where(eq(nonCompetes.id, input.id)).for("update");
  if (!row) throw new AppError("not_found", `No non-compete has the id ${input.id}.`);
  if (row.status !== "active" || !row.startDate || !row.endDate || row.monthlyPayFen === null) {
    throw new AppError("conflict", `This non-compete is ${row.status}.`, {
      messageKey: "non_compete.not_active",
      params: { status: row.status },
    });
  }
  if (input.on < row.startDate || input.on > row.endDate) {
    throw rule("non_compete.end_date_outside", `${input.on} is outside the restriction.`, {
      date: input.on,
      startDate: row.startDate,
      endDate: row.endDate,
    });
  }
  let extra: number | null = null;
  if (input.by === "employee") {
    const payments = await tx
      .select()
      .from(nonCompetePayments)
      .where(eq(nonCompetePayments.nonCompeteId, row.id));
    const standings = standingsOf(row, payments, input.at);
    if (!employeeMayEnd(standings)) {
      throw rule(
        "non_compete.employee_may_not_end",
        "Three months must have gone unpaid first (SPC-I Art. 38).",
        {
          unpaid: standings.filter((s) => s.status === "overdue").length,
        },
      );
    }
  } else {
    extra = rescissionCompensationFen(row.monthlyPayFen);
  }
  const status: NonCompeteStatus = input.by === "employer" ? "ended-by-employer" : "ended-by-employee";
  await tx
    .update(nonCompetes)
    .set({
      status,
      endedOn: input.on,
      endedBy: input.actor,
      extraCompensationFen: extra,
      updatedAt: input.at,
    })
    .where(eq(nonCompetes.id, row.id));
  await recordEvidence(tx, {
    at: input.at,
    actor: input.actor,
    action: input.by === "employer" ? "non-compete.rescinded-by-employer" : "non-compete.ended-by-employee",
    subject: `case:${row.caseId}`,
    data: {
      nonCompeteId: row.id,
      endedOn: input.on,
      extraCompensationFen: extra,
      article: input.by === "employer" ? "SPC-I Art. 39" : "SPC-I Art. 38",
      reasonSha256: sha256(input.reason),
    },
  });
  const parties = await nonCompeteParties(tx, row.id);
  const data = {
    nonCompeteId: row.id,
    caseId: row.caseId,
    employeeExternalId: parties.employeeExternalId,
    endedOn: input.on,
    by: input.by,
    extraCompensationFen: extra,
  };
  await enqueueNotification(
    tx,
    {
      kind: "non-compete.ended",
      recipient: { type: "person", principal: `employee:${parties.employeeExternalId}` },
      data,
      dedupeKey: `non-compete:${row.id}:ended:employee`,
    },
    input.at,
  );
  await enqueueNotification(
    tx,
    {
      kind: "non-compete.ended",
      recipient: financeChannel(parties.entityId),
      data,
      dedupeKey: `non-compete:${row.id}:ended:finance`,
    },
    input.at,
  );
  const [updated] = await tx.select().from(nonCompetes).where(eq(nonCompetes.id, row.id));
  return viewOf(tx, updated as NonCompeteRow, input.at);
}

/* ------------------------------------------------------------------ the monthly tick */

export type NonCompeteTickReport = { reminded: number; flagged: number; completed: number };

/**
 * Every active non-compete, each tick: remind finance once per month when a month's pay falls due;
 * when three months are unpaid, flag it once and tell HR and the employee (SPC-I Art. 38); after
 * the end date, mark it completed. Safe on several instances: reminders dedupe, and the flag and
 * completion are conditional updates whose evidence is written only by the instance that won.
 */
export async function runNonCompeteTick(db: Db, now: Date): Promise<NonCompeteTickReport> {
  const report: NonCompeteTickReport = { reminded: 0, flagged: 0, completed: 0 };
  const active = await db.select().from(nonCompetes).where(eq(nonCompetes.status, "active"));
  for (const row of active) {
    await db.transaction(async (transaction) => {
      const tx = transaction as unknown as Db;
      const payments = await tx
        .select()
        .from(nonCompetePayments)
        .where(eq(nonCompetePayments.nonCompeteId, row.id));
      const standings = standingsOf(row, payments, now);
      const parties = await nonCompeteParties(tx, row.id);
      for (const period of standings.filter((s) => s.status === "due" || s.status === "overdue")) {
        const enqueued = await enqueueNotification(
          tx,
          {
            kind: "non-compete.payment-due",
            recipient: financeChannel(parties.entityId),
            data: {
              nonCompeteId: row.id,
              caseId: row.caseId,
              employeeExternalId: parties.employeeExternalId,
              month: period.month,
              periodFrom: period.from,
              periodTo: period.to,
              amountFen: row.monthlyPayFen,
              paidFen: period.paidFen,
            },
            dedupeKey: `non-compete:${row.id}:payment:${period.month}`,
          },
          now,
        );
        if (enqueued) report.reminded += 1;
      }
      if (!row.employeeMayEndSince && employeeMayEnd(standings)) {
        const flagged = await tx
          .update(nonCompetes)
          .set({ employeeMayEndSince: now, updatedAt: now })
          .where(and(eq(nonCompetes.id, row.id), isNull(nonCompetes.employeeMayEndSince)))
          .returning({ id: nonCompetes.id });
        if (flagged.length > 0) {
          report.flagged += 1;
          const unpaid = standings.filter((s) => s.status === "overdue").map((s) => s.month);
          await recordEvidence(tx, {
            at: now,
            actor: "system:baton",
            action: "non-compete.unpaid-three-months",
            subject: `case:${row.caseId}`,
            data: { nonCompeteId: row.id, unpaidMonths: unpaid, article: "SPC-I Art. 38" },
          });
          const data = {
            nonCompeteId: row.id,
            caseId: row.caseId,
            employeeExternalId: parties.employeeExternalId,
            unpaidMonths: unpaid,
          };
          for (const [recipient, who] of [
            [hrChannel(parties.entityId), "hr"],
            [
              { type: "person", principal: `employee:${parties.employeeExternalId}` } as Recipient,
              "employee",
            ],
          ] as const) {
            await enqueueNotification(
              tx,
              {
                kind: "non-compete.unpaid",
                recipient,
                data,
                urgency: "legal",
                dedupeKey: `non-compete:${row.id}:unpaid:${who}`,
              },
              now,
            );
          }
        }
      }
      const today = dateInTimeZone(now, row.timeZone);
      if (row.endDate && today > row.endDate) {
        const done = await tx
          .update(nonCompetes)
          .set({ status: "completed", updatedAt: now })
          .where(and(eq(nonCompetes.id, row.id), eq(nonCompetes.status, "active")))
          .returning({ id: nonCompetes.id });
        if (done.length > 0) {
          report.completed += 1;
          await recordEvidence(tx, {
            at: now,
            actor: "system:baton",
            action: "non-compete.completed",
            subject: `case:${row.caseId}`,
            data: { nonCompeteId: row.id, endDate: row.endDate },
          });
        }
      }
    });
  }
  return report;
}
