import { type IsoDate, minDate } from "../compliance/dates.ts";
import type { GateOutcome } from "./gates.ts";
import type { Template } from "./template.ts";
import type { CaseStatus, StepStatus } from "./transitions.ts";

/** A step as progress sees it. */
export type ProgressStep = {
  key: string;
  status: StepStatus;
  startDate: IsoDate | null;
  dueDate: IsoDate;
  /** The day it was done, in the case's time zone. */
  doneDate: IsoDate | null;
};

export type ProgressInput = {
  template: Template;
  caseStatus: CaseStatus;
  steps: readonly ProgressStep[];
  /** Today in the case's (the employee's) time zone. */
  today: IsoDate;
  plannedLastDay: IsoDate;
  /**
   * The gates as just read: [] when none are registered (the check passes with a note),
   * undefined when they were not read this time (the check waits).
   */
  gates: readonly GateOutcome[] | undefined;
  exceptionsRecorded: boolean;
};

export type ProgressAction =
  | { type: "start"; step: string; startDate: IsoDate; because: "notice" | "done" | "due" | "termination" }
  | { type: "pass-check"; step: string; outcome: "gates-satisfied" | "no-gates" }
  | {
      type: "record-exceptions";
      step: string;
      /** The gates still unsatisfied (or unknown, when they could not be read). */
      unsatisfied: readonly GateOutcome[] | "unknown";
      /** Other steps still open on the last day. */
      openSteps: readonly string[];
    }
  | { type: "close" };

/**
 * What happens next to a case, given the date and the gates (pure): steps start when the step
 * they follow is done or, at the latest, on its due date (so nothing gates the legal clock);
 * the step at termination starts on the last day; the check step passes when its gates are
 * satisfied or none are registered; on the last day gates still unsatisfied become recorded
 * exceptions and the check step closes — the last day and the certificate do not move. A case
 * whose steps are all done closes. Actions come in the order they apply.
 */
export function planProgress(input: ProgressInput): ProgressAction[] {
  if (input.caseStatus !== "open" && input.caseStatus !== "on-hold") return [];
  const steps = new Map(input.steps.map((s) => [s.key, { ...s }]));
  const actions: ProgressAction[] = [];
  const { today } = input;

  let moved = true;
  while (moved) {
    moved = false;
    for (const template of input.template.steps) {
      const step = steps.get(template.key);
      if (!step) continue;
      if (step.status === "pending") {
        const start = startOf(template.start, steps, today, input.plannedLastDay);
        if (start) {
          step.status = "active";
          step.startDate = start.date;
          actions.push({ type: "start", step: step.key, startDate: start.date, because: start.because });
          moved = true;
        }
      }
      if (step.status === "active" && template.readsGates) {
        const gates = input.gates;
        if (gates?.every((g) => g.satisfied)) {
          step.status = "done";
          step.doneDate = today;
          actions.push({
            type: "pass-check",
            step: step.key,
            outcome: gates.length === 0 ? "no-gates" : "gates-satisfied",
          });
          moved = true;
        } else if (today >= input.plannedLastDay && !input.exceptionsRecorded) {
          step.status = "done";
          step.doneDate = today;
          actions.push({
            type: "record-exceptions",
            step: step.key,
            unsatisfied: gates ? gates.filter((g) => !g.satisfied) : "unknown",
            openSteps: [...steps.values()]
              .filter((s) => s.key !== step.key && (s.status === "active" || s.status === "pending"))
              .map((s) => s.key),
          });
          moved = true;
        }
      }
    }
  }
  if ([...steps.values()].every((s) => s.status === "done" || s.status === "cancelled")) {
    actions.push({ type: "close" });
  }
  return actions;
}

type Working = { status: StepStatus; dueDate: IsoDate; doneDate: IsoDate | null };

function startOf(
  rule: Template["steps"][number]["start"],
  steps: ReadonlyMap<string, Working>,
  today: IsoDate,
  plannedLastDay: IsoDate,
): { date: IsoDate; because: "notice" | "done" | "due" | "termination" } | undefined {
  switch (rule.on) {
    case "notice":
      return { date: today, because: "notice" };
    case "termination":
      return today >= plannedLastDay ? { date: plannedLastDay, because: "termination" } : undefined;
    case "step-done": {
      const before = steps.get(rule.step);
      if (!before) return undefined;
      if (before.status === "done") {
        const done = before.doneDate ?? today;
        return done <= before.dueDate
          ? { date: done, because: "done" }
          : { date: before.dueDate, because: "due" };
      }
      // atLatest: "step-due" — waiting never outlasts the earlier step's due date.
      if (before.status === "active" && today >= before.dueDate) {
        return { date: minDate(before.dueDate, today), because: "due" };
      }
      return undefined;
    }
  }
}
