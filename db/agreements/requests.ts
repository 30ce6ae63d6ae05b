import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray } from "drizzle-orm";
import { dueDateFor, type RequestReason } from "../../core/agreements/reminders.ts";
import { dateInTimeZone, type IsoDate } from "../../core/compliance/dates.ts";
import type { Db } from "../client.ts";
import { enqueueNotification } from "../outbox.ts";
import type { AgreementVersionRow } from "../repositories/agreements.ts";
import { recordEvidence } from "../repositories/evidence.ts";
import { employees, signatureRequests, signatures } from "../schema/index.ts";

export type SignatureRequestRow = typeof signatureRequests.$inferSelect;
export type EmployeeRow = typeof employees.$inferSelect;

export type SignatureRequestView = {
  id: string;
  agreementId: string;
  version: number;
  employeeExternalId: string;
  reason: RequestReason;
  caseId: string | null;
  requestedAt: string;
  dueDate: IsoDate;
  status: "pending" | "signed";
  signatureId: string | null;
};

export function requestView(row: SignatureRequestRow, employeeExternalId: string): SignatureRequestView {
  return {
    id: row.id,
    agreementId: row.agreementId,
    version: row.version,
    employeeExternalId,
    reason: row.reason,
    caseId: row.caseId,
    requestedAt: row.requestedAt.toISOString(),
    dueDate: row.dueDate,
    status: row.status,
    signatureId: row.signatureId,
  };
}

export async function employeeByExternalId(db: Db, externalId: string): Promise<EmployeeRow | undefined> {
  const [row] = await db.select().from(employees).where(eq(employees.externalId, externalId));
  return row;
}

export async function employeeById(db: Db, id: string): Promise<EmployeeRow | undefined> {
  const [row] = await db.select().from(employees).where(eq(employees.id, id));
  return row;
}

export async function findRequest(
  db: Db,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<SignatureRequestRow | undefined> {
  const query = db.select().from(signatureRequests).where(eq(signatureRequests.id, id));
  const [row] = options.forUpdate ? await query.for("update") : await query;
  return row;
}

/** The employee's requests for these versions (signed or not), keyed `agreementId@version`. */
export async function requestsOfEmployee(
  db: Db,
  employeeId: string,
): Promise<Map<string, SignatureRequestRow>> {
  const rows = await db.select().from(signatureRequests).where(eq(signatureRequests.employeeId, employeeId));
  return new Map(rows.map((r) => [`${r.agreementId}@${r.version}`, r]));
}

/** Whether the employee has signed this version (whichever request it came through). */
export async function hasSigned(
  db: Db,
  employeeId: string,
  agreementId: string,
  version: number,
): Promise<boolean> {
  const rows = await db
    .select({ id: signatures.id })
    .from(signatures)
    .where(
      and(
        eq(signatures.employeeId, employeeId),
        eq(signatures.agreementId, agreementId),
        eq(signatures.version, version),
      ),
    );
  return rows.length > 0;
}

export type EnsureRequestInput = {
  employee: EmployeeRow;
  version: AgreementVersionRow;
  reason: RequestReason;
  caseId?: string;
  /** A last date the request must not be due after (e.g. the planned last day of an offboarding case). */
  dueNotAfter?: IsoDate;
  actor: string;
  now: Date;
};

/**
 * Asks the employee to sign the version, inside the caller's transaction, unless they already
 * were asked (or have signed): one request per employee and version, however often this runs.
 * A new request is recorded as evidence and sent to the person through the outbox.
 */
export async function ensureSignatureRequest(
  tx: Db,
  input: EnsureRequestInput,
): Promise<{ request: SignatureRequestRow; created: boolean }> {
  const { employee, version, now } = input;
  const requestedOn = dateInTimeZone(now, employee.timeZone);
  const dueDate = dueDateFor(requestedOn, version.signWithinDays, input.dueNotAfter);
  const id = randomUUID();
  const inserted = await tx
    .insert(signatureRequests)
    .values({
      id,
      agreementId: version.agreementId,
      version: version.version,
      employeeId: employee.id,
      reason: input.reason,
      caseId: input.caseId ?? null,
      requestedBy: input.actor,
      requestedAt: now,
      requestedOn,
      dueDate,
    })
    .onConflictDoNothing()
    .returning();
  const created = inserted[0];
  if (!created) {
    const [existing] = await tx
      .select()
      .from(signatureRequests)
      .where(
        and(
          eq(signatureRequests.employeeId, employee.id),
          eq(signatureRequests.agreementId, version.agreementId),
          eq(signatureRequests.version, version.version),
        ),
      );
    return { request: existing as SignatureRequestRow, created: false };
  }
  await recordEvidence(tx, {
    at: now,
    actor: input.actor,
    action: "agreement.signature.requested",
    subject: `signature-request:${id}`,
    data: {
      requestId: id,
      agreementId: version.agreementId,
      version: version.version,
      agreementHash: version.hash,
      employee: `employee:${employee.externalId}`,
      reason: input.reason,
      caseId: input.caseId ?? null,
      dueDate,
    },
  });
  await enqueueNotification(
    tx,
    {
      kind: "agreement.signature.requested",
      recipient: { type: "person", principal: `employee:${employee.externalId}` },
      data: {
        requestId: id,
        agreementId: version.agreementId,
        version: version.version,
        title: version.title,
        hash: version.hash,
        dueDate,
        reason: input.reason,
        ...(input.caseId ? { caseId: input.caseId } : {}),
      },
      dedupeKey: `agreement-request:${id}`,
    },
    now,
  );
  return { request: created, created: true };
}

export type PendingRequest = {
  request: SignatureRequestRow;
  employee: Pick<EmployeeRow, "id" | "externalId" | "timeZone" | "entityId" | "status">;
};

/** Open requests of people still active, oldest due first (for reminders). */
export async function pendingRequests(db: Db): Promise<PendingRequest[]> {
  const rows = await db
    .select({
      request: signatureRequests,
      employee: {
        id: employees.id,
        externalId: employees.externalId,
        timeZone: employees.timeZone,
        entityId: employees.entityId,
        status: employees.status,
      },
    })
    .from(signatureRequests)
    .innerJoin(employees, eq(employees.id, signatureRequests.employeeId))
    .where(and(eq(signatureRequests.status, "pending"), eq(employees.status, "active")))
    .orderBy(asc(signatureRequests.dueDate), asc(signatureRequests.id));
  return rows;
}

/** Requests with the external ids of their employees, filtered. */
export async function listRequests(
  db: Db,
  filter: { employeeId?: string; status?: "pending" | "signed"; ids?: string[] },
): Promise<SignatureRequestView[]> {
  const conditions = [];
  if (filter.employeeId) conditions.push(eq(signatureRequests.employeeId, filter.employeeId));
  if (filter.status) conditions.push(eq(signatureRequests.status, filter.status));
  if (filter.ids) {
    if (filter.ids.length === 0) return [];
    conditions.push(inArray(signatureRequests.id, filter.ids));
  }
  const rows = await db
    .select({ request: signatureRequests, externalId: employees.externalId })
    .from(signatureRequests)
    .innerJoin(employees, eq(employees.id, signatureRequests.employeeId))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(signatureRequests.requestedAt), asc(signatureRequests.id))
    .limit(1000);
  return rows.map((r) => requestView(r.request, r.externalId));
}
