import { and, asc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import { AppError } from "../core/errors.ts";
import type { Recipient } from "../core/notifications/notification.ts";
import { defaultBackoff, retryDelayMs } from "../core/notifications/pacing.ts";
import type { Db } from "./client.ts";
import { enqueueNotification } from "./outbox.ts";
import { recordEvidence } from "./repositories/evidence.ts";
import {
  caseSteps,
  cases,
  connectorActions,
  connectorRequests,
  employees,
  handoverAccounts,
} from "./schema/index.ts";
import { markFinanceRequested } from "./settlements.ts";

/* ------------------------------------------------------------------ outbound: requests at step start */

/** The connector call each step makes when it starts (DESIGN §8). */
export const connectorCalls = [
  { system: "crm", stepKey: "handover", kind: "connector.crm.handover" },
  { system: "finance", stepKey: "settlement", kind: "connector.finance.settlement-check" },
] as const;

export type ConnectorSystemName = (typeof connectorCalls)[number]["system"];

/**
 * Queues the connector call of every started step that has not made it yet — CRM when the
 * handover starts, finance when the settlement starts — for the systems that are on, while the
 * case runs. Each call is
 * an outbox row with recipient `{ type: "system" }`, written with a marker row and its evidence in
 * one transaction, so it goes out once however often this runs and on however many instances.
 */
export async function requestConnectorCalls(
  db: Db,
  input: { systems: readonly ConnectorSystemName[]; now: Date },
): Promise<number> {
  let queued = 0;
  for (const call of connectorCalls.filter((c) => input.systems.includes(c.system))) {
    const due = await db
      .select({
        caseId: caseSteps.caseId,
        entityId: cases.entityId,
        plannedLastDay: cases.plannedLastDay,
        employeeExternalId: employees.externalId,
      })
      .from(caseSteps)
      .innerJoin(cases, eq(cases.id, caseSteps.caseId))
      .innerJoin(employees, eq(employees.id, cases.employeeId))
      .leftJoin(
        connectorRequests,
        and(eq(connectorRequests.caseId, caseSteps.caseId), eq(connectorRequests.system, call.system)),
      )
      .where(
        and(
          eq(caseSteps.key, call.stepKey),
          // A step done before the next tick still needs its call (CRM revokes access at exit).
          inArray(caseSteps.status, ["active", "done"]),
          inArray(cases.status, ["open", "on-hold"]),
          isNull(connectorRequests.caseId),
        ),
      )
      .limit(500);
    for (const step of due) {
      const dedupeKey = `connector:${call.system}:${step.caseId}`;
      const made = await db.transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        const marked = await tx
          .insert(connectorRequests)
          .values({
            caseId: step.caseId,
            system: call.system,
            stepKey: call.stepKey,
            dedupeKey,
            requestedAt: input.now,
          })
          .onConflictDoNothing()
          .returning({ caseId: connectorRequests.caseId });
        if (marked.length === 0) return false;
        const recipient: Recipient = { type: "system", system: call.system };
        await enqueueNotification(
          tx,
          {
            kind: call.kind,
            recipient,
            data: {
              caseId: step.caseId,
              employeeExternalId: step.employeeExternalId,
              plannedLastDay: step.plannedLastDay,
            },
            dedupeKey,
          },
          input.now,
        );
        if (call.system === "finance") {
          await markFinanceRequested(tx, step.caseId, input.now);
        }
        await recordEvidence(tx, {
          at: input.now,
          actor: "system:baton",
          action: "connector.request.queued",
          subject: `case:${step.caseId}`,
          data: { system: call.system, step: call.stepKey, dedupeKey },
        });
        return true;
      });
      if (made) queued += 1;
    }
  }
  return queued;
}

/* ------------------------------------------------------------------ inbound: CRM accounts */

async function lockCase(tx: Db, caseId: string) {
  const [row] = await tx
    .select({ id: cases.id, status: cases.status, entityId: cases.entityId })
    .from(cases)
    .where(eq(cases.id, caseId))
    .for("update");
  if (!row) throw new AppError("not_found", `No case has the id ${caseId}.`);
  return row;
}

export type CrmAccount = { id: string; name: string; kind?: string | undefined };

/** The checklist item a CRM account becomes on the handover step. */
export const crmChecklistItem = (accountId: string) => `crm:${accountId}`;

/**
 * CRM's list of the leaver's accounts: each becomes an (unticked) item of the handover checklist,
 * added to the step's checklist while the handover is not done; names are kept for the card. The
 * case row is locked first, as the offboarding engine does, so neither overwrites the other.
 */
export async function recordCrmAccounts(
  tx: Db,
  input: { caseId: string; accounts: readonly CrmAccount[]; webhookId: string; now: Date },
): Promise<{ added: number }> {
  await lockCase(tx, input.caseId);
  for (const account of input.accounts) {
    await tx
      .insert(handoverAccounts)
      .values({
        caseId: input.caseId,
        accountId: account.id,
        name: account.name,
        kind: account.kind ?? null,
        receivedAt: input.now,
      })
      .onConflictDoUpdate({
        target: [handoverAccounts.caseId, handoverAccounts.accountId],
        set: { name: account.name, kind: account.kind ?? null },
      });
  }
  const [step] = await tx
    .select()
    .from(caseSteps)
    .where(and(eq(caseSteps.caseId, input.caseId), eq(caseSteps.key, "handover")));
  let added = 0;
  if (step && (step.status === "pending" || step.status === "active")) {
    const checklist = { ...((step.data.checklist ?? {}) as Record<string, boolean>) };
    for (const account of input.accounts) {
      const item = crmChecklistItem(account.id);
      if (!(item in checklist)) {
        checklist[item] = false;
        added += 1;
      }
    }
    if (added > 0) {
      await tx
        .update(caseSteps)
        .set({ data: { ...step.data, checklist }, updatedAt: input.now })
        .where(and(eq(caseSteps.caseId, input.caseId), eq(caseSteps.key, "handover")));
      if (step.owner.startsWith("employee:")) {
        await enqueueNotification(
          tx,
          {
            kind: "handover.accounts-listed",
            recipient: { type: "person", principal: step.owner },
            data: { caseId: input.caseId, step: "handover", added, accounts: input.accounts.length },
            dedupeKey: `handover.accounts:${input.caseId}:${input.webhookId}`,
          },
          input.now,
        );
      }
    }
  }
  await recordEvidence(tx, {
    at: input.now,
    actor: "system:crm",
    action: "handover.crm.accounts-listed",
    subject: `case:${input.caseId}`,
    data: {
      webhookId: input.webhookId,
      accounts: input.accounts.map((a) => a.id),
      checklistItemsAdded: added,
      stepStatus: step?.status ?? null,
    },
  });
  return { added };
}

export async function recordCrmAccessRevoked(
  tx: Db,
  input: { caseId: string; webhookId: string; now: Date },
) {
  await lockCase(tx, input.caseId);
  await recordEvidence(tx, {
    at: input.now,
    actor: "system:crm",
    action: "handover.crm.access-revoked",
    subject: `case:${input.caseId}`,
    data: { webhookId: input.webhookId },
  });
}

/** CRM's accounts for a case's handover, in id order. */
export async function handoverAccountsOf(db: Db, caseId: string) {
  const rows = await db
    .select()
    .from(handoverAccounts)
    .where(eq(handoverAccounts.caseId, caseId))
    .orderBy(asc(handoverAccounts.accountId));
  return rows.map((r) => ({
    id: r.accountId,
    name: r.name,
    kind: r.kind,
    checklistItem: crmChecklistItem(r.accountId),
    receivedAt: r.receivedAt.toISOString(),
  }));
}

/* ------------------------------------------------------------------ actions run after the inbox */

export type ConnectorActionKind = (typeof connectorActions.$inferSelect)["kind"];

/** Written by an inbox processor, in the inbox's transaction. One per inbound message. */
export async function queueConnectorAction(
  tx: Db,
  input: {
    kind: ConnectorActionKind;
    system: string;
    inboxId: number;
    webhookId: string;
    payload: Record<string, unknown>;
    now: Date;
  },
): Promise<void> {
  await tx
    .insert(connectorActions)
    .values({
      kind: input.kind,
      system: input.system,
      inboxId: input.inboxId,
      webhookId: input.webhookId,
      payload: input.payload,
      notBefore: input.now,
      createdAt: input.now,
    })
    .onConflictDoNothing({ target: connectorActions.inboxId });
}

export type ClaimedAction = {
  id: number;
  kind: ConnectorActionKind;
  system: string;
  webhookId: string;
  payload: Record<string, unknown>;
  attempts: number;
};

/** Leases due actions to the caller (FOR UPDATE SKIP LOCKED): another instance will not take them until the lease ends. */
export async function claimConnectorActions(
  db: Db,
  input: { now: Date; leaseMs: number; limit: number },
): Promise<ClaimedAction[]> {
  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const due = await tx
      .select({ id: connectorActions.id })
      .from(connectorActions)
      .where(and(eq(connectorActions.status, "pending"), lte(connectorActions.notBefore, input.now)))
      .orderBy(asc(connectorActions.id))
      .limit(input.limit)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    const rows = await tx
      .update(connectorActions)
      .set({
        attempts: sql`${connectorActions.attempts} + 1`,
        notBefore: new Date(input.now.getTime() + input.leaseMs),
      })
      .where(
        inArray(
          connectorActions.id,
          due.map((d) => d.id),
        ),
      )
      .returning();
    return rows
      .map((r) => ({
        id: r.id,
        kind: r.kind,
        system: r.system,
        webhookId: r.webhookId,
        payload: r.payload ?? {},
        attempts: r.attempts,
      }))
      .sort((a, b) => a.id - b.id);
  });
}

export async function finishConnectorAction(
  db: Db,
  input: { id: number; now: Date; result: Record<string, unknown> },
): Promise<void> {
  await db
    .update(connectorActions)
    .set({ status: "done", payload: null, result: input.result, doneAt: input.now, lastError: null })
    .where(eq(connectorActions.id, input.id));
}

/** Not yet possible (finance answered before the settlement step started): look again later, without counting a try. */
export async function deferConnectorAction(
  db: Db,
  input: { id: number; until: Date; reason: string },
): Promise<void> {
  await db
    .update(connectorActions)
    .set({
      notBefore: input.until,
      attempts: sql`greatest(${connectorActions.attempts} - 1, 0)`,
      lastError: input.reason,
    })
    .where(eq(connectorActions.id, input.id));
}

/** Tries before an action is given up (with an HR alert). */
export const maxActionAttempts = 8;

/**
 * A failed try: the request itself was refused (an AppError that is not about capacity: unknown
 * employee, a case already open) or tries ran out → failed, with an HR alert; else retried later.
 */
export async function failConnectorAction(
  db: Db,
  input: { action: ClaimedAction; error: unknown; now: Date; random?: () => number },
): Promise<"failed" | "retry"> {
  const { action, error, now } = input;
  const refused =
    error instanceof AppError && !["rate_limited", "not_ready", "internal"].includes(error.code);
  const text = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 500);
  if (!refused && action.attempts < maxActionAttempts) {
    await db
      .update(connectorActions)
      .set({
        lastError: text,
        notBefore: new Date(
          now.getTime() + retryDelayMs(action.attempts, defaultBackoff, input.random ?? Math.random),
        ),
      })
      .where(eq(connectorActions.id, action.id));
    return "retry";
  }
  await db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    await tx
      .update(connectorActions)
      .set({ status: "failed", payload: null, lastError: text, doneAt: now })
      .where(eq(connectorActions.id, action.id));
    await enqueueNotification(
      tx,
      {
        kind: "hr.alert",
        recipient: { type: "channel", purpose: "hr" },
        data: {
          alert: "connector.action.failed",
          system: action.system,
          action: action.kind,
          webhookId: action.webhookId,
          code: error instanceof AppError ? error.code : "error",
          reason: error instanceof AppError ? (error.messageKey ?? error.message) : "retries exhausted",
        },
        dedupeKey: `connector.action.failed:${action.id}`,
      },
      now,
    );
    await recordEvidence(tx, {
      at: now,
      actor: `system:${action.system}`,
      action: "connector.action.failed",
      subject: `connector:${action.system}`,
      data: {
        actionId: action.id,
        kind: action.kind,
        webhookId: action.webhookId,
        code: error instanceof AppError ? error.code : "error",
      },
    });
  });
  return "failed";
}
