import type { BusinessCalendar } from "../compliance/calendar.ts";
import { formatIsoDate, type IsoDate, parseIsoDate } from "../compliance/dates.ts";
import type { Notification, Recipient } from "../notifications/notification.ts";

/** Messages to people go out from 09:00 to 19:00 in their time zone, on working days (DESIGN §6). */
export const workingHours = { start: 9, end: 19 } as const;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      calendar: "gregory",
      numberingSystem: "latn",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClock(instant: Date, timeZone: string) {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: part("year"),
    month: part("month"),
    day: part("day"),
    hour: part("hour"),
    minute: part("minute"),
    second: part("second"),
  };
}

/** The calendar date of an instant in a time zone. */
function localDate(instant: Date, timeZone: string): IsoDate {
  const w = wallClock(instant, timeZone);
  return formatIsoDate(w.year, w.month, w.day);
}

/** How far the zone's wall clock is ahead of UTC at `instant`, in milliseconds. */
function zoneOffset(instant: Date, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant when the wall clock in `timeZone` shows `hour`:00 on `date` (the later one across a DST gap). */
export function instantAt(date: IsoDate, hour: number, timeZone: string): Date {
  const parts = parseIsoDate(date);
  if (!parts) throw new RangeError(`Not a date in the form YYYY-MM-DD: "${date}"`);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, hour);
  const first = wall - zoneOffset(new Date(wall), timeZone);
  const second = wall - zoneOffset(new Date(first), timeZone);
  const shows = (t: number) => {
    const w = wallClock(new Date(t), timeZone);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) === wall;
  };
  if (shows(second)) return new Date(second);
  if (shows(first)) return new Date(first);
  // The hour does not exist that day (clocks jumped over it): the first moment after the jump.
  return new Date(Math.max(first, second));
}

/**
 * The first moment at or after `now` inside working hours in `timeZone` on a working day of
 * `calendar`: `now` itself when it already is one.
 */
export function nextWorkingMoment(
  now: Date,
  timeZone: string,
  calendar: BusinessCalendar,
  hours: { start: number; end: number } = workingHours,
): Date {
  const today = localDate(now, timeZone);
  if (calendar.isWorkingDay(today).workingDay) {
    const { hour } = wallClock(now, timeZone);
    if (hour >= hours.start && hour < hours.end) return now;
    if (hour < hours.start) return instantAt(today, hours.start, timeZone);
  }
  return instantAt(calendar.nextWorkingDay(today), hours.start, timeZone);
}

export type ReminderOwner =
  | {
      kind: "person";
      principal: string;
      timeZone: string;
      /** Who an overdue step escalates to first. */
      manager: { principal: string; timeZone: string } | null;
    }
  | { kind: "group"; purpose: "hr" | "finance" };

/** An open (started) step as the reminder policy sees it. */
export type ReminderStep = {
  caseId: string;
  stepKey: string;
  /** The leaver's external id (the only person named in the data). */
  employee: string;
  entityId: string | null;
  startDate: IsoDate;
  dueDate: IsoDate;
  dueDateExtended?: IsoDate;
  /** Counts (re)assignments, so a new owner is told once. */
  assignment: number;
  owner: ReminderOwner;
  /** A receiver acting beside the owner (handover), told once when named. */
  receiver?: { principal: string; timeZone: string } | null;
  /** The step's deadline is a legal one (certificate, transfer): never held back, even on hold. */
  legal: boolean;
  /** The case is on hold: people are not reminded (legal alerts still go). */
  onHold: boolean;
};

export type ReminderPlan = {
  notifications: Notification[];
  /** When the policy next has something to say about this step. */
  nextRunAt: Date;
};

/**
 * Which notifications are due for a started step at `now` (DESIGN §6): on assignment; one working
 * day before the due day; on the due day; on every working day it is overdue; overdue by one
 * working day → the owner's manager; by two → the HR channels. "Today" is the owner's date (the
 * case's for a group). Messages to people carry `notBefore` = their next working moment unless
 * the deadline is a legal one. Dedupe keys make each message exactly-once however often this runs.
 */
export function remindersDue(
  step: ReminderStep,
  input: { now: Date; calendar: BusinessCalendar; caseTimeZone: string },
): ReminderPlan {
  const { now, calendar } = input;
  const { owner } = step;
  const zone = owner.kind === "person" ? owner.timeZone : input.caseTimeZone;
  const today = localDate(now, zone);
  const base = { caseId: step.caseId, step: step.stepKey, employee: step.employee, dueDate: step.dueDate };
  const extended = step.dueDateExtended ? { dueDateExtended: step.dueDateExtended } : {};
  const urgency = step.legal ? ("legal" as const) : ("normal" as const);
  const notifications: Notification[] = [];

  const toPerson = (principal: string, timeZone: string) => ({
    recipient: { type: "person", principal } as Recipient,
    urgency,
    ...(step.legal ? {} : { notBefore: nextWorkingMoment(now, timeZone, calendar) }),
  });
  const hrChannel: Recipient = {
    type: "channel",
    purpose: "hr",
    ...(step.entityId ? { entityId: step.entityId } : {}),
  };
  const ownerAddress =
    owner.kind === "person"
      ? toPerson(owner.principal, owner.timeZone)
      : {
          recipient: {
            type: "channel",
            purpose: owner.purpose,
            ...(step.entityId ? { entityId: step.entityId } : {}),
          } as Recipient,
          urgency,
        };
  const stepId = `${step.caseId}:${step.stepKey}`;

  notifications.push({
    kind: "step.assigned",
    ...ownerAddress,
    data: { ...base, ...extended, role: "owner" },
    dedupeKey: `assigned:${stepId}:${step.assignment}`,
  });
  if (step.receiver) {
    notifications.push({
      kind: "step.assigned",
      ...toPerson(step.receiver.principal, step.receiver.timeZone),
      data: { ...base, role: "receiver" },
      dedupeKey: `assigned:${stepId}:receiver:${step.receiver.principal}`,
    });
  }

  const at = (date: IsoDate) => instantAt(date, workingHours.start, zone);
  const remindOn = calendar.subtractWorkingDays(step.dueDate, 1);
  const quiet = step.onHold && !step.legal;
  const daily = (kind: string, data: Record<string, unknown> = {}) => {
    if (!quiet) {
      notifications.push({
        kind,
        ...ownerAddress,
        data: { ...base, ...extended, ...data },
        dedupeKey: `reminder:${stepId}:${today}`,
      });
    }
  };

  if (today < step.dueDate) {
    if (today === remindOn && step.startDate < remindOn) daily("step.reminder");
    const next = today < remindOn && step.startDate < remindOn ? remindOn : step.dueDate;
    return { notifications, nextRunAt: at(next) };
  }
  if (today === step.dueDate) {
    if (step.startDate < step.dueDate) daily("step.due");
    return { notifications, nextRunAt: at(calendar.nextWorkingDay(today)) };
  }

  const overdue = workingDaysBetween(calendar, step.dueDate, today, 366);
  if (calendar.isWorkingDay(today).workingDay) daily("step.overdue", { workingDaysOverdue: overdue });
  if (!quiet && overdue >= 1 && owner.kind === "person" && owner.manager) {
    notifications.push({
      kind: "step.escalated",
      ...toPerson(owner.manager.principal, owner.manager.timeZone),
      data: { ...base, ...extended, level: "manager", owner: owner.principal, workingDaysOverdue: overdue },
      dedupeKey: `escalation:${stepId}:${step.dueDate}:manager`,
    });
  }
  if (!quiet && overdue >= 2) {
    notifications.push({
      kind: "step.escalated",
      recipient: hrChannel,
      urgency,
      data: {
        ...base,
        ...extended,
        level: "hr",
        owner: owner.kind === "person" ? owner.principal : `group:${owner.purpose}`,
        workingDaysOverdue: overdue,
      },
      dedupeKey: `escalation:${stepId}:${step.dueDate}:hr`,
    });
  }
  return { notifications, nextRunAt: at(calendar.nextWorkingDay(today)) };
}

/** Working days in (from, to], counted up to `cap`. */
export function workingDaysBetween(
  calendar: BusinessCalendar,
  from: IsoDate,
  to: IsoDate,
  cap: number,
): number {
  let count = 0;
  let day = from;
  while (count < cap) {
    day = calendar.nextWorkingDay(day);
    if (day > to) break;
    count++;
  }
  return count;
}
