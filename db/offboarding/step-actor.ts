import { stepOf } from "../../core/offboarding/template.ts";
import { actingParty, decideCompletion } from "../../core/offboarding/transitions.ts";
import type { Db } from "../client.ts";
import { functionsOf } from "../repositories/directory.ts";
import { loadState } from "./engine.ts";
import { stepNotFound } from "./step-errors.ts";

/**
 * What acting on one step of a case starts with (completing it, saving its checklist): the case
 * locked for this transaction, the step and its template rule, the trimmed note, and the core's
 * decision whether this actor may act on it and in which capacity.
 */
export async function lockedStepFor(
  tx: Db,
  input: { caseId: string; stepKey: string; actor: string; note?: string | null | undefined },
) {
  const state = await loadState(tx, input.caseId, { lock: true });
  const rule = stepOf(state.template, input.stepKey);
  const step = state.steps.find((s) => s.key === input.stepKey);
  if (!rule || !step) throw stepNotFound(input.stepKey);
  const note = input.note?.trim() ? input.note.trim() : null;
  const actor = actingParty(input.actor, await functionsOf(tx, input.actor));
  const decision = decideCompletion({
    step: { ...step, readsGates: rule.readsGates },
    actor,
    employee: state.employee.principal,
    hasReason: note !== null,
  });
  return { state, rule, step, note, actor, decision };
}
