import type { CompletionDecision, Refusal, StepStatus } from "./transitions.ts";

/** A handover checklist: item id → done. */
export type Checklist = Record<string, boolean>;

/**
 * Who may save checklist progress: whoever may complete the step's owner side (owner, delegate,
 * HR for HR's steps, HR on someone's behalf with a reason). The receiver only confirms receipt, so
 * they never tick the owner's list; the leaver never acts on their own approvals.
 */
export type ChecklistSaveDecision =
  | {
      allowed: true;
      capacity: Exclude<Extract<CompletionDecision, { allowed: true }>["capacity"], "receiver">;
    }
  | { allowed: false; refusal: Refusal | "receiver" };

export function decideChecklistSave(completion: CompletionDecision): ChecklistSaveDecision {
  if (!completion.allowed) return completion;
  if (completion.capacity === "receiver") return { allowed: false, refusal: "receiver" };
  return { allowed: true, capacity: completion.capacity };
}

/** Progress is saved only while the step runs: not before it starts, not once it is done or cancelled. */
export type ChecklistSaveTransition = "save" | "not-started" | "closed";

export function checklistSaveTransition(status: StepStatus): ChecklistSaveTransition {
  switch (status) {
    case "active":
      return "save";
    case "pending":
      return "not-started";
    case "done":
    case "cancelled":
      return "closed";
  }
}

export type ChecklistChange =
  | { ok: false; unknown: string[] }
  | { ok: true; checklist: Checklist; changed: string[] };

/**
 * Applies ticks to the stored checklist: only items it already has (the template's and the CRM's),
 * the others untouched. `changed` lists the items whose value differs, in the stored order; empty
 * means saving would change nothing.
 */
export function applyTicks(current: Readonly<Checklist>, ticks: Readonly<Checklist>): ChecklistChange {
  const unknown = Object.keys(ticks).filter((id) => !Object.hasOwn(current, id));
  if (unknown.length > 0) return { ok: false, unknown };
  const checklist: Checklist = { ...current };
  const changed: string[] = [];
  for (const id of Object.keys(current)) {
    const tick = ticks[id];
    if (tick === undefined || tick === current[id]) continue;
    checklist[id] = tick;
    changed.push(id);
  }
  return { ok: true, checklist, changed };
}
