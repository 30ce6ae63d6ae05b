import { and, eq, inArray, ne } from "drizzle-orm";
import type { Db } from "../client.ts";
import { caseSteps, cases } from "../schema/index.ts";
import {
  caseEvidence,
  groupOwner,
  hrChannel,
  isAvailable,
  loadState,
  managerOwner,
  notify,
  stepWriter,
} from "./engine.ts";
import { activeCaseIdOf, personById } from "./repository.ts";

type Move = { caseId: string; step: string; to: string; because: "manager-changed" | "owner-unavailable" };

/**
 * Keeps step owners real when the directory changes (DESIGN §6): a leaver's manager steps follow
 * a manager change; a deactivated owner, or one who is leaving themselves, hands their open steps
 * in other cases to that case's manager, or to HR when there is none available. HR's own
 * assignments stay with their person until that person becomes unavailable. Each move is recorded
 * and HR is told. Runs inside the caller's transaction: `upsertEmployee` calls it after every
 * change of an employee, and opening a case calls it for the leaver.
 */
export async function rehomeOpenSteps(
  tx: Db,
  input: { employeeId: string; actor: string; now: Date },
): Promise<number> {
  const person = await personById(tx, input.employeeId);
  if (!person) return 0;
  const moves: Move[] = [];

  const own = await activeCaseIdOf(tx, person.id);
  if (own) {
    const expected = await managerOwner(tx, person);
    const stale = await tx
      .select({ key: caseSteps.key })
      .from(caseSteps)
      .where(
        and(
          eq(caseSteps.caseId, own),
          eq(caseSteps.ownerRole, "manager"),
          eq(caseSteps.assignedBy, "template"),
          inArray(caseSteps.status, ["pending", "active"]),
          ne(caseSteps.owner, expected),
        ),
      );
    for (const s of stale) moves.push({ caseId: own, step: s.key, to: expected, because: "manager-changed" });
  }

  const held = await tx
    .select({
      caseId: caseSteps.caseId,
      key: caseSteps.key,
      ownerRole: caseSteps.ownerRole,
      employeeId: cases.employeeId,
    })
    .from(caseSteps)
    .innerJoin(cases, eq(cases.id, caseSteps.caseId))
    .where(
      and(
        eq(caseSteps.owner, person.principal),
        inArray(caseSteps.status, ["pending", "active"]),
        inArray(cases.status, ["open", "on-hold"]),
        ne(cases.employeeId, person.id),
      ),
    );
  if (held.length > 0 && !(await isAvailable(tx, person))) {
    for (const s of held) {
      let to: string;
      if (s.ownerRole === "manager") {
        const leaver = await personById(tx, s.employeeId);
        to = leaver ? await managerOwner(tx, leaver) : groupOwner("hr");
      } else {
        to = groupOwner(s.ownerRole === "finance" ? "finance" : "hr");
      }
      moves.push({ caseId: s.caseId, step: s.key, to, because: "owner-unavailable" });
    }
  }

  // Always lock cases in the same order, so two directory changes at once cannot deadlock.
  moves.sort((a, b) => a.caseId.localeCompare(b.caseId) || a.step.localeCompare(b.step));
  for (const move of moves) {
    const state = await loadState(tx, move.caseId, { lock: true });
    const writer = stepWriter(state);
    const step = writer.get(move.step);
    if (step.owner === move.to || (step.status !== "pending" && step.status !== "active")) continue;
    const from = step.owner;
    writer.set(move.step, {
      owner: move.to,
      assignedBy: "template",
      assignment: step.assignment + 1,
      nextActionAt: step.status === "active" ? input.now : step.nextActionAt,
    });
    await writer.flush(tx, input.now);
    await caseEvidence(tx, state, {
      actor: input.actor,
      action: "case.step.moved",
      now: input.now,
      data: { step: move.step, from, to: move.to, because: move.because },
    });
    await notify(
      tx,
      state,
      {
        kind: "case.updated",
        recipient: hrChannel(state),
        data: {
          caseId: move.caseId,
          employee: state.employee.externalId,
          action: "step.moved",
          step: move.step,
          from,
          to: move.to,
          because: move.because,
        },
        dedupeKey: `moved:${move.caseId}:${move.step}:${step.assignment + 1}`,
      },
      input.now,
    );
  }
  return moves.length;
}
