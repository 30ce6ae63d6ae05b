import { addDays, type IsoDate } from "../compliance/dates.ts";

export type TrainingReminderKind = "due-tomorrow" | "due-today" | "overdue";

/**
 * Which reminder an open assignment due on `dueDate` gets on `today` (in the employee's time
 * zone): the day before, on the day, and every day after it while it stays open. The tick job
 * enqueues at most one per assignment and day.
 */
export function trainingReminderKind(dueDate: IsoDate, today: IsoDate): TrainingReminderKind | undefined {
  if (today === addDays(dueDate, -1)) return "due-tomorrow";
  if (today === dueDate) return "due-today";
  if (today > dueDate) return "overdue";
  return undefined;
}
