import { z } from "zod";
import { isIsoDate } from "../../../core/compliance/dates.ts";
import { AppError } from "../../../core/errors.ts";
import {
  type ClaimedAction,
  claimConnectorActions,
  deferConnectorAction,
  failConnectorAction,
  finishConnectorAction,
} from "../../../db/connectors.ts";
import { offboardingCommands } from "../../../db/offboarding/index.ts";
import { offboardingDepsOf } from "../offboarding.ts";
import type { ModuleServices } from "../services.ts";

const openCasePayload = z.object({
  employeeExternalId: z.string(),
  noticeDate: z.string().refine(isIsoDate),
  requestedLastDay: z.string().refine(isIsoDate).optional(),
  reason: z.string().optional(),
});

const settlementPayload = z.object({ caseId: z.string() });

/** How long a claimed action stays this instance's. */
const leaseMs = 5 * 60_000;

export type ActionsReport = { done: number; retried: number; deferred: number; failed: number };

/** How often an answer that came before its step started is tried again. */
const notStartedRecheckMs = 15 * 60_000;

/** What the module registries hand over: the services before the gates and jobs are added to them. */
export type { ModuleServices };

/**
 * Carries out one action through the offboarding commands. OA: opens the resignation case as
 * `POST /api/v1/resignations` does, idempotent by the `webhook-id`. Finance "settled": completes
 * the settlement step as the finance system (a repeat changes nothing).
 */
async function carryOut(services: ModuleServices, action: ClaimedAction): Promise<Record<string, unknown>> {
  switch (action.kind) {
    case "open-case": {
      const input = openCasePayload.parse(action.payload);
      const opened = await offboardingCommands(offboardingDepsOf(services)).openCase({
        employeeExternalId: input.employeeExternalId,
        noticeDate: input.noticeDate,
        separationType: "resignation",
        requestedLastDay: input.requestedLastDay ?? null,
        reason: input.reason ?? null,
        actor: `system:${action.system}`,
        channel: action.system,
        idempotencyKey: action.webhookId,
      });
      return { caseId: opened.case.id, created: opened.created };
    }
    case "complete-settlement": {
      const input = settlementPayload.parse(action.payload);
      const result = await offboardingCommands(offboardingDepsOf(services)).completeStep({
        caseId: input.caseId,
        stepKey: "settlement",
        actor: `system:${action.system}`,
        data: { finance: "settled", reference: action.webhookId },
      });
      return { caseId: input.caseId, changed: result.changed };
    }
  }
}

/** Runs the due connector actions; safe on several instances (claims are leased, commands idempotent). */
export async function runConnectorActions(services: ModuleServices, now: Date): Promise<ActionsReport> {
  const report: ActionsReport = { done: 0, retried: 0, deferred: 0, failed: 0 };
  const { db } = services.database;
  for (;;) {
    const actions = await claimConnectorActions(db, { now, leaseMs, limit: 20 });
    for (const action of actions) {
      try {
        const result = await carryOut(services, action);
        await finishConnectorAction(db, { id: action.id, now, result });
        report.done += 1;
      } catch (error) {
        // Finance may answer before the settlement step has started: wait for it, however long.
        if (error instanceof AppError && error.messageKey === "case.step_not_started") {
          await deferConnectorAction(db, {
            id: action.id,
            until: new Date(now.getTime() + notStartedRecheckMs),
            reason: "the settlement step has not started yet",
          });
          report.deferred += 1;
          continue;
        }
        const outcome = await failConnectorAction(db, { action, error, now });
        report[outcome === "failed" ? "failed" : "retried"] += 1;
        services.logger.warn(
          {
            actionId: action.id,
            kind: action.kind,
            outcome,
            error: error instanceof Error ? error.name : "error",
          },
          "connector action did not go through",
        );
      }
    }
    if (actions.length < 20) return report;
  }
}
