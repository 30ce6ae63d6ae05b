import { addDays, compareDates, type IsoDate } from "../compliance/dates.ts";
import { localTime, workingHours } from "../compliance/local-time.ts";

/** Why a signature was asked for. */
export const requestReasons = ["role", "employee", "hire", "offboarding"] as const;
export type RequestReason = (typeof requestReasons)[number];

export type ReminderKind = "due-soon" | "due-today" | "overdue";

/** The due date of a request made on `requestedOn`: `withinDays` calendar days later (the request day not counted). */
export function dueDateFor(requestedOn: IsoDate, withinDays: number, notAfter?: IsoDate): IsoDate {
  const due = addDays(requestedOn, withinDays);
  return notAfter && compareDates(notAfter, due) < 0 && compareDates(notAfter, requestedOn) >= 0
    ? notAfter
    : due;
}

/**
 * Which reminder an open request gets on `today` (the employee's local date), if any: the day
 * before it is due, on the due day, and every day after. The request itself is the first message,
 * so nothing is sent on the day it was made.
 */
export function reminderFor(
  request: { requestedOn: IsoDate; dueDate: IsoDate },
  today: IsoDate,
): ReminderKind | undefined {
  if (compareDates(today, request.requestedOn) <= 0) return undefined;
  const order = compareDates(today, request.dueDate);
  if (order > 0) return "overdue";
  if (order === 0) return "due-today";
  return addDays(today, 1) === request.dueDate ? "due-soon" : undefined;
}

/** People get reminders in working hours (DESIGN §6): 09:00–19:00 in their time zone. */
export function withinWorkingHours(localHour: number): boolean {
  return localHour >= workingHours.start && localHour < workingHours.end;
}

/** The hour of `at` in `timeZone` (0–23). */
export function localHour(at: Date, timeZone: string): number {
  return localTime(at, timeZone).hour;
}

export function reminderDedupeKey(requestId: string, today: IsoDate): string {
  return `agreement-reminder:${requestId}:${today}`;
}
