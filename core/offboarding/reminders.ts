import type { BusinessCalendar } from "../compliance/calendar.ts";
import type { IsoDate } from "../compliance/dates.ts";
import { instantAt, localTime, nextWorkingMoment, workingHours } from "../compliance/local-time.ts";
import type { Notification, Recipient } from "../notifications/notification.ts";

export { instantAt, nextWorkingMoment, workingHours };

/** A business calendar as the working-day test that `nextWorkingMoment` takes. */
export function workingDaysOf(calendar: BusinessCalendar): (date: IsoDate) => boolean {
  return (date) => calendar.isWorkingDay(date).workingDay;
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
  const today = localTime(now, zone).date;
  const base = { caseId: step.caseId, step: step.stepKey, employee: step.employee, dueDate: step.dueDate };
  const extended = step.dueDateExtended ? { dueDateExtended: step.dueDateExtended } : {};
  const urgency = step.legal ? ("legal" as const) : ("normal" as const);
  const notifications: Notification[] = [];

  const toPerson = (principal: string, timeZone: string) => ({
    recipient: { type: "person", principal } as Recipient,
    urgency,
    ...(step.legal ? {} : { notBefore: nextWorkingMoment(now, timeZone, workingDaysOf(calendar)) }),
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
