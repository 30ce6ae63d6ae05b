import { describe, expect, it } from "vitest";
import type { GateOutcome } from "./gates.ts";
import { type ProgressInput, type ProgressStep, planProgress } from "./progress.ts";
import { cnStandard } from "./templates.ts";

const pending = (key: string, dueDate: string): ProgressStep => ({
  key,
  status: "pending",
  startDate: null,
  dueDate,
  doneDate: null,
});

const opened: ProgressStep[] = [
  { key: "apply", status: "done", startDate: "2026-03-02", dueDate: "2026-03-02", doneDate: "2026-03-02" },
  pending("acknowledge", "2026-03-03"),
  pending("check", "2026-03-04"),
  pending("handover", "2026-03-09"),
  pending("settlement", "2026-03-11"),
  pending("procedures", "2026-04-01"),
  pending("transfer", "2026-04-16"),
];

const input = (over: Partial<ProgressInput>): ProgressInput => ({
  template: cnStandard,
  caseStatus: "open",
  steps: opened,
  today: "2026-03-02",
  plannedLastDay: "2026-04-01",
  gates: undefined,
  exceptionsRecorded: false,
  ...over,
});

const unsigned: GateOutcome = {
  gate: "agreement",
  satisfied: false,
  items: [{ id: "nda@1", title: "NDA", satisfied: false }],
};

function withStatus(steps: ProgressStep[], changes: Record<string, Partial<ProgressStep>>): ProgressStep[] {
  return steps.map((s) => ({ ...s, ...changes[s.key] }));
}

describe("planProgress", () => {
  it("with no gates registered, the check passes with a note and handover starts at once", () => {
    expect(planProgress(input({ gates: [] }))).toEqual([
      { type: "start", step: "acknowledge", startDate: "2026-03-02", because: "done" },
      { type: "start", step: "check", startDate: "2026-03-02", because: "done" },
      { type: "pass-check", step: "check", outcome: "no-gates" },
      { type: "start", step: "handover", startDate: "2026-03-02", because: "done" },
    ]);
  });

  it("gates unread or unsatisfied: the check waits, but handover starts on the check's due date anyway", () => {
    const started = withStatus(opened, {
      acknowledge: { status: "active", startDate: "2026-03-02" },
      check: { status: "active", startDate: "2026-03-02" },
    });
    expect(planProgress(input({ steps: started, today: "2026-03-03", gates: [unsigned] }))).toEqual([]);
    expect(planProgress(input({ steps: started, today: "2026-03-04", gates: [unsigned] }))).toEqual([
      { type: "start", step: "handover", startDate: "2026-03-04", because: "due" },
    ]);
    expect(
      planProgress(input({ steps: started, today: "2026-03-03", gates: [{ ...unsigned, satisfied: true }] })),
    ).toEqual([
      { type: "pass-check", step: "check", outcome: "gates-satisfied" },
      { type: "start", step: "handover", startDate: "2026-03-03", because: "done" },
    ]);
  });

  it("nothing waits for acknowledge: it may stay open while everything else moves on", () => {
    const steps = withStatus(opened, {
      acknowledge: { status: "active", startDate: "2026-03-02" },
      check: { status: "done", startDate: "2026-03-02", doneDate: "2026-03-02" },
      handover: { status: "done", startDate: "2026-03-02", doneDate: "2026-03-05" },
    });
    expect(planProgress(input({ steps, today: "2026-03-05", gates: [] }))).toEqual([
      { type: "start", step: "settlement", startDate: "2026-03-05", because: "done" },
    ]);
  });

  it("on the last day unsatisfied gates become exceptions and the transfer starts; the dates do not move", () => {
    const steps = withStatus(opened, {
      acknowledge: { status: "done", startDate: "2026-03-02", doneDate: "2026-03-02" },
      check: { status: "active", startDate: "2026-03-02" },
      handover: { status: "active", startDate: "2026-03-04" },
      settlement: { status: "active", startDate: "2026-03-09" },
      procedures: { status: "active", startDate: "2026-03-11" },
    });
    expect(planProgress(input({ steps, today: "2026-03-31", gates: [unsigned] }))).toEqual([]);
    expect(planProgress(input({ steps, today: "2026-04-01", gates: [unsigned] }))).toEqual([
      {
        type: "record-exceptions",
        step: "check",
        unsatisfied: [unsigned],
        openSteps: ["handover", "settlement", "procedures", "transfer"],
      },
      { type: "start", step: "transfer", startDate: "2026-04-01", because: "termination" },
    ]);
    // Unreadable gates are still an exception: recorded as unknown, once.
    expect(planProgress(input({ steps, today: "2026-04-02", gates: undefined }))[0]).toMatchObject({
      type: "record-exceptions",
      unsatisfied: "unknown",
    });
    expect(
      planProgress(input({ steps, today: "2026-04-02", gates: [unsigned], exceptionsRecorded: true })).map(
        (a) => a.type,
      ),
    ).toEqual(["start"]);
  });

  it("closes a case whose steps are all done, and does nothing to a withdrawn one", () => {
    const done = opened.map((s) => ({
      ...s,
      status: "done" as const,
      startDate: s.dueDate,
      doneDate: s.dueDate,
    }));
    expect(planProgress(input({ steps: done, today: "2026-04-10" }))).toEqual([{ type: "close" }]);
    expect(planProgress(input({ caseStatus: "withdrawn", today: "2026-04-10" }))).toEqual([]);
  });
});
