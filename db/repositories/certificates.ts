import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, inArray, lte } from "drizzle-orm";
import type { CertificateDeliveryChannel } from "../../core/certificate/record.ts";
import type { SeparationType } from "../../core/offboarding/separation.ts";
import { activeCaseStatuses, type CaseStatus } from "../../core/offboarding/transitions.ts";
import type { Db } from "../client.ts";
import {
  caseSteps,
  cases,
  certificateDeliveries,
  certificates,
  employeeDataKeys,
  employees,
  outbox,
  type SealedField,
} from "../schema/index.ts";
import { type MasterKey, openField, sealField, unwrapDataKey } from "../sealing.ts";

export type CertificateRow = typeof certificates.$inferSelect;

/** What issuing a certificate needs to know about a case. */
export type CertificateCase = {
  id: string;
  status: CaseStatus;
  separationType: SeparationType;
  plannedLastDay: string;
  /** The employee's time zone, recorded when the case opened: "the last day has come" is read in it. */
  timeZone: string;
  entityId: string | null;
  employeeId: string;
  employeeExternalId: string;
  /** The owner of the `procedures` step (HR's step that issues the certificate). */
  proceduresOwner: string | null;
};

/** The step that issues the certificate in the shipped templates (DESIGN §6). */
const proceduresStep = "procedures";

/** What the certificate needs of a case and its employee. */
const certificateCaseColumns = {
  id: cases.id,
  status: cases.status,
  separationType: cases.separationType,
  plannedLastDay: cases.plannedLastDay,
  timeZone: cases.timeZone,
  entityId: cases.entityId,
  employeeId: cases.employeeId,
  employeeExternalId: employees.externalId,
};

export async function loadCertificateCase(db: Db, caseId: string): Promise<CertificateCase | undefined> {
  const rows = await db
    .select(certificateCaseColumns)
    .from(cases)
    .innerJoin(employees, eq(employees.id, cases.employeeId))
    .where(eq(cases.id, caseId));
  const row = rows[0];
  if (!row) return undefined;
  const step = await db
    .select({ owner: caseSteps.owner })
    .from(caseSteps)
    .where(and(eq(caseSteps.caseId, caseId), eq(caseSteps.key, proceduresStep)));
  return { ...row, proceduresOwner: step[0]?.owner ?? null };
}

/**
 * Running cases whose last day is on or before `upTo` and that have no standing certificate: the
 * candidates for the "unissued on the last day" alert (the caller checks each one's own time zone).
 */
export async function casesWithoutCertificate(db: Db, upTo: string): Promise<CertificateCase[]> {
  const rows = await db
    .select({
      ...certificateCaseColumns,
      certificateId: certificates.id,
      proceduresOwner: caseSteps.owner,
    })
    .from(cases)
    .innerJoin(employees, eq(employees.id, cases.employeeId))
    .leftJoin(certificates, and(eq(certificates.caseId, cases.id), eq(certificates.status, "issued")))
    .leftJoin(caseSteps, and(eq(caseSteps.caseId, cases.id), eq(caseSteps.key, proceduresStep)))
    .where(and(inArray(cases.status, [...activeCaseStatuses]), lte(cases.plannedLastDay, upTo)))
    .orderBy(asc(cases.plannedLastDay), asc(cases.id));
  return rows
    .filter((r) => r.certificateId === null)
    .map(({ certificateId: _none, ...row }) => ({ ...row, proceduresOwner: row.proceduresOwner ?? null }));
}

export async function certificatesOfCase(db: Db, caseId: string): Promise<CertificateRow[]> {
  return db
    .select()
    .from(certificates)
    .where(eq(certificates.caseId, caseId))
    .orderBy(desc(certificates.version));
}

export async function findCertificate(db: Db, id: string): Promise<CertificateRow | undefined> {
  const rows = await db.select().from(certificates).where(eq(certificates.id, id));
  return rows[0];
}

/** The external id of the employee a certificate is for. */
export async function holderOf(db: Db, employeeId: string): Promise<string | undefined> {
  const rows = await db
    .select({ externalId: employees.externalId })
    .from(employees)
    .where(eq(employees.id, employeeId));
  return rows[0]?.externalId;
}

/** Inserts a version; false when the case already has a standing certificate or that version (a race lost). */
export async function insertCertificate(tx: Db, row: typeof certificates.$inferInsert): Promise<boolean> {
  const inserted = await tx
    .insert(certificates)
    .values(row)
    .onConflictDoNothing()
    .returning({ id: certificates.id });
  return inserted.length > 0;
}

export async function markReplaced(tx: Db, id: string, replacedBy: string): Promise<void> {
  await tx.update(certificates).set({ replacedBy }).where(eq(certificates.id, id));
}

/** Revokes a standing certificate; false when it was not standing (already revoked, or unknown). */
export async function markRevoked(tx: Db, id: string, by: string, at: Date): Promise<boolean> {
  const rows = await tx
    .update(certificates)
    .set({ status: "revoked", revokedBy: by, revokedAt: at })
    .where(and(eq(certificates.id, id), eq(certificates.status, "issued")))
    .returning({ id: certificates.id });
  return rows.length > 0;
}

export async function recordDelivery(
  tx: Db,
  delivery: {
    certificateId: string;
    channel: CertificateDeliveryChannel;
    recipient: string;
    outboxDedupeKey?: string;
    evidenceId: string;
    at: Date;
  },
): Promise<void> {
  await tx.insert(certificateDeliveries).values({
    id: randomUUID(),
    certificateId: delivery.certificateId,
    channel: delivery.channel,
    recipient: delivery.recipient,
    outboxDedupeKey: delivery.outboxDedupeKey ?? null,
    evidenceId: delivery.evidenceId,
    at: delivery.at,
  });
}

export type DeliveryView = {
  channel: CertificateDeliveryChannel;
  recipient: string;
  at: string;
  /** For a notification: the outbox row's state (pending, sending, sent, dead) and when it was sent. */
  status: string;
  sentAt: string | null;
};

/** Each delivery of the given certificates with the state of its outbox row. */
export async function deliveriesOf(db: Db, certificateIds: string[]): Promise<Map<string, DeliveryView[]>> {
  const out = new Map<string, DeliveryView[]>();
  if (certificateIds.length === 0) return out;
  const rows = await db
    .select({
      certificateId: certificateDeliveries.certificateId,
      channel: certificateDeliveries.channel,
      recipient: certificateDeliveries.recipient,
      at: certificateDeliveries.at,
      outboxStatus: outbox.status,
      sentAt: outbox.sentAt,
    })
    .from(certificateDeliveries)
    .leftJoin(outbox, eq(outbox.dedupeKey, certificateDeliveries.outboxDedupeKey))
    .where(inArray(certificateDeliveries.certificateId, certificateIds))
    .orderBy(asc(certificateDeliveries.at));
  for (const row of rows) {
    const list = out.get(row.certificateId) ?? [];
    list.push({
      channel: row.channel,
      recipient: row.recipient,
      at: row.at.toISOString(),
      status: row.channel === "download" ? "downloaded" : (row.outboxStatus ?? "unknown"),
      sentAt: row.sentAt?.toISOString() ?? null,
    });
    out.set(row.certificateId, list);
  }
  return out;
}

/** The employee's data key, or undefined when it was destroyed (erasure) or never made. */
async function dataKeyOf(db: Db, master: MasterKey, employeeId: string) {
  const rows = await db.select().from(employeeDataKeys).where(eq(employeeDataKeys.employeeId, employeeId));
  const row = rows[0];
  if (!row?.wrappedKey) return undefined;
  return { kid: row.kid, key: unwrapDataKey(master, employeeId, row.wrappedKey) };
}

const sealedName = (certificateId: string, part: "content" | "pdf") => `certificate:${certificateId}:${part}`;

/** Seals a certificate's content and PDF under the employee's data key (bound to the certificate by AAD). */
export async function sealCertificate(
  db: Db,
  master: MasterKey,
  input: { employeeId: string; certificateId: string; content: string; pdf: Uint8Array },
): Promise<{ content: SealedField; pdf: SealedField } | undefined> {
  const key = await dataKeyOf(db, master, input.employeeId);
  if (!key) return undefined;
  const seal = (part: "content" | "pdf", value: string) =>
    sealField(key.key, key.kid, input.employeeId, sealedName(input.certificateId, part), value);
  return {
    content: seal("content", input.content),
    pdf: seal("pdf", Buffer.from(input.pdf).toString("base64")),
  };
}

/** The PDF as delivered, or undefined when the employee's personal data was erased. */
export async function openCertificatePdf(
  db: Db,
  master: MasterKey,
  row: CertificateRow,
): Promise<Uint8Array | undefined> {
  const key = await dataKeyOf(db, master, row.employeeId);
  if (!key) return undefined;
  const base64 = openField(key.key, row.employeeId, sealedName(row.id, "pdf"), row.pdf);
  return new Uint8Array(Buffer.from(base64, "base64"));
}

/** The content JSON (canonical, as hashed), or undefined when the personal data was erased. */
export async function openCertificateContent(
  db: Db,
  master: MasterKey,
  row: CertificateRow,
): Promise<string | undefined> {
  const key = await dataKeyOf(db, master, row.employeeId);
  if (!key) return undefined;
  return openField(key.key, row.employeeId, sealedName(row.id, "content"), row.content);
}
