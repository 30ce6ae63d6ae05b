import { createHash, randomUUID } from "node:crypto";
import {
  type CertificateContent,
  type CertificateFacts,
  canonicalContent,
  certificateContent,
  certificateProblems,
  contentHash,
} from "../../../core/certificate/content.ts";
import { certificateDocument, formatServiceLength } from "../../../core/certificate/document.ts";
import {
  certificateJwsPayload,
  certificateJwsType,
  certificateSubject,
} from "../../../core/certificate/record.ts";
import { certificateDue, certificateRefusal } from "../../../core/certificate/rules.ts";
import { dateInTimeZone, type IsoDate } from "../../../core/compliance/dates.ts";
import type { ServiceLength } from "../../../core/compliance/severance.ts";
import { maskTail } from "../../../core/directory/masking.ts";
import type { Actor } from "../../../core/directory/permissions.ts";
import { AppError } from "../../../core/errors.ts";
import type { Db } from "../../../db/client.ts";
import { enqueueNotification } from "../../../db/outbox.ts";
import {
  type CertificateCase,
  type CertificateRow,
  certificatesOfCase,
  type DeliveryView,
  deliveriesOf,
  findCertificate,
  insertCertificate,
  loadCertificateCase,
  markReplaced,
  markRevoked,
  openCertificateContent,
  openCertificatePdf,
  recordDelivery,
  sealCertificate,
} from "../../../db/repositories/certificates.ts";
import { getEmployee, listEntities } from "../../../db/repositories/directory.ts";
import { recordEvidence } from "../../../db/repositories/evidence.ts";
import { createVerification, revokeVerification } from "../../../db/repositories/verifications.ts";
import type { Services } from "../services.ts";

type Deps = Pick<Services, "database" | "keys" | "signer" | "linkTokens" | "clock" | "config">;

/** The employee's download link lives as long as a link may (31 days); the file URL it leads to, minutes. */
export const downloadLinkSeconds = 31 * 24 * 3600;
export const downloadPurpose = "certificate.download";

const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

function transaction<T>(deps: Deps, fn: (tx: Db) => Promise<T>): Promise<T> {
  return deps.database.db.transaction((tx) => fn(tx as unknown as Db));
}

export const verifyUrlOf = (deps: Pick<Deps, "config">, verificationId: string) =>
  `${deps.config.publicUrl}/verify/${verificationId}`;

export type CertificateView = {
  id: string;
  caseId: string;
  version: number;
  status: CertificateRow["status"];
  issueDate: string;
  terminationDate: string;
  contentHash: string;
  pdfHash: string;
  jws: string;
  verifyUrl: string;
  pdfUrl: string;
  issuedBy: string;
  issuedAt: string;
  revokedBy: string | null;
  revokedAt: string | null;
  replacedBy: string | null;
  deliveries: DeliveryView[];
};

function view(deps: Deps, row: CertificateRow, deliveries: DeliveryView[]): CertificateView {
  return {
    id: row.id,
    caseId: row.caseId,
    version: row.version,
    status: row.status,
    issueDate: row.issueDate,
    terminationDate: row.terminationDate,
    contentHash: row.contentHash,
    pdfHash: row.pdfHash,
    jws: row.jws,
    verifyUrl: verifyUrlOf(deps, row.verificationId),
    pdfUrl: `/api/v1/certificates/${row.id}.pdf`,
    issuedBy: row.issuedBy,
    issuedAt: row.issuedAt.toISOString(),
    revokedBy: row.revokedBy,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    replacedBy: row.replacedBy,
    deliveries,
  };
}

async function viewOf(deps: Deps, row: CertificateRow): Promise<CertificateView> {
  const deliveries = await deliveriesOf(deps.database.db, [row.id]);
  return view(deps, row, deliveries.get(row.id) ?? []);
}

async function caseOrThrow(db: Db, caseId: string): Promise<CertificateCase> {
  const found = await loadCertificateCase(db, caseId);
  if (!found) throw new AppError("not_found", `No case has the id ${caseId}.`);
  return found;
}

function refuseUnlessHr(actor: Actor, kase: CertificateCase): void {
  const refusal = certificateRefusal(actor, kase.employeeExternalId);
  if (refusal === "hr_only") {
    throw new AppError("forbidden", "Only HR issues and revokes separation certificates.", {
      messageKey: "certificate.error.hr_only",
    });
  }
  if (refusal === "own_case") {
    throw new AppError("forbidden", "Nobody issues or revokes the certificate on their own case.", {
      messageKey: "certificate.error.own_case",
    });
  }
}

/** The facts of a case's certificate from the directory, as of `issueDate`. */
async function factsOf(deps: Deps, kase: CertificateCase, issueDate: IsoDate): Promise<CertificateFacts> {
  const db = deps.database.db;
  const employee = await getEmployee(db, deps.keys.encryption, kase.employeeExternalId, { sensitive: true });
  // The case keeps the entity it opened with; a later directory change does not move the employer.
  const entityId = kase.entityId ?? employee.entity;
  const entity = entityId ? (await listEntities(db)).find((e) => e.id === entityId) : undefined;
  return {
    entity: entity ? { id: entity.id, name: entity.name } : null,
    employee: {
      externalId: employee.externalId,
      name: employee.name,
      idNumber: employee.idNumber,
      position: employee.position,
      contractType: employee.contractType as CertificateFacts["employee"]["contractType"],
      contractStartDate: employee.contractStartDate,
      contractEndDate: employee.contractEndDate,
      serviceStartDate: employee.serviceStartDate,
      hireDate: employee.hireDate,
    },
    separationType: kase.separationType,
    terminationDate: kase.plannedLastDay,
    issueDate,
  };
}

function missingFacts(problems: { field: string; message: string }[]): AppError {
  const fields = problems.map((p) => p.field).join(", ");
  return new AppError("unprocessable", `Before the certificate can be issued, enter: ${fields}.`, {
    messageKey: "certificate.error.missing_facts",
    params: { fields },
    details: problems,
  });
}

export type CaseCertificates = {
  caseId: string;
  plannedLastDay: string;
  timeZone: string;
  /** Whether the last day has come (Art. 50: issue at termination). */
  due: boolean;
  current: CertificateView | null;
  versions: CertificateView[];
  /** What HR reviews before issuing: the computed years of service and anything still to enter. */
  draft: {
    problems: { field: string; message: string }[];
    yearsOfService: { start: string; length: ServiceLength; zh: string; en: string } | null;
    /** The content that would be issued today, ID number masked; null while facts are missing. */
    content: CertificateContent | null;
  } | null;
};

/** A case's certificates, newest first, and the draft HR reviews while none stands. */
export async function caseCertificates(deps: Deps, caseId: string): Promise<CaseCertificates> {
  const db = deps.database.db;
  const kase = await caseOrThrow(db, caseId);
  const rows = await certificatesOfCase(db, caseId);
  const deliveries = await deliveriesOf(
    db,
    rows.map((r) => r.id),
  );
  const versions = rows.map((r) => view(deps, r, deliveries.get(r.id) ?? []));
  const current = versions.find((v) => v.status === "issued") ?? null;
  const today = dateInTimeZone(deps.clock.now(), kase.timeZone);
  let draft: CaseCertificates["draft"] = null;
  if (!current) {
    const facts = await factsOf(deps, kase, today);
    const problems = certificateProblems(facts);
    const content = problems.length === 0 ? certificateContent(facts) : null;
    draft = {
      problems,
      yearsOfService: content
        ? {
            start: content.service.start,
            length: content.service.length,
            ...formatServiceLength(content.service.length),
          }
        : null,
      content: content
        ? { ...content, employee: { ...content.employee, idNumber: maskTail(content.employee.idNumber) } }
        : null,
    };
  }
  return {
    caseId,
    plannedLastDay: kase.plannedLastDay,
    timeZone: kase.timeZone,
    due: certificateDue(kase.plannedLastDay, today),
    current,
    versions,
    draft,
  };
}

class LostRace extends Error {}

/**
 * Issues the case's certificate (HR, on the last day or after): content from the directory, HR's
 * confirmation of the years of service, Baton's JWS, a verification page, the PDF — and, in the
 * same transaction, the evidence entry and the `certificate.issued` notification to the employee.
 * A repeat while a certificate stands answers that one (`created: false`). Nothing else gates it:
 * an open handover or settlement never does (LCL Art. 50).
 */
export async function issueCertificate(
  deps: Deps,
  caseId: string,
  actor: Actor,
  request: { yearsOfServiceConfirmed: boolean },
): Promise<{ created: boolean; certificate: CertificateView }> {
  const db = deps.database.db;
  const kase = await caseOrThrow(db, caseId);
  refuseUnlessHr(actor, kase);
  const existing = await certificatesOfCase(db, caseId);
  const standing = existing.find((r) => r.status === "issued");
  if (standing) return { created: false, certificate: await viewOf(deps, standing) };
  if (kase.status === "withdrawn") {
    throw new AppError("unprocessable", `The case is ${kase.status}; there is no separation to certify.`, {
      messageKey: "certificate.error.case_not_open",
      params: { status: kase.status },
    });
  }
  const now = deps.clock.now();
  const today = dateInTimeZone(now, kase.timeZone);
  if (!certificateDue(kase.plannedLastDay, today)) {
    throw new AppError(
      "unprocessable",
      `The certificate is issued at termination (LCL Art. 50): from ${kase.plannedLastDay}, not before.`,
      {
        messageKey: "certificate.error.too_early",
        params: { lastDay: kase.plannedLastDay, timeZone: kase.timeZone, today },
        details: [
          { field: "plannedLastDay", message: `the last day is ${kase.plannedLastDay}; today is ${today}` },
        ],
      },
    );
  }
  const facts = await factsOf(deps, kase, today);
  const problems = certificateProblems(facts);
  if (problems.length > 0) throw missingFacts(problems);
  const content = certificateContent(facts);
  if (!request.yearsOfServiceConfirmed) {
    const service = formatServiceLength(content.service.length);
    throw new AppError("unprocessable", "Confirm that HR has reviewed the years of service.", {
      messageKey: "certificate.error.confirm_years",
      params: { service: `${service.zh} / ${service.en}` },
      details: [{ field: "yearsOfServiceConfirmed", message: "must be true once HR has checked the years" }],
    });
  }

  const id = randomUUID();
  const latest = existing[0];
  const version = (latest?.version ?? 0) + 1;
  const replaces = latest?.id ?? null;
  const hash = await contentHash(content);
  const { jws } = await deps.signer.sign(
    certificateJwsPayload({ certificateId: id, caseId, version, content, contentHash: hash, replaces }),
    certificateJwsType,
  );
  const employeePrincipal = `employee:${kase.employeeExternalId}`;
  const link = await deps.linkTokens.issue({
    principal: employeePrincipal,
    purpose: downloadPurpose,
    ttlSeconds: downloadLinkSeconds,
    data: { certificateId: id },
  });

  try {
    const row = await transaction(deps, async (tx) => {
      const verification = await createVerification(tx, {
        kind: "certificate",
        subject: certificateSubject(id),
        title: {
          "zh-CN": `离职证明（第 ${version} 版）`,
          en: `Separation certificate (version ${version})`,
        },
        holderName: content.employee.name,
        at: now,
        jws,
      });
      const verifyUrl = verifyUrlOf(deps, verification.id);
      // Loaded on first use: PDF rendering reads the font from disk (Node only, DESIGN §1.6).
      const { renderCertificatePdf } = await import("./pdf.ts");
      const pdf = await renderCertificatePdf(
        certificateDocument(content, { certificateId: id, version, contentHash: hash, verifyUrl }),
        { issuedAt: now, subject: `certificate ${id} version ${version}`, author: content.entity.name },
      );
      const sealed = await sealCertificate(tx, deps.keys.encryption, {
        employeeId: kase.employeeId,
        certificateId: id,
        content: canonicalContent(content),
        pdf,
      });
      if (!sealed)
        throw missingFacts([{ field: "idNumber", message: "the employee's personal data was erased" }]);
      const pdfHash = sha256(pdf);
      const inserted = await insertCertificate(tx, {
        id,
        caseId,
        employeeId: kase.employeeId,
        version,
        status: "issued",
        contentHash: hash,
        jws,
        verificationId: verification.id,
        content: sealed.content,
        pdf: sealed.pdf,
        pdfHash,
        terminationDate: content.terminationDate,
        issueDate: content.issueDate,
        issuedBy: actor.principal,
        issuedAt: now,
      });
      if (!inserted) throw new LostRace();
      if (replaces) await markReplaced(tx, replaces, id);
      await recordEvidence(tx, {
        at: now,
        actor: actor.principal,
        action: "certificate.issued",
        subject: `case:${caseId}`,
        data: {
          certificateId: id,
          version,
          contentHash: hash,
          pdfHash,
          verificationId: verification.id,
          yearsOfServiceConfirmed: true,
          replaces,
        },
      });
      const dedupeKey = `certificate.issued:${id}`;
      await enqueueNotification(
        tx,
        {
          kind: "certificate.issued",
          recipient: { type: "person", principal: employeePrincipal },
          data: {
            caseId,
            certificateId: id,
            version,
            issueDate: content.issueDate,
            verifyUrl,
            downloadUrl: link.url,
            downloadExpiresAt: link.expiresAt.toISOString(),
            replaces,
          },
          dedupeKey,
          urgency: "legal",
        },
        now,
      );
      const evidenceId = await recordEvidence(tx, {
        at: now,
        actor: "system:baton",
        action: "certificate.delivery.queued",
        subject: `case:${caseId}`,
        data: {
          certificateId: id,
          version,
          channel: "notification",
          recipient: employeePrincipal,
          dedupeKey,
        },
      });
      await recordDelivery(tx, {
        certificateId: id,
        channel: "notification",
        recipient: employeePrincipal,
        outboxDedupeKey: dedupeKey,
        evidenceId,
        at: now,
      });
      return (await findCertificate(tx, id)) as CertificateRow;
    });
    return { created: true, certificate: await viewOf(deps, row) };
  } catch (error) {
    if (!(error instanceof LostRace)) throw error;
    // Another request issued it first: answer that one, as a repeat would.
    const winner = (await certificatesOfCase(db, caseId)).find((r) => r.status === "issued");
    if (!winner) throw new AppError("conflict", "The certificate changed meanwhile; try again.");
    return { created: false, certificate: await viewOf(deps, winner) };
  }
}

/**
 * Revokes a standing certificate (a correction: HR then issues the next version). Its verification
 * page says revoked from now on; the employee is told. Revoking a revoked one changes nothing.
 */
export async function revokeCertificate(
  deps: Deps,
  certificateId: string,
  actor: Actor,
  reason: string,
): Promise<CertificateView> {
  const db = deps.database.db;
  const row = await findCertificate(db, certificateId);
  if (!row) throw new AppError("not_found", `No certificate has the id ${certificateId}.`);
  const kase = await caseOrThrow(db, row.caseId);
  refuseUnlessHr(actor, kase);
  if (row.status === "revoked") return viewOf(deps, row);
  const now = deps.clock.now();
  await transaction(deps, async (tx) => {
    if (!(await markRevoked(tx, row.id, actor.principal, now))) return; // revoked meanwhile
    await revokeVerification(tx, row.verificationId, now);
    await recordEvidence(tx, {
      at: now,
      actor: actor.principal,
      action: "certificate.revoked",
      subject: `case:${row.caseId}`,
      data: { certificateId: row.id, version: row.version, reasonSha256: sha256(reason) },
    });
    await enqueueNotification(
      tx,
      {
        kind: "certificate.revoked",
        recipient: { type: "person", principal: `employee:${kase.employeeExternalId}` },
        data: { caseId: row.caseId, certificateId: row.id, version: row.version },
        dedupeKey: `certificate.revoked:${row.id}`,
      },
      now,
    );
  });
  return viewOf(deps, (await findCertificate(db, row.id)) as CertificateRow);
}

/** A certificate that HR (or a system for HR) or the employee themselves may read. */
async function readableCertificate(deps: Deps, certificateId: string, actor: Actor): Promise<CertificateRow> {
  const db = deps.database.db;
  const row = await findCertificate(db, certificateId);
  if (!row) throw new AppError("not_found", `No certificate has the id ${certificateId}.`);
  const kase = await caseOrThrow(db, row.caseId);
  const self = actor.principal === `employee:${kase.employeeExternalId}`;
  if (!self && certificateRefusal(actor, kase.employeeExternalId) === "hr_only") {
    throw new AppError("forbidden", "Only HR and the employee read a certificate.", {
      messageKey: "certificate.error.hr_only",
    });
  }
  return row;
}

const unreadable = () =>
  new AppError("gone", "The certificate can no longer be read.", {
    messageKey: "certificate.error.unreadable",
  });

/**
 * The PDF of a certificate as delivered, for HR (to print and stamp) or the employee themselves. A
 * revoked version is still served, marked as such by the caller; erased personal data → 410.
 */
export async function certificatePdf(
  deps: Deps,
  certificateId: string,
  actor: Actor,
): Promise<{ row: CertificateRow; pdf: Uint8Array }> {
  const row = await readableCertificate(deps, certificateId, actor);
  const pdf = await openCertificatePdf(deps.database.db, deps.keys.encryption, row);
  if (!pdf) throw unreadable();
  return { row, pdf };
}

/** The canonical content JSON a certificate's hash covers (personal data: the caller checks the sensitive scope). */
export async function certificateContentJson(
  deps: Deps,
  certificateId: string,
  actor: Actor,
): Promise<string> {
  const row = await readableCertificate(deps, certificateId, actor);
  const json = await openCertificateContent(deps.database.db, deps.keys.encryption, row);
  if (json === undefined) throw unreadable();
  return json;
}
