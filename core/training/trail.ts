import { type Cell, toCsv } from "./csv.ts";

/**
 * The learning trail: every evidence entry about an employee's training, in order. Entries hold
 * ids, numbers and hashes only, so the export carries no personal data beyond the employee id.
 */
export type TrailEntry = {
  evidenceId: string;
  /** Chain position once the chain writer has sequenced the entry. */
  seq: number | null;
  at: string;
  actor: string;
  action: string;
  data: Record<string, unknown>;
};

const columns = [
  "at",
  "action",
  "actor",
  "courseId",
  "courseVersion",
  "assignmentId",
  "lesson",
  "page",
  "secondsSincePrevious",
  "attemptId",
  "questionId",
  "choices",
  "correct",
  "score",
  "passed",
  "certificateId",
  "validThrough",
  "evidenceId",
  "seq",
] as const;

function cell(value: unknown): Cell {
  if (Array.isArray(value)) return value.join(" ");
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return undefined;
}

export function trailCsv(entries: readonly TrailEntry[]): string {
  return toCsv(
    columns,
    entries.map((e) => [
      e.at,
      e.action,
      e.actor,
      ...columns.slice(3, -2).map((name) => cell(e.data[name])),
      e.evidenceId,
      e.seq,
    ]),
  );
}

/** One line of the HR completion report: a department's numbers for one course. */
export type CompletionRow = {
  department: string;
  courseId: string;
  assigned: number;
  passed: number;
  open: number;
  overdue: number;
  failed: number;
  /** Holders of a certificate that is valid today. */
  certified: number;
};

/** Whole percent of assignments passed, or null when there are none. */
export function completionRate(row: Pick<CompletionRow, "assigned" | "passed">): number | null {
  return row.assigned === 0 ? null : Math.floor((row.passed * 100) / row.assigned);
}

export function completionCsv(rows: readonly CompletionRow[]): string {
  return toCsv(
    [
      "department",
      "courseId",
      "assigned",
      "passed",
      "open",
      "overdue",
      "failed",
      "certified",
      "completionRate",
    ],
    rows.map((r) => [
      r.department,
      r.courseId,
      r.assigned,
      r.passed,
      r.open,
      r.overdue,
      r.failed,
      r.certified,
      completionRate(r),
    ]),
  );
}
