import type { BusinessCalendar } from "../compliance/calendar.ts";
import { addDays, type IsoDate, minDate } from "../compliance/dates.ts";
import { extendPastRestDays } from "../compliance/legal-clock.ts";
import type { StepTemplate, Template } from "./template.ts";

export type ScheduleContext = {
  calendar: BusinessCalendar;
  noticeDate: IsoDate;
  plannedLastDay: IsoDate;
};

/**
 * The day backward deadlines count from: the last working day on or before the last day (HR
 * issues the certificate, dated at termination, while people are at work), but never before the
 * notice; the last day itself when no working day lies in between.
 */
export function lastDayAnchor(ctx: ScheduleContext): IsoDate {
  const { calendar, plannedLastDay } = ctx;
  if (calendar.isWorkingDay(plannedLastDay).workingDay) return plannedLastDay;
  const before = calendar.subtractWorkingDays(plannedLastDay, 1);
  return before >= ctx.noticeDate ? before : plannedLastDay;
}

function firstWorkingDayFrom(calendar: BusinessCalendar, date: IsoDate): IsoDate {
  return calendar.isWorkingDay(date).workingDay ? date : calendar.nextWorkingDay(date);
}

export type Due = {
  dueDate: IsoDate;
  /** Civil Code Art. 203: the deadline moved off a public rest day (transfer); absent otherwise. */
  dueDateExtended?: IsoDate;
};

/**
 * When a step that starts on `start` is due (DESIGN §6): the earlier of `afterStart` working days
 * after the start (the n-th working day strictly after it, R6) and `beforeLastDay` working days
 * before the last day; the last day for the certificate; calendar days after termination for the
 * transfer, with the Art. 203 date beside it. A step that starts after its backward deadline is
 * due on its first working day, and never after the last day.
 */
export function dueDateFor(step: StepTemplate, start: IsoDate, ctx: ScheduleContext): Due {
  const { calendar } = ctx;
  const anchor = lastDayAnchor(ctx);
  switch (step.due.kind) {
    case "last-day":
      return { dueDate: anchor };
    case "calendar-days-after-termination": {
      const dueDate = addDays(ctx.plannedLastDay, step.due.days);
      return { dueDate, dueDateExtended: extendPastRestDays(calendar, dueDate) };
    }
    case "working-days": {
      const forward = calendar.addWorkingDays(start, step.due.afterStart);
      const backward = calendar.subtractWorkingDays(anchor, step.due.beforeLastDay);
      const due = minDate(minDate(forward, backward), anchor);
      if (due >= start) return { dueDate: due };
      const first = firstWorkingDayFrom(calendar, start);
      return { dueDate: minDate(first, ctx.plannedLastDay) };
    }
  }
}

/** What is known of a step when scheduling: its actual start and completion, and an override. */
export type StepFacts = {
  startDate?: IsoDate | null;
  doneDate?: IsoDate | null;
  dueOverride?: IsoDate | null;
};

export type StepTiming = Due & {
  /** The day it started, or (projected) the latest day it will start. */
  startDate: IsoDate;
  projected: boolean;
};

/**
 * The timing of every step: actual starts where known, and for steps not started yet the latest
 * day they will start (their predecessor's completion, else its due date; termination), so the
 * whole schedule is visible from the day of notice.
 */
export function scheduleSteps(
  template: Template,
  ctx: ScheduleContext & { openedOn: IsoDate },
  facts: Readonly<Record<string, StepFacts>>,
): Record<string, StepTiming> {
  const timings: Record<string, StepTiming> = {};
  for (const step of template.steps) {
    const known = facts[step.key] ?? {};
    let start: IsoDate;
    let projected = false;
    if (known.startDate) {
      start = known.startDate;
    } else {
      projected = true;
      switch (step.start.on) {
        case "notice":
          start = ctx.openedOn;
          break;
        case "termination":
          start = ctx.plannedLastDay;
          break;
        case "step-done": {
          const before = timings[step.start.step] as StepTiming;
          const beforeDone = facts[step.start.step]?.doneDate;
          start = beforeDone ? minDate(beforeDone, before.dueDate) : before.dueDate;
          break;
        }
      }
    }
    const due = dueDateFor(step, start, ctx);
    timings[step.key] = {
      startDate: start,
      projected,
      ...due,
      ...(known.dueOverride ? { dueDate: known.dueOverride } : {}),
    };
  }
  return timings;
}
