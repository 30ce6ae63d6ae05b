import { describe, expect, it } from "vitest";
import { applyTicks, checklistSaveTransition, decideChecklistSave } from "./checklist.ts";
import { actingParty, decideCompletion, type StepParties } from "./transitions.ts";

const handover: StepParties = {
  ownerRole: "manager",
  owner: "employee:M1",
  receiver: "employee:R1",
  delegates: ["employee:D1"],
  readsGates: false,
};

const decide = (principal: string, functions: string[] = [], hasReason = false) =>
  decideChecklistSave(
    decideCompletion({
      step: handover,
      actor: actingParty(principal, functions),
      employee: "employee:E1",
      hasReason,
    }),
  );

describe("decideChecklistSave", () => {
  it("lets the owner side save: owner, delegate, HR on behalf with a reason", () => {
    expect(decide("employee:M1")).toEqual({ allowed: true, capacity: "owner" });
    expect(decide("employee:D1")).toEqual({ allowed: true, capacity: "delegate" });
    expect(decide("employee:HR1", ["hr"], true)).toEqual({ allowed: true, capacity: "hr-on-behalf" });
  });

  it("refuses the receiver, the leaver, HR without a reason, strangers and systems", () => {
    expect(decide("employee:R1")).toEqual({ allowed: false, refusal: "receiver" });
    expect(decide("employee:E1", ["hr"], true)).toEqual({ allowed: false, refusal: "own-case" });
    expect(decide("employee:HR1", ["hr"])).toEqual({ allowed: false, refusal: "reason-required" });
    expect(decide("employee:X9")).toEqual({ allowed: false, refusal: "not-allowed" });
    expect(decide("system:oa")).toEqual({ allowed: false, refusal: "not-allowed" });
  });
});

describe("checklistSaveTransition", () => {
  it("saves only on a running step", () => {
    expect(checklistSaveTransition("active")).toBe("save");
    expect(checklistSaveTransition("pending")).toBe("not-started");
    expect(checklistSaveTransition("done")).toBe("closed");
    expect(checklistSaveTransition("cancelled")).toBe("closed");
  });
});

describe("applyTicks", () => {
  const current = { documents: false, code: true, equipment: false };

  it("changes the items given, keeps the others, and lists what changed", () => {
    expect(applyTicks(current, { documents: true, code: true })).toEqual({
      ok: true,
      checklist: { documents: true, code: true, equipment: false },
      changed: ["documents"],
    });
    expect(applyTicks(current, { code: false, equipment: true })).toMatchObject({
      changed: ["code", "equipment"],
    });
  });

  it("reports no change for the same ticks or none", () => {
    expect(applyTicks(current, { code: true })).toMatchObject({ ok: true, changed: [] });
    expect(applyTicks(current, {})).toEqual({ ok: true, checklist: current, changed: [] });
  });

  it("refuses items the checklist does not have, inherited names included", () => {
    expect(applyTicks(current, { moon: true, documents: true })).toEqual({ ok: false, unknown: ["moon"] });
    expect(applyTicks(current, { toString: true })).toEqual({ ok: false, unknown: ["toString"] });
  });
});
