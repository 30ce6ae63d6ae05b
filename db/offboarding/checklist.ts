import { AppError } from "../../core/errors.ts";
import {
  applyTicks,
  type Checklist,
  checklistSaveTransition,
  decideChecklistSave,
} from "../../core/offboarding/checklist.ts";
import type { SaveChecklistInput, StepResult } from "../../core/offboarding/commands.ts";
import type { Db } from "../client.ts";
import { caseEvidence, type OffboardingDeps, stepWriter } from "./engine.ts";
import { loadCaseView, sha256, updateCase } from "./repository.ts";
import { lockedStepFor } from "./step-actor.ts";
import { badData, ownCase, reasonRequired, stepNotStarted, unknownItems } from "./step-errors.ts";

/** How many unknown item ids an error names; the rest are counted. */
function refused(refusal: "own-case" | "not-allowed" | "reason-required" | "receiver", step: string) {
  switch (refusal) {
    case "own-case":
      return ownCase();
    case "reason-required":
      return reasonRequired();
    case "receiver":
      return new AppError(
        "forbidden",
        `The receiver confirms receipt; the owner of the ${step} step ticks its checklist.`,
        { messageKey: "case.checklist_receiver", params: { step } },
      );
    case "not-allowed":
      return new AppError("forbidden", `You may not change the checklist of the ${step} step.`, {
        messageKey: "case.checklist_not_yours",
        params: { step },
      });
  }
}

type Outcome = { changed: boolean; capacity: string };

async function saveInTransaction(tx: Db, input: SaveChecklistInput & { now: Date }): Promise<Outcome> {
  const { now } = input;
  const { state, rule, step, note, actor, decision: completion } = await lockedStepFor(tx, input);
  const decision = decideChecklistSave(completion);
  if (!decision.allowed) throw refused(decision.refusal, step.key);
  const { capacity } = decision;

  if (!rule.withReceiver) throw badData(`the ${step.key} step has no checklist`);
  switch (checklistSaveTransition(step.status)) {
    case "not-started":
      throw stepNotStarted(step.key);
    case "closed":
      throw new AppError("conflict", `The ${step.key} step is ${step.status}; it cannot be changed.`, {
        messageKey: "case.step_closed",
        params: { step: step.key, status: step.status },
      });
    case "save":
      break;
  }
  if (state.row.status !== "open" && state.row.status !== "on-hold") {
    throw new AppError("conflict", `The case is ${state.row.status}.`, {
      messageKey: "case.not_active",
      params: { status: state.row.status },
    });
  }

  const current = (step.data.checklist ?? {}) as Checklist;
  const change = applyTicks(current, input.checklist);
  if (!change.ok) throw unknownItems(change.unknown);
  if (change.changed.length === 0) return { changed: false, capacity };

  const writer = stepWriter(state);
  writer.set(step.key, { data: { ...step.data, checklist: change.checklist } });
  await writer.flush(tx, now);
  await updateCase(tx, state.row, {}, now);
  state.row.version += 1;
  await caseEvidence(tx, state, {
    actor: actor.principal,
    action: "case.checklist.saved",
    now,
    data: {
      step: step.key,
      capacity,
      noteSha256: note ? sha256(note) : null,
      changed: Object.fromEntries(change.changed.map((id) => [id, change.checklist[id]])),
      done: Object.values(change.checklist).filter(Boolean).length,
      items: Object.keys(change.checklist).length,
    },
  });
  return { changed: true, capacity };
}

/**
 * Saves handover checklist progress without completing the step (DESIGN §6, §9): the parties who
 * may complete the step's owner side may save, the receiver may not; only while the step runs;
 * unknown items are a 422; a save that changes nothing writes nothing. One transaction, the case
 * row locked, as completeStep.
 */
export async function saveChecklist(deps: OffboardingDeps, input: SaveChecklistInput): Promise<StepResult> {
  const { db } = deps.database;
  const now = deps.clock.now();
  const outcome = await db.transaction((tx) => saveInTransaction(tx as unknown as Db, { ...input, now }));
  if (outcome.changed) deps.chainWriter?.wake();
  return {
    case: await loadCaseView(db, input.caseId),
    changed: outcome.changed,
    capacity: outcome.capacity,
  };
}
