import { parsePrincipal } from "../access/principal.ts";
import type { OwnerRole } from "./template.ts";

export const caseStatuses = ["open", "on-hold", "closed", "withdrawn"] as const;
export type CaseStatus = (typeof caseStatuses)[number];

/** A case that still runs: one per employee at a time. */
export const activeCaseStatuses: readonly CaseStatus[] = ["open", "on-hold"];

export const stepStatuses = ["pending", "active", "done", "cancelled"] as const;
export type StepStatus = (typeof stepStatuses)[number];

/** The owner of a step: a person's principal (`employee:E1100`) or a group (`group:hr`, `group:finance`). */
export type StepOwner = string;
export const hrGroup = "group:hr";
export const financeGroup = "group:finance";

/** Who is acting, as the rules see them. */
export type ActingParty = {
  principal: string;
  /** A system acts for itself (OA, finance); a person is an employee or a test principal. */
  kind: "person" | "system";
  /** The person's functions in the directory (`hr`, `finance`); none for systems. */
  functions: readonly string[];
};

export function actingParty(principal: string, functions: readonly string[]): ActingParty {
  const kind = parsePrincipal(principal)?.kind === "system" ? "system" : "person";
  return { principal, kind, functions: kind === "system" ? [] : functions };
}

export type StepParties = {
  ownerRole: OwnerRole;
  owner: StepOwner;
  receiver: string | null;
  delegates: readonly string[];
  /** The check step: the employee asks for the gates to be read again. */
  readsGates: boolean;
};

/** In which capacity someone acts on a step. `receiver` confirms receipt without completing. */
export type Capacity =
  | "employee"
  | "owner"
  | "delegate"
  | "receiver"
  | "finance"
  | "hr"
  | "system"
  | "hr-on-behalf";

export type Refusal = "own-case" | "not-allowed" | "reason-required";

export type CompletionDecision = { allowed: true; capacity: Capacity } | { allowed: false; refusal: Refusal };

/**
 * Who may complete a step (DESIGN §9): the assigned owner or their delegate; the named receiver
 * confirms a handover; finance (anyone with the finance function, or a system) confirms
 * settlement; anyone in HR completes HR's steps; HR completes anyone else's on their behalf, with
 * a reason. The leaver never acts on their own case's approvals — only on their own steps (the
 * notice, the check). A system acts for itself only on settlement; elsewhere it names a person.
 */
export function decideCompletion(input: {
  step: StepParties;
  actor: ActingParty;
  /** The leaver's principal. */
  employee: string;
  hasReason: boolean;
}): CompletionDecision {
  const { step, actor } = input;
  const refuse = (refusal: Refusal): CompletionDecision => ({ allowed: false, refusal });
  const allow = (capacity: Capacity): CompletionDecision => ({ allowed: true, capacity });
  if (actor.principal === input.employee) {
    return step.ownerRole === "employee" ? allow("employee") : refuse("own-case");
  }
  if (actor.kind === "system") return step.ownerRole === "finance" ? allow("system") : refuse("not-allowed");
  if (step.owner === actor.principal) return allow("owner");
  if (step.delegates.includes(actor.principal)) return allow("delegate");
  if (step.receiver === actor.principal) return allow("receiver");
  if (step.owner === financeGroup && actor.functions.includes("finance")) return allow("finance");
  if (step.owner === hrGroup && actor.functions.includes("hr")) return allow("hr");
  if (actor.functions.includes("hr"))
    return input.hasReason ? allow("hr-on-behalf") : refuse("reason-required");
  return refuse("not-allowed");
}

/** What completing does in each state: only an active step completes; done is a harmless repeat. */
export type CompletionTransition = "complete" | "already-done" | "not-started" | "cancelled";

export function completionTransition(status: StepStatus): CompletionTransition {
  switch (status) {
    case "active":
      return "complete";
    case "done":
      return "already-done";
    case "pending":
      return "not-started";
    case "cancelled":
      return "cancelled";
  }
}

/** HR administers cases (reassign, hold, withdraw, correct): an HR person or a system, never on their own case. */
export function mayAdminister(actor: ActingParty, employee: string): boolean {
  if (actor.principal === employee) return false;
  return actor.kind === "system" || actor.functions.includes("hr");
}

/** Who may read a case: HR, finance and systems; the leaver; anyone who owns, receives or is delegated a step. */
export function mayReadCase(
  actor: ActingParty,
  involved: { employee: string; parties: readonly StepParties[] },
): boolean {
  if (actor.kind === "system" || actor.functions.includes("hr") || actor.functions.includes("finance"))
    return true;
  if (actor.principal === involved.employee) return true;
  return involved.parties.some(
    (p) =>
      p.owner === actor.principal || p.receiver === actor.principal || p.delegates.includes(actor.principal),
  );
}

/** Steps whose owner HR may change: not the leaver's own steps (the notice, the check). */
export function isReassignable(ownerRole: OwnerRole): boolean {
  return ownerRole !== "employee";
}
