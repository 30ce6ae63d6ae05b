import { createHash } from "node:crypto";
import { and, asc, eq, gt, inArray, or, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { addDays } from "../../core/compliance/dates.ts";
import { AppError } from "../../core/errors.ts";
import type { CaseView, StepView } from "../../core/offboarding/case.ts";
import { separationArticle } from "../../core/offboarding/separation.ts";
import { activeCaseStatuses, type CaseStatus } from "../../core/offboarding/transitions.ts";
import type { Db } from "../client.ts";
import { caseSteps, cases, employees, entities } from "../schema/index.ts";

export type CaseRow = typeof cases.$inferSelect;
export type StepRow = typeof caseSteps.$inferSelect;

export const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** What the engine needs to know about a person in the directory. */
export type PersonRef = {
  id: string;
  externalId: string;
  principal: string;
  status: "active" | "deactivated" | "left";
  timeZone: string;
  jurisdiction: string;
  entityId: string | null;
  role: string | null;
  managerId: string | null;
  probationEndDate: string | null;
  contractEndDate: string | null;
};

export const personColumns = {
  id: employees.id,
  externalId: employees.externalId,
  status: employees.status,
  timeZone: employees.timeZone,
  jurisdiction: employees.jurisdiction,
  entityId: employees.entityId,
  role: employees.role,
  managerId: employees.managerId,
  probationEndDate: employees.probationEndDate,
  contractEndDate: employees.contractEndDate,
};

export function toPerson(row: Omit<PersonRef, "principal">): PersonRef {
  return { ...row, principal: `employee:${row.externalId}` };
}

export async function personByExternalId(db: Db, externalId: string): Promise<PersonRef | undefined> {
  const [row] = await db.select(personColumns).from(employees).where(eq(employees.externalId, externalId));
  return row ? toPerson(row) : undefined;
}

export async function personById(db: Db, id: string): Promise<PersonRef | undefined> {
  const [row] = await db.select(personColumns).from(employees).where(eq(employees.id, id));
  return row ? toPerson(row) : undefined;
}

export type PersonWithManager = PersonRef & { manager: { principal: string; timeZone: string } | null };

/** People by principal with their active manager, in one query; other principals are left out. */
export async function peopleWithManagers(
  db: Db,
  principals: readonly string[],
): Promise<Map<string, PersonWithManager>> {
  const ids = [...new Set(principals.filter((p) => p.startsWith("employee:")).map((p) => p.slice(9)))];
  if (ids.length === 0) return new Map();
  const managers = alias(employees, "managers");
  const rows = await db
    .select({
      person: personColumns,
      managerExternalId: managers.externalId,
      managerTimeZone: managers.timeZone,
    })
    .from(employees)
    .leftJoin(managers, and(eq(managers.id, employees.managerId), eq(managers.status, "active")))
    .where(inArray(employees.externalId, ids));
  return new Map(
    rows.map((r) => [
      `employee:${r.person.externalId}`,
      {
        ...toPerson(r.person),
        manager:
          r.managerExternalId && r.managerTimeZone
            ? { principal: `employee:${r.managerExternalId}`, timeZone: r.managerTimeZone }
            : null,
      },
    ]),
  );
}

export async function calendarRegionOf(db: Db, entityId: string | null): Promise<string> {
  if (!entityId) return "CN";
  const [row] = await db
    .select({ region: entities.calendarRegion })
    .from(entities)
    .where(eq(entities.id, entityId));
  return row?.region ?? "CN";
}

/** The running (open or on-hold) case of an employee, by the employee's row id. */
export async function activeCaseIdOf(db: Db, employeeId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: cases.id })
    .from(cases)
    .where(and(eq(cases.employeeId, employeeId), inArray(cases.status, [...activeCaseStatuses])));
  return row?.id;
}

export function caseNotFound(id: string): AppError {
  return new AppError("not_found", `There is no case ${id}.`, {
    messageKey: "case.not_found",
    params: { id },
  });
}

/** The case row, locked for this transaction when `lock` (one writer per case at a time). */
export async function caseRow(db: Db, id: string, options: { lock?: boolean } = {}): Promise<CaseRow> {
  const query = db.select().from(cases).where(eq(cases.id, id));
  const [row] = options.lock ? await query.for("update") : await query;
  if (!row) throw caseNotFound(id);
  return row;
}

/** The case row and its employee in one query, the case row locked when `lock`. */
export async function caseWithEmployee(
  db: Db,
  id: string,
  options: { lock?: boolean } = {},
): Promise<{ row: CaseRow; employee: PersonRef }> {
  const query = db
    .select({ row: cases, employee: personColumns })
    .from(cases)
    .innerJoin(employees, eq(employees.id, cases.employeeId))
    .where(eq(cases.id, id));
  const [found] = options.lock ? await query.for("update", { of: cases }) : await query;
  if (!found) throw caseNotFound(id);
  return { row: found.row, employee: toPerson(found.employee) };
}

export async function stepsOf(db: Db, caseId: string): Promise<StepRow[]> {
  return db.select().from(caseSteps).where(eq(caseSteps.caseId, caseId)).orderBy(asc(caseSteps.position));
}

export async function updateCase(
  tx: Db,
  row: Pick<CaseRow, "id" | "version">,
  set: Partial<typeof cases.$inferInsert>,
  now: Date,
): Promise<void> {
  await tx
    .update(cases)
    .set({ ...set, version: row.version + 1, updatedAt: now })
    .where(eq(cases.id, row.id));
}

function stepView(step: StepRow): StepView {
  const data = step.data;
  const checklist = data.checklist as Record<string, boolean> | undefined;
  const receiverConfirmedAt = data.receiverConfirmedAt as string | undefined;
  return {
    key: step.key,
    ownerRole: step.ownerRole,
    owner: step.owner,
    receiver: step.receiver,
    delegates: step.delegates,
    status: step.status,
    startDate: step.startDate ?? step.dueDate,
    projected: step.status === "pending",
    startedAt: step.startedAt?.toISOString() ?? null,
    dueDate: step.dueDate,
    ...(step.dueDateExtended ? { dueDateExtended: step.dueDateExtended } : {}),
    dueOverridden: step.dueOverride !== null,
    completedAt: step.completedAt?.toISOString() ?? null,
    completedBy: step.completedBy,
    outcome: step.outcome,
    ...(checklist ? { checklist } : {}),
    ...(receiverConfirmedAt ? { receiverConfirmedAt } : {}),
  };
}

export function caseView(row: CaseRow, employeeExternalId: string, steps: readonly StepRow[]): CaseView {
  const transferDue = addDays(row.plannedLastDay, 15);
  const transfer = steps.find((s) => s.ownerRole === "hr" && s.dueDateExtended !== null);
  return {
    id: row.id,
    employeeExternalId,
    separationType: row.separationType,
    article: separationArticle[row.separationType],
    template: { id: row.templateId, version: row.templateVersion },
    probation: row.probation,
    noticeDate: row.noticeDate,
    noticeReceivedAt: row.noticeReceivedAt.toISOString(),
    noticeChannel: row.noticeChannel,
    legalLastDay: row.legalLastDay,
    requestedLastDay: row.requestedLastDay,
    agreedLastDay: row.agreedLastDay,
    plannedLastDay: row.plannedLastDay,
    earlierDayNeedsAgreement:
      row.agreedLastDay === null &&
      row.legalLastDay !== null &&
      row.requestedLastDay !== null &&
      row.requestedLastDay < row.legalLastDay,
    certificateDue: row.plannedLastDay,
    transferDue,
    transferDueExtended: transfer?.dueDateExtended ?? transferDue,
    status: row.status,
    openedAt: row.createdAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    exceptionsRecordedAt: row.exceptionsRecordedAt?.toISOString() ?? null,
    steps: steps.map(stepView),
  };
}

/** A case as the API shows it: the case with its employee's id and its steps, in one round trip. */
export async function loadCaseView(db: Db, id: string): Promise<CaseView> {
  const [[found], steps] = await Promise.all([
    db
      .select({ row: cases, externalId: employees.externalId })
      .from(cases)
      .innerJoin(employees, eq(employees.id, cases.employeeId))
      .where(eq(cases.id, id)),
    stepsOf(db, id),
  ]);
  if (!found) throw caseNotFound(id);
  return caseView(found.row, found.externalId, steps);
}

export type CaseFilter = {
  status?: CaseStatus | "active";
  employeeExternalId?: string;
  /** Only cases this principal is the leaver of or a party to (owner, receiver, delegate). */
  involving?: string;
  limit: number;
  after?: string;
};

/** A page of cases in id order, with their steps. */
export async function listCaseViews(db: Db, filter: CaseFilter): Promise<CaseView[]> {
  const conditions: SQL[] = [];
  if (filter.status === "active") conditions.push(inArray(cases.status, [...activeCaseStatuses]));
  else if (filter.status) conditions.push(eq(cases.status, filter.status));
  if (filter.employeeExternalId) conditions.push(eq(employees.externalId, filter.employeeExternalId));
  if (filter.after) conditions.push(gt(cases.id, filter.after));
  if (filter.involving) {
    const who = filter.involving;
    conditions.push(
      or(
        eq(sql`'employee:' || ${employees.externalId}`, who),
        sql`exists (select 1 from ${caseSteps} s where s.case_id = ${cases.id}
          and (s.owner = ${who} or s.receiver = ${who} or s.delegates @> jsonb_build_array(${who}::text)))`,
      ) as SQL,
    );
  }
  const rows = await db
    .select({ row: cases, externalId: employees.externalId })
    .from(cases)
    .innerJoin(employees, eq(employees.id, cases.employeeId))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(cases.id))
    .limit(filter.limit);
  const ids = rows.map((r) => r.row.id);
  const steps = ids.length
    ? await db.select().from(caseSteps).where(inArray(caseSteps.caseId, ids)).orderBy(asc(caseSteps.position))
    : [];
  const byCase = new Map<string, StepRow[]>();
  for (const step of steps) byCase.set(step.caseId, [...(byCase.get(step.caseId) ?? []), step]);
  return rows.map((r) => caseView(r.row, r.externalId, byCase.get(r.row.id) ?? []));
}
