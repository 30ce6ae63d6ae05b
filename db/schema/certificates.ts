import { sql } from "drizzle-orm";
import {
  date,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { CertificateDeliveryChannel, CertificateStatus } from "../../core/certificate/record.ts";
import { employees, type SealedField } from "./directory.ts";
import { cases } from "./offboarding.ts";
import { verifications } from "./signing.ts";

/**
 * Separation certificates (LCL Art. 50, Regs Art. 24), one row per version. A correction revokes
 * the current version and issues the next. The content and the PDF exactly as delivered are
 * personal data: both are sealed under the employee's data key, so erasing that key makes them
 * unreadable while the content hash, the JWS and the evidence entries keep verifying.
 */
export const certificates = pgTable(
  "certificates",
  {
    id: text("id").primaryKey(),
    caseId: text("case_id")
      .notNull()
      .references(() => cases.id),
    employeeId: text("employee_id")
      .notNull()
      .references(() => employees.id),
    version: integer("version").notNull(),
    status: text("status").$type<CertificateStatus>().notNull().default("issued"),
    /** SHA-256 (hex) of the RFC 8785 canonical content JSON; the JWS signs it. */
    contentHash: text("content_hash").notNull(),
    /** Baton's compact JWS (`typ` baton-separation-certificate+jws) over ids, dates and the content hash. */
    jws: text("jws").notNull(),
    verificationId: text("verification_id")
      .notNull()
      .references(() => verifications.id),
    /** The content JSON, sealed (AES-256-GCM under the employee's data key). */
    content: jsonb("content").$type<SealedField>().notNull(),
    /** The PDF as delivered (base64), sealed; `pdfHash` is the SHA-256 of its bytes. */
    pdf: jsonb("pdf").$type<SealedField>().notNull(),
    pdfHash: text("pdf_hash").notNull(),
    terminationDate: date("termination_date", { mode: "string" }).notNull(),
    issueDate: date("issue_date", { mode: "string" }).notNull(),
    issuedBy: text("issued_by").notNull(),
    issuedAt: timestamp("issued_at", { withTimezone: true, mode: "date" }).notNull(),
    revokedBy: text("revoked_by"),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    /** The version that replaced this one, after a correction. */
    replacedBy: text("replaced_by"),
  },
  (t) => [
    unique("certificates_case_version_unique").on(t.caseId, t.version),
    // At most one standing certificate per case, whatever concurrent requests do.
    uniqueIndex("certificates_one_issued_per_case").on(t.caseId).where(sql`${t.status} = 'issued'`),
    index("certificates_employee_idx").on(t.employeeId),
  ],
);

/**
 * How a certificate reached the employee: each notification queued in the outbox (its status is
 * the outbox row's) and each download through the employee's link.
 */
export const certificateDeliveries = pgTable(
  "certificate_deliveries",
  {
    id: text("id").primaryKey(),
    certificateId: text("certificate_id")
      .notNull()
      .references(() => certificates.id),
    channel: text("channel").$type<CertificateDeliveryChannel>().notNull(),
    /** The employee's principal. */
    recipient: text("recipient").notNull(),
    /** The outbox row's dedupe key, for a notification. */
    outboxDedupeKey: text("outbox_dedupe_key"),
    evidenceId: text("evidence_id").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("certificate_deliveries_certificate_idx").on(t.certificateId)],
);
