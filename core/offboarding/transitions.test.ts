import { describe, expect, it } from "vitest";
import type { OwnerRole } from "./template.ts";
import {
  actingParty,
  completionTransition,
  decideCompletion,
  financeGroup,
  hrGroup,
  isReassignable,
  mayAdminister,
  mayReadCase,
  type StepParties,
} from "./transitions.ts";

const leaver = "employee:E1";
const parties: Record<string, StepParties> = {
  apply: { ownerRole: "employee", owner: leaver, receiver: null, delegates: [], readsGates: false },
  acknowledge: {
    ownerRole: "manager",
    owner: "employee:M1",
    receiver: null,
    delegates: ["employee:D1"],
    readsGates: false,
  },
  check: { ownerRole: "employee", owner: leaver, receiver: null, delegates: [], readsGates: true },
  handover: {
    ownerRole: "manager",
    owner: "employee:M1",
    receiver: "employee:R1",
    delegates: [],
    readsGates: false,
  },
  settlement: { ownerRole: "finance", owner: financeGroup, receiver: null, delegates: [], readsGates: false },
  procedures: { ownerRole: "hr", owner: hrGroup, receiver: null, delegates: [], readsGates: false },
  transfer: { ownerRole: "hr", owner: hrGroup, receiver: null, delegates: [], readsGates: false },
};

const actors = {
  leaver: actingParty(leaver, []),
  leaverInHr: actingParty(leaver, ["hr"]),
  manager: actingParty("employee:M1", []),
  delegate: actingParty("employee:D1", []),
  receiver: actingParty("employee:R1", []),
  finance: actingParty("employee:F1", ["finance"]),
  hr: actingParty("employee:H1", ["hr"]),
  colleague: actingParty("employee:C1", []),
  system: actingParty("system:finance", []),
};

type Row = [step: string, actor: keyof typeof actors, withReason: boolean, expected: string];

// expected: the capacity, or `no:<refusal>`.
const table: Row[] = [
  ["apply", "leaver", false, "employee"],
  ["check", "leaver", false, "employee"],
  ["check", "hr", false, "no:reason-required"],
  ["check", "hr", true, "hr-on-behalf"],
  ["check", "manager", false, "no:not-allowed"],
  ["acknowledge", "manager", false, "owner"],
  ["acknowledge", "delegate", false, "delegate"],
  ["acknowledge", "leaver", false, "no:own-case"],
  ["acknowledge", "leaverInHr", true, "no:own-case"],
  ["acknowledge", "colleague", false, "no:not-allowed"],
  ["acknowledge", "finance", false, "no:not-allowed"],
  ["acknowledge", "hr", false, "no:reason-required"],
  ["acknowledge", "hr", true, "hr-on-behalf"],
  ["acknowledge", "system", false, "no:not-allowed"],
  ["handover", "manager", false, "owner"],
  ["handover", "receiver", false, "receiver"],
  ["handover", "leaver", false, "no:own-case"],
  ["handover", "colleague", false, "no:not-allowed"],
  ["settlement", "finance", false, "finance"],
  ["settlement", "system", false, "system"],
  ["settlement", "manager", false, "no:not-allowed"],
  ["settlement", "hr", true, "hr-on-behalf"],
  ["settlement", "leaver", false, "no:own-case"],
  ["procedures", "hr", false, "hr"],
  ["procedures", "leaverInHr", false, "no:own-case"],
  ["procedures", "finance", false, "no:not-allowed"],
  ["procedures", "system", false, "no:not-allowed"],
  ["transfer", "hr", false, "hr"],
  ["transfer", "manager", false, "no:not-allowed"],
];

describe("who may complete which step (DESIGN §9)", () => {
  it.each(table)("%s by %s (reason: %s) → %s", (step, actor, withReason, expected) => {
    const decision = decideCompletion({
      step: parties[step] as StepParties,
      actor: actors[actor],
      employee: leaver,
      hasReason: withReason,
    });
    expect(decision.allowed ? decision.capacity : `no:${decision.refusal}`).toBe(expected);
  });

  it("a step HR reassigned to one person is theirs; others in HR act on their behalf only with a reason", () => {
    const assigned = { ...(parties.procedures as StepParties), owner: "employee:H2" };
    const decide = (actor: keyof typeof actors | "h2", hasReason = false) =>
      decideCompletion({
        step: assigned,
        actor: actor === "h2" ? actingParty("employee:H2", ["hr"]) : actors[actor],
        employee: leaver,
        hasReason,
      });
    expect(decide("h2")).toEqual({ allowed: true, capacity: "owner" });
    expect(decide("hr")).toEqual({ allowed: false, refusal: "reason-required" });
    expect(decide("hr", true)).toEqual({ allowed: true, capacity: "hr-on-behalf" });
  });

  it("a system acts as itself only on settlement, and has no functions even if claimed", () => {
    expect(actingParty("system:oa", ["hr"])).toEqual({
      principal: "system:oa",
      kind: "system",
      functions: [],
    });
  });
});

describe("step states", () => {
  it.each([
    ["active", "complete"],
    ["done", "already-done"],
    ["pending", "not-started"],
    ["cancelled", "cancelled"],
  ] as const)("%s → %s", (status, transition) => {
    expect(completionTransition(status)).toBe(transition);
  });
});

describe("administration and reading", () => {
  it("HR and systems administer, never on their own case", () => {
    expect(mayAdminister(actors.hr, leaver)).toBe(true);
    expect(mayAdminister(actors.system, leaver)).toBe(true);
    expect(mayAdminister(actors.leaverInHr, leaver)).toBe(false);
    expect(mayAdminister(actors.manager, leaver)).toBe(false);
    expect(mayAdminister(actors.finance, leaver)).toBe(false);
  });

  it("parties read a case; strangers do not", () => {
    const involved = { employee: leaver, parties: Object.values(parties) };
    for (const who of ["leaver", "manager", "delegate", "receiver", "hr", "finance", "system"] as const) {
      expect(mayReadCase(actors[who], involved), who).toBe(true);
    }
    expect(mayReadCase(actors.colleague, involved)).toBe(false);
  });

  it("the leaver's own steps are not reassigned", () => {
    const roles: OwnerRole[] = ["employee", "manager", "finance", "hr"];
    expect(roles.map(isReassignable)).toEqual([false, true, true, true]);
  });
});
