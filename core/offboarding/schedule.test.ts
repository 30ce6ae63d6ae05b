import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createCnCalendar } from "../compliance/cn-calendar.ts";
import { addDays, fromDayNumber, type IsoDate, toDayNumber } from "../compliance/dates.ts";
import {
  dueDateFor,
  lastDayAnchor,
  type ScheduleContext,
  type StepFacts,
  scheduleSteps,
} from "./schedule.ts";
import { caseDates } from "./separation.ts";
import { stepOf } from "./template.ts";
import { cnProbation, cnStandard } from "./templates.ts";

const cn = createCnCalendar();
const ctx = (noticeDate: IsoDate, plannedLastDay: IsoDate): ScheduleContext => ({
  calendar: cn,
  noticeDate,
  plannedLastDay,
});
const step = (key: string) => {
  const found = stepOf(cnStandard, key);
  if (!found) throw new Error(key);
  return found;
};

describe("due dates: the earlier of forward and backward (DESIGN §6)", () => {
  it("schedules a plain 30-day notice forward from each start", () => {
    const timings = scheduleSteps(
      cnStandard,
      { ...ctx("2026-03-02", "2026-04-01"), openedOn: "2026-03-02" },
      {
        apply: { startDate: "2026-03-02", doneDate: "2026-03-02" },
      },
    );
    expect(
      Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, [v.startDate, v.dueDate]])),
    ).toEqual({
      apply: ["2026-03-02", "2026-03-02"],
      acknowledge: ["2026-03-02", "2026-03-03"],
      check: ["2026-03-02", "2026-03-04"],
      // Projected: handover starts at the latest on the check's due date.
      handover: ["2026-03-04", "2026-03-09"],
      settlement: ["2026-03-09", "2026-03-11"],
      procedures: ["2026-03-11", "2026-04-01"],
      transfer: ["2026-04-01", "2026-04-16"],
    });
    expect(timings.transfer?.dueDateExtended).toBe("2026-04-16");
  });

  it("counts working days on the CN calendar: over the National Day block", () => {
    // Notice on Wed 2026-09-30: Oct 1–7 are rest days, so one working day after is Thu Oct 8.
    expect(dueDateFor(step("acknowledge"), "2026-09-30", ctx("2026-09-30", "2026-10-30")).dueDate).toBe(
      "2026-10-08",
    );
    expect(dueDateFor(step("check"), "2026-09-30", ctx("2026-09-30", "2026-10-30")).dueDate).toBe(
      "2026-10-09",
    );
  });

  it("counts backward from an agreed early last day: handover two working days before it", () => {
    // Last day Fri 2026-03-06: handover starting Wed 03-04 is due min(Mon 03-09, Wed 03-04) = 03-04.
    expect(dueDateFor(step("handover"), "2026-03-04", ctx("2026-03-02", "2026-03-06")).dueDate).toBe(
      "2026-03-04",
    );
    expect(dueDateFor(step("settlement"), "2026-03-04", ctx("2026-03-02", "2026-03-06")).dueDate).toBe(
      "2026-03-06",
    );
  });

  it("puts procedures on the last day, or on the last working day before a last day that is a rest day", () => {
    expect(dueDateFor(step("procedures"), "2026-03-20", ctx("2026-03-02", "2026-04-01")).dueDate).toBe(
      "2026-04-01",
    );
    // Sun 2026-03-29 → Fri 03-27; the certificate is still dated at termination.
    expect(lastDayAnchor(ctx("2026-02-27", "2026-03-29"))).toBe("2026-03-27");
    expect(dueDateFor(step("procedures"), "2026-03-20", ctx("2026-02-27", "2026-03-29")).dueDate).toBe(
      "2026-03-27",
    );
  });

  it("shows the transfer's Art. 50 date with the Civil Code Art. 203 date beside it", () => {
    expect(dueDateFor(step("transfer"), "2026-09-16", ctx("2026-08-17", "2026-09-16"))).toEqual({
      dueDate: "2026-10-01",
      dueDateExtended: "2026-10-08",
    });
  });

  it("a step that starts after its backward deadline is due on its first working day, never after the last day", () => {
    // Handover starting Fri 03-06 with the last day Mon 03-09: backward = Thu 03-05 < start.
    expect(dueDateFor(step("handover"), "2026-03-06", ctx("2026-03-02", "2026-03-09")).dueDate).toBe(
      "2026-03-06",
    );
    // Starting on Sat 03-07 → Mon 03-09, the last day.
    expect(dueDateFor(step("handover"), "2026-03-07", ctx("2026-03-02", "2026-03-09")).dueDate).toBe(
      "2026-03-09",
    );
  });
});

const day = (from: string, to: string) =>
  fc.integer({ min: toDayNumber(from), max: toDayNumber(to) }).map((n) => fromDayNumber(n));

/** A case: a notice, maybe in probation, maybe a later requested day or an agreed earlier one. */
const caseArbitrary = fc
  .record({
    noticeDate: day("2025-01-01", "2027-06-30"),
    probation: fc.boolean(),
    later: fc.option(fc.integer({ min: 0, max: 90 }), { nil: undefined }),
    earlier: fc.option(fc.integer({ min: 0, max: 29 }), { nil: undefined }),
    openedAfter: fc.integer({ min: 0, max: 3 }),
    // How far into each step's window it was done (0..1), or not done yet.
    progress: fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }), {
      minLength: 7,
      maxLength: 7,
    }),
  })
  .map((c) => {
    const dates = caseDates({
      separationType: "resignation",
      noticeDate: c.noticeDate,
      today: c.noticeDate,
      probationEndDate: c.probation ? c.noticeDate : null,
      requestedLastDay:
        c.later === undefined ? null : addDays(c.noticeDate, (c.probation ? 3 : 30) + c.later),
      agreedLastDay: c.earlier === undefined ? null : addDays(c.noticeDate, c.earlier),
    });
    return { ...c, dates, openedOn: addDays(c.noticeDate, c.openedAfter) };
  });

describe("scheduling properties (fast-check)", () => {
  it("no due date after the last day except the transfer; due dates are working days; due = min(forward, backward)", () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => {
        const template = c.dates.probation ? cnProbation : cnStandard;
        const context = { ...ctx(c.noticeDate, c.dates.plannedLastDay), openedOn: c.openedOn };
        // Walk the case: each step done somewhere in its window (or not), its successors starting accordingly.
        const facts: Record<string, StepFacts> = {};
        let timings = scheduleSteps(template, context, facts);
        template.steps.forEach((s, i) => {
          const timing = timings[s.key];
          const fraction = c.progress[i];
          if (!timing || fraction === undefined) return;
          const span = Math.max(0, toDayNumber(timing.dueDate) - toDayNumber(timing.startDate));
          const done = addDays(timing.startDate, Math.floor(span * fraction));
          facts[s.key] = { startDate: timing.startDate, doneDate: done };
          timings = scheduleSteps(template, context, facts);
        });
        const windowHasWorkingDay = (from: IsoDate) => {
          for (let d = from; d <= c.dates.plannedLastDay; d = addDays(d, 1))
            if (cn.isWorkingDay(d).workingDay) return true;
          return false;
        };
        for (const s of template.steps) {
          const timing = timings[s.key];
          if (!timing) return false;
          if (s.start.on === "termination") {
            expect(timing.dueDate).toBe(addDays(c.dates.plannedLastDay, 15));
            expect(timing.dueDateExtended && timing.dueDateExtended >= timing.dueDate).toBe(true);
            expect(cn.isRestDay(timing.dueDateExtended as string)).toBe(false);
            continue;
          }
          expect(timing.dueDate <= c.dates.plannedLastDay).toBe(true);
          if (!s.doneAtOpening && windowHasWorkingDay(timing.startDate)) {
            expect(cn.isWorkingDay(timing.dueDate).workingDay).toBe(true);
          }
          if (s.due.kind === "working-days") {
            const forward = cn.addWorkingDays(timing.startDate, s.due.afterStart);
            const backward = cn.subtractWorkingDays(lastDayAnchor(context), s.due.beforeLastDay);
            const earlier = [forward, backward, lastDayAnchor(context)].sort()[0] as string;
            // The earlier of the two; a step that starts after that is due at once (never after the last day).
            if (earlier >= timing.startDate) expect(timing.dueDate).toBe(earlier);
            else
              expect(timing.dueDate >= timing.startDate || timing.dueDate === c.dates.plannedLastDay).toBe(
                true,
              );
          }
          if (s.start.on === "step-done") {
            // Nothing waits past the earlier step's due date (the legal clock is never gated).
            expect(timing.startDate <= (timings[s.start.step]?.dueDate as string)).toBe(true);
          }
        }
        return true;
      }),
      { numRuns: 400 },
    );
  });
});
