import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { templateSchema } from "./template.ts";
import { cnProbation, cnProbationData, cnStandard, cnStandardData, templateFor } from "./templates.ts";

const clone = <T>(value: T): T => structuredClone(value);
const problems = (data: unknown) =>
  templateSchema.safeParse(data).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];

describe("the shipped templates (DESIGN §6 table)", () => {
  it("cn-standard has the seven steps with their owners, starts and due rules", () => {
    expect(
      cnStandard.steps.map((s) => [
        s.key,
        s.owner,
        s.start.on,
        "step" in s.start ? s.start.step : null,
        s.due,
      ]),
    ).toEqual([
      ["apply", "employee", "notice", null, { kind: "working-days", afterStart: 0, beforeLastDay: 0 }],
      [
        "acknowledge",
        "manager",
        "step-done",
        "apply",
        { kind: "working-days", afterStart: 1, beforeLastDay: 0 },
      ],
      ["check", "employee", "step-done", "apply", { kind: "working-days", afterStart: 2, beforeLastDay: 0 }],
      [
        "handover",
        "manager",
        "step-done",
        "check",
        { kind: "working-days", afterStart: 3, beforeLastDay: 2 },
      ],
      [
        "settlement",
        "finance",
        "step-done",
        "handover",
        { kind: "working-days", afterStart: 2, beforeLastDay: 0 },
      ],
      ["procedures", "hr", "step-done", "settlement", { kind: "last-day" }],
      ["transfer", "hr", "termination", null, { kind: "calendar-days-after-termination", days: 15 }],
    ]);
    const acknowledge = cnStandard.steps[1];
    expect(acknowledge).toMatchObject({ gating: false, namesReceiverFor: "handover" });
    expect(cnStandard.steps.find((s) => s.key === "check")?.readsGates).toBe(true);
    expect(cnStandard.steps.find((s) => s.key === "procedures")?.issuesCertificate).toBe(true);
  });

  it("cn-probation has the same steps, each with one working day", () => {
    expect(cnProbation.steps.map((s) => s.key)).toEqual(cnStandard.steps.map((s) => s.key));
    for (const key of ["check", "handover", "settlement"]) {
      expect(cnProbation.steps.find((s) => s.key === key)?.due).toEqual({
        kind: "working-days",
        afterStart: 1,
        beforeLastDay: 0,
      });
    }
    expect(cnProbation.probation).toBe(true);
    expect(problems(cnProbationData)).toEqual([]);
  });

  it("picks the template by jurisdiction and probation, and has none for other countries yet", () => {
    expect(templateFor({ jurisdiction: "CN", probation: false }).id).toBe("cn-standard");
    expect(templateFor({ jurisdiction: "CN", probation: true }).id).toBe("cn-probation");
    expect(() => templateFor({ jurisdiction: "DE", probation: false })).toThrow(AppError);
  });
});

describe("the template schema refuses templates that could gate the legal clock or make no sense", () => {
  it("requires a following step to start at the latest on the earlier step's due date", () => {
    const data = clone(cnStandardData) as { steps: { start: Record<string, unknown> }[] };
    delete data.steps[5]?.start.atLatest;
    expect(problems(data).join()).toMatch(/steps\.5\.start/);
  });

  it("refuses a step waiting for the non-gating acknowledge, unknown or later steps, and duplicates", () => {
    const waitsForAck = clone(cnStandardData) as { steps: { start: Record<string, unknown>; key: string }[] };
    (waitsForAck.steps[3] as { start: Record<string, unknown> }).start = {
      on: "step-done",
      step: "acknowledge",
      atLatest: "step-due",
    };
    expect(problems(waitsForAck).join()).toMatch(/acknowledge gates nothing/);
    const later = clone(cnStandardData) as { steps: { start: Record<string, unknown> }[] };
    (later.steps[1] as { start: Record<string, unknown> }).start = {
      on: "step-done",
      step: "transfer",
      atLatest: "step-due",
    };
    expect(problems(later).join()).toMatch(/must follow an earlier step/);
    const twice = clone(cnStandardData) as { steps: { key: string }[] };
    (twice.steps[2] as { key: string }).key = "acknowledge";
    expect(problems(twice).join()).toMatch(/duplicate step key/);
  });

  it("keeps the certificate on the last day and calendar days with termination", () => {
    const certificate = clone(cnStandardData) as { steps: { due: unknown }[] };
    (certificate.steps[5] as { due: unknown }).due = {
      kind: "working-days",
      afterStart: 5,
      beforeLastDay: 0,
    };
    expect(problems(certificate).join()).toMatch(/certificate is due on the last day/);
    const transfer = clone(cnStandardData) as { steps: { due: unknown }[] };
    (transfer.steps[6] as { due: unknown }).due = { kind: "calendar-days-after-termination", days: 30 };
    expect(problems(transfer).join()).toMatch(/steps\.6\.due/);
  });
});
