import { sql } from "drizzle-orm";
import {
  bigint,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { SignatureRecord } from "../../core/agreements/record.ts";
import type { Terms } from "../../core/compliance/lint/terms.ts";
import { createdAt } from "./columns.ts";
import { employees } from "./directory.ts";
import { evidenceEntries } from "./evidence.ts";

type Bilingual = { "zh-CN": string; en: string };

/**
 * Agreement versions: two Markdown texts (zh-CN, en) with YAML front matter. A draft may be
 * replaced; publishing fixes the hash (core/agreements/document.ts) and the version never
 * changes again.
 */
export const agreementVersions = pgTable(
  "agreement_versions",
  {
    agreementId: text("agreement_id").notNull(),
    version: integer("version").notNull(),
    status: text("status").$type<"draft" | "published">().notNull().default("draft"),
    title: jsonb("title").$type<Bilingual>().notNull(),
    textZhCn: text("text_zh_cn").notNull(),
    textEn: text("text_en").notNull(),
    terms: jsonb("terms").$type<Terms>().notNull(),
    /** `appliesTo.roles` of the terms: who must sign it. */
    roles: jsonb("roles").$type<string[]>().notNull().default([]),
    signWithinDays: integer("sign_within_days").notNull(),
    hash: text("hash"),
    textHashes: jsonb("text_hashes").$type<Bilingual>(),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedBy: text("updated_by").notNull(),
    publishedAt: timestamp("published_at", { withTimezone: true, mode: "date" }),
    publishedBy: text("published_by"),
  },
  (t) => [primaryKey({ columns: [t.agreementId, t.version] })],
);

/** Asking one employee to sign one agreement version, by a due date. One per employee and version. */
export const signatureRequests = pgTable(
  "signature_requests",
  {
    id: text("id").primaryKey(),
    agreementId: text("agreement_id").notNull(),
    version: integer("version").notNull(),
    employeeId: text("employee_id")
      .notNull()
      .references(() => employees.id),
    reason: text("reason").$type<"role" | "employee" | "hire" | "offboarding">().notNull(),
    caseId: text("case_id"),
    requestedBy: text("requested_by").notNull(),
    requestedAt: timestamp("requested_at", { withTimezone: true, mode: "date" }).notNull(),
    /** The request day and due day in the employee's time zone. */
    requestedOn: date("requested_on", { mode: "string" }).notNull(),
    dueDate: date("due_date", { mode: "string" }).notNull(),
    status: text("status").$type<"pending" | "signed">().notNull().default("pending"),
    signatureId: text("signature_id"),
  },
  (t) => [
    unique("signature_requests_employee_version_unique").on(t.employeeId, t.agreementId, t.version),
    index("signature_requests_pending_idx").on(t.dueDate).where(sql`${t.status} = 'pending'`),
  ],
);

/** Signatures with their evidence record and Baton's JWS over it. A second one for the same request or version is refused. */
export const signatures = pgTable(
  "signatures",
  {
    id: text("id").primaryKey(),
    requestId: text("request_id")
      .notNull()
      .references(() => signatureRequests.id),
    agreementId: text("agreement_id").notNull(),
    version: integer("version").notNull(),
    employeeId: text("employee_id")
      .notNull()
      .references(() => employees.id),
    signedAt: timestamp("signed_at", { withTimezone: true, mode: "date", precision: 3 }).notNull(),
    surface: text("surface").notNull(),
    record: jsonb("record").$type<SignatureRecord>().notNull(),
    jws: text("jws").notNull(),
    kid: text("kid").notNull(),
    evidenceEntryId: text("evidence_entry_id")
      .notNull()
      .references(() => evidenceEntries.id),
    verificationId: text("verification_id").notNull(),
  },
  (t) => [
    uniqueIndex("signatures_request_unique").on(t.requestId),
    unique("signatures_employee_version_unique").on(t.employeeId, t.agreementId, t.version),
  ],
);

/** RFC 3161 timestamps of chain heads from BATON_TSA_URL: the head's hash is the message imprint. */
export const chainTimestamps = pgTable("chain_timestamps", {
  seq: bigint("seq", { mode: "number" }).primaryKey(),
  hash: text("hash").notNull(),
  tsaUrl: text("tsa_url").notNull(),
  /** The DER TimeStampResp, base64. */
  token: text("token").notNull(),
  genTime: timestamp("gen_time", { withTimezone: true, mode: "date" }),
  createdAt: createdAt(),
});
