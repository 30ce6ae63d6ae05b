import { and, asc, count, desc, eq, ilike, inArray, like, or, type SQL, sql } from "drizzle-orm";
import { dateInTimeZone, type IsoDate } from "../../../core/compliance/dates.ts";
import type { CaseView, StepView } from "../../../core/offboarding/case.ts";
import { activeCaseStatuses, type CaseStatus } from "../../../core/offboarding/transitions.ts";
import type { Db } from "../../../db/client.ts";
import { caseRow, caseView, type StepRow, stepsOf } from "../../../db/offboarding/repository.ts";
import { caseSteps, cases, employees, evidenceEntries } from "../../../db/schema/index.ts";

/** What the console reads: the case list with search, filters and paging, and a case's evidence trail. */

export const statusFilters = ["open", "on-hold", "active", "closed", "withdrawn", "all"] as const;
export type StatusFilter = (typeof statusFilters)[number];

export type CaseListFilter = {
  status: StatusFilter;
  /** A name (any part), an employee id or a case id (their beginning). */
  q?: string | undefined;
  /** Only cases where this step is running. */
  step?: string | undefined;
  /** Only cases with a running step past its due date. */
  overdue: boolean;
  entity?: string | undefined;
};

/** A position in the list, which is ordered by planned last day, then case id. */
export type Cursor = { day: IsoDate; id: string };

const cursorPattern = /^(\d{4}-\d{2}-\d{2})_([0-9a-f-]{36})$/;

export function parseCursor(value: string | undefined): Cursor | undefined {
  const match = value ? cursorPattern.exec(value) : null;
  return match ? { day: match[1] as string, id: match[2] as string } : undefined;
}

export const formatCursor = (cursor: Cursor) => `${cursor.day}_${cursor.id}`;

/** A case as the list shows it. */
export type ListedCase = {
  view: CaseView;
  name: string;
  entityId: string | null;
  /** Today in the case's time zone. */
  today: IsoDate;
  /** The running steps. */
  current: StepView[];
  overdue: boolean;
};

export type CasePage = { cases: ListedCase[]; next?: Cursor; previous?: Cursor };

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** The shortest start of a case id the search matches. */
export const minCaseIdPrefix = 6;

function conditions(filter: CaseListFilter, now: Date): SQL[] {
  const out: SQL[] = [];
  if (filter.status === "active") out.push(inArray(cases.status, [...activeCaseStatuses]));
  else if (filter.status !== "all") out.push(eq(cases.status, filter.status as CaseStatus));
  if (filter.entity) out.push(eq(cases.entityId, filter.entity));
  const q = filter.q?.trim();
  if (q) {
    const text = escapeLike(q);
    out.push(
      or(
        ilike(employees.name, `%${text}%`),
        ilike(employees.externalId, `${text}%`),
        // A case id by its start, from 6 characters: a shorter prefix of a random id is noise
        // ("e2" starts one case id in 256).
        q.length >= minCaseIdPrefix ? like(cases.id, `${escapeLike(q.toLowerCase())}%`) : undefined,
      ) as SQL,
    );
  }
  if (filter.step) {
    out.push(sql`exists (select 1 from ${caseSteps} s where s.case_id = ${cases.id}
      and s.key = ${filter.step} and s.status = 'active')`);
  }
  if (filter.overdue) {
    out.push(sql`exists (select 1 from ${caseSteps} s where s.case_id = ${cases.id} and s.status = 'active'
      and s.due_date < (${now.toISOString()}::timestamptz at time zone ${cases.timeZone})::date)`);
  }
  return out;
}

function listed(
  row: typeof cases.$inferSelect,
  externalId: string,
  name: string,
  steps: readonly StepRow[],
  now: Date,
): ListedCase {
  const view = caseView(row, externalId, steps);
  const today = dateInTimeZone(now, row.timeZone);
  const current = view.steps.filter((s) => s.status === "active");
  return {
    view,
    name,
    entityId: row.entityId,
    today,
    current,
    overdue: current.some((s) => s.dueDate < today),
  };
}

/** One page of the list; `after` and `before` page forwards and back. */
export async function listConsoleCases(
  db: Db,
  filter: CaseListFilter,
  page: { size: number; after?: Cursor | undefined; before?: Cursor | undefined },
  now: Date,
): Promise<CasePage> {
  const where = conditions(filter, now);
  const backwards = page.before !== undefined && page.after === undefined;
  const cursor = page.after ?? page.before;
  if (cursor) {
    where.push(
      backwards
        ? sql`(${cases.plannedLastDay}, ${cases.id}) < (${cursor.day}::date, ${cursor.id})`
        : sql`(${cases.plannedLastDay}, ${cases.id}) > (${cursor.day}::date, ${cursor.id})`,
    );
  }
  const rows = await db
    .select({ row: cases, externalId: employees.externalId, name: employees.name })
    .from(cases)
    .innerJoin(employees, eq(employees.id, cases.employeeId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(
      ...(backwards
        ? [desc(cases.plannedLastDay), desc(cases.id)]
        : [asc(cases.plannedLastDay), asc(cases.id)]),
    )
    .limit(page.size + 1);
  const more = rows.length > page.size;
  const shown = rows.slice(0, page.size);
  if (backwards) shown.reverse();
  const ids = shown.map((r) => r.row.id);
  const steps = ids.length
    ? await db.select().from(caseSteps).where(inArray(caseSteps.caseId, ids)).orderBy(asc(caseSteps.position))
    : [];
  const byCase = new Map<string, StepRow[]>();
  for (const step of steps) byCase.set(step.caseId, [...(byCase.get(step.caseId) ?? []), step]);
  const out = shown.map((r) => listed(r.row, r.externalId, r.name, byCase.get(r.row.id) ?? [], now));
  const first = out[0];
  const last = out.at(-1);
  const at = (c: ListedCase): Cursor => ({ day: c.view.plannedLastDay, id: c.view.id });
  const hasNext = backwards ? true : more;
  const hasPrevious = backwards ? more : cursor !== undefined;
  return {
    cases: out,
    ...(hasNext && last ? { next: at(last) } : {}),
    ...(hasPrevious && first ? { previous: at(first) } : {}),
  };
}

export async function countConsoleCases(db: Db, filter: CaseListFilter, now: Date): Promise<number> {
  const where = conditions(filter, now);
  const [row] = await db
    .select({ n: count() })
    .from(cases)
    .innerJoin(employees, eq(employees.id, cases.employeeId))
    .where(where.length ? and(...where) : undefined);
  return Number(row?.n ?? 0);
}

/** One case with its employee's name, for the case page. */
export async function consoleCase(db: Db, id: string, now: Date): Promise<ListedCase> {
  const row = await caseRow(db, id);
  const [[employee], steps] = await Promise.all([
    db
      .select({ externalId: employees.externalId, name: employees.name })
      .from(employees)
      .where(eq(employees.id, row.employeeId)),
    stepsOf(db, id),
  ]);
  return listed(row, employee?.externalId ?? "unknown", employee?.name ?? "", steps, now);
}

export type TrailEntry = { id: string; at: Date; actor: string; action: string; seq: number | null };

/** The latest evidence entries about a case (newest first) and how many there are in all. */
export async function caseTrail(
  db: Db,
  caseId: string,
  limit: number,
): Promise<{ entries: TrailEntry[]; total: number }> {
  const subject = `case:${caseId}`;
  const [entries, [total]] = await Promise.all([
    db
      .select({
        id: evidenceEntries.id,
        at: evidenceEntries.at,
        actor: evidenceEntries.actor,
        action: evidenceEntries.action,
        seq: evidenceEntries.seq,
      })
      .from(evidenceEntries)
      .where(eq(evidenceEntries.subject, subject))
      .orderBy(desc(evidenceEntries.ingest))
      .limit(limit),
    db.select({ n: count() }).from(evidenceEntries).where(eq(evidenceEntries.subject, subject)),
  ]);
  return { entries, total: Number(total?.n ?? 0) };
}

/** The signed-in person's name and language. */
export async function personOf(
  db: Db,
  principal: string,
): Promise<{ name: string; locale: string } | undefined> {
  if (!principal.startsWith("employee:")) return undefined;
  const [row] = await db
    .select({ name: employees.name, locale: employees.locale })
    .from(employees)
    .where(eq(employees.externalId, principal.slice("employee:".length)));
  return row;
}

/** The names of the people among `principals` (`employee:…`), by principal. */
export async function namesOf(db: Db, principals: Iterable<string>): Promise<Map<string, string>> {
  const ids = [...new Set([...principals].filter((p) => p.startsWith("employee:")).map((p) => p.slice(9)))];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ externalId: employees.externalId, name: employees.name })
    .from(employees)
    .where(inArray(employees.externalId, ids));
  return new Map(rows.map((r) => [`employee:${r.externalId}`, r.name]));
}
