import canonicalize from "canonicalize";
import { z } from "zod";
import { externalIdPattern } from "../../core/directory/employee-input.ts";
import { AppError } from "../../core/errors.ts";
import { applyTicks } from "../../core/offboarding/checklist.ts";
import type { CompleteStepInput, StepResult } from "../../core/offboarding/commands.ts";
import { stepOf } from "../../core/offboarding/template.ts";
import { type Capacity, completionTransition } from "../../core/offboarding/transitions.ts";
import type { Db } from "../client.ts";
import {
  advance,
  type CaseState,
  caseEvidence,
  isAvailable,
  loadState,
  type OffboardingDeps,
  progressCase,
  readGates,
  stepWriter,
} from "./engine.ts";
import { loadCaseView, personByExternalId, sha256 } from "./repository.ts";
import { lockedStepFor } from "./step-actor.ts";
import { badData, ownCase, reasonRequired, stepNotStarted, unknownItems } from "./step-errors.ts";

/** A principal (`employee:E1`) or a bare external id (`E1`) naming a person. */
export function personPrincipal(value: string): string {
  return value.startsWith("employee:") ? value : `employee:${value}`;
}

const acknowledgeData = z.object({ receiver: z.string().min(1).max(80) }).passthrough();
const handoverData = z.object({ checklist: z.record(z.string(), z.boolean()).optional() }).passthrough();

function refusedFor(refusal: "own-case" | "not-allowed" | "reason-required", step: string): AppError {
  switch (refusal) {
    case "own-case":
      return ownCase();
    case "reason-required":
      return reasonRequired();
    case "not-allowed":
      return new AppError("forbidden", `You may not complete the ${step} step.`, {
        messageKey: "case.step_not_yours",
        params: { step },
      });
  }
}

/** The person named as handover receiver: a real, active colleague who is not the leaver. */
async function receiverOf(tx: Db, state: CaseState, value: string): Promise<string> {
  const principal = personPrincipal(value);
  const externalId = principal.slice("employee:".length);
  if (!externalIdPattern.test(externalId)) throw badData("receiver is not an employee id");
  const person = await personByExternalId(tx, externalId);
  if (!person || principal === state.employee.principal || !(await isAvailable(tx, person))) {
    throw new AppError("unprocessable", "The receiver must be an active colleague who is not leaving.", {
      messageKey: "case.bad_receiver",
      params: { receiver: externalId },
    });
  }
  return principal;
}

type Outcome = { changed: boolean; capacity: Capacity };

async function completeInTransaction(
  tx: Db,
  deps: OffboardingDeps,
  input: CompleteStepInput & { now: Date; gates: Awaited<ReturnType<typeof readGates>> },
): Promise<Outcome> {
  const { now } = input;
  const { state, rule, step, note, actor, decision } = await lockedStepFor(tx, input);
  if (!decision.allowed) throw refusedFor(decision.refusal, step.key);
  const { capacity } = decision;

  switch (completionTransition(step.status)) {
    case "already-done":
      return { changed: false, capacity };
    case "not-started":
      throw stepNotStarted(step.key);
    case "cancelled":
      throw new AppError("conflict", `The ${step.key} step was cancelled.`, {
        messageKey: "case.step_cancelled",
        params: { step: step.key },
      });
    case "complete":
      break;
  }
  if (state.row.status !== "open" && state.row.status !== "on-hold") {
    throw new AppError("conflict", `The case is ${state.row.status}.`, {
      messageKey: "case.not_active",
      params: { status: state.row.status },
    });
  }

  const writer = stepWriter(state);
  const data = input.data ?? {};
  const dataSha256 = Object.keys(data).length ? sha256(canonicalize(data) ?? "") : null;
  const evidenceBase = { step: step.key, capacity, noteSha256: note ? sha256(note) : null, dataSha256 };

  if (capacity === "receiver") {
    if (step.data.receiverConfirmedAt) return { changed: false, capacity };
    writer.set(step.key, { data: { ...step.data, receiverConfirmedAt: now.toISOString() } });
    await writer.flush(tx, now);
    await caseEvidence(tx, state, {
      actor: actor.principal,
      action: "case.handover.received",
      now,
      data: evidenceBase,
    });
    return { changed: true, capacity };
  }

  const facts: Record<string, unknown> = {};
  if (rule.namesReceiverFor) {
    const parsed = acknowledgeData.safeParse(data);
    if (!parsed.success) throw badData("name the handover receiver: data.receiver", parsed.error.issues);
    const receiver = await receiverOf(tx, state, parsed.data.receiver);
    const target = state.steps.find((s) => s.key === rule.namesReceiverFor);
    if (target && (target.status === "pending" || target.status === "active")) {
      writer.set(target.key, {
        receiver,
        nextActionAt: target.status === "active" ? now : target.nextActionAt,
      });
    }
    facts.receiver = receiver;
  }
  if (rule.withReceiver) {
    const parsed = handoverData.safeParse(data);
    if (!parsed.success) throw badData("checklist must map item ids to true or false", parsed.error.issues);
    const applied = applyTicks(
      (step.data.checklist ?? {}) as Record<string, boolean>,
      parsed.data.checklist ?? {},
    );
    if (!applied.ok) throw unknownItems(applied.unknown);
    facts.checklist = applied.checklist;
  }
  if (rule.readsGates && capacity === "employee") {
    const gates = input.gates;
    if (!gates?.every((g) => g.satisfied)) {
      throw new AppError("unprocessable", "What the check asks for is not done yet.", {
        messageKey: "case.gates_unsatisfied",
        details: (gates ?? [])
          .filter((g) => !g.satisfied)
          .map((g) => ({
            gate: g.gate,
            missing: g.items.filter((i) => !i.satisfied).map((i) => i.id),
          })),
      });
    }
    facts.gates = gates.map((g) => ({ gate: g.gate, satisfied: g.satisfied }));
  }

  const outcome =
    capacity === "hr-on-behalf"
      ? "on-behalf"
      : rule.readsGates && capacity === "employee"
        ? input.gates?.length
          ? "gates-satisfied"
          : "no-gates"
        : "completed";
  writer.set(step.key, {
    status: "done",
    completedAt: now,
    completedBy: actor.principal,
    outcome,
    nextActionAt: null,
    data: { ...writer.get(step.key).data, ...facts },
  });
  await caseEvidence(tx, state, {
    actor: actor.principal,
    action: "case.step.completed",
    now,
    data: { ...evidenceBase, outcome, ...(facts.receiver ? { receiver: facts.receiver } : {}) },
  });
  await advance(tx, state, { now, gates: deps.gates.length === 0 ? [] : undefined, writer });
  return { changed: true, capacity };
}

/**
 * Completes a step for `actor` (DESIGN §6, §9): the core rules decide who may; a repeat of a
 * completion changes nothing; a step not started (or cancelled) is a 409. Completing acknowledge
 * names the handover receiver; the receiver's own act on the handover confirms receipt; the
 * leaver's act on the check asks for the gates to be read, and passes only when they are met.
 */
export async function completeStep(deps: OffboardingDeps, input: CompleteStepInput): Promise<StepResult> {
  const { db } = deps.database;
  const now = deps.clock.now();
  const before = await loadState(db, input.caseId);
  const rule = stepOf(before.template, input.stepKey);
  const subject = {
    caseId: before.row.id,
    employeeExternalId: before.employee.externalId,
    role: before.employee.role,
  };
  const gates =
    rule?.readsGates && input.actor === before.employee.principal ? await readGates(deps, subject, now) : [];
  const outcome = await db.transaction((tx) =>
    completeInTransaction(tx as unknown as Db, deps, { ...input, now, gates }),
  );
  deps.chainWriter?.wake();
  if (outcome.changed && deps.gates.length > 0) await progressCase(deps, input.caseId, now);
  return {
    case: await loadCaseView(db, input.caseId),
    changed: outcome.changed,
    capacity: outcome.capacity,
  };
}
