import { sql } from "drizzle-orm";
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { SeparationType } from "../../core/offboarding/separation.ts";
import type { OwnerRole } from "../../core/offboarding/template.ts";
import type { CaseStatus, StepStatus } from "../../core/offboarding/transitions.ts";
import { createdAt } from "./columns.ts";
import { employees } from "./directory.ts";

/** An offboarding case: one employee's separation, its dates and where it stands. */
export const cases = pgTable(
  "cases",
  {
    id: text("id").primaryKey(),
    employeeId: text("employee_id")
      .notNull()
      .references(() => employees.id),
    separationType: text("separation_type").$type<SeparationType>().notNull(),
    templateId: text("template_id").notNull(),
    templateVersion: integer("template_version").notNull(),
    /** The calendar region of the employing entity, and the employee's time zone, when opened. */
    region: text("region").notNull(),
    timeZone: text("time_zone").notNull(),
    entityId: text("entity_id"),
    probation: boolean("probation").notNull(),
    noticeDate: date("notice_date", { mode: "string" }).notNull(),
    noticeReceivedAt: timestamp("notice_received_at", { withTimezone: true, mode: "date" }).notNull(),
    noticeChannel: text("notice_channel").notNull(),
    /** SHA-256 of the exact notice text, when the notice came as text (chat). */
    noticeTextSha256: text("notice_text_sha256"),
    /** The free-text reason is personal: only its hash is kept. */
    reasonSha256: text("reason_sha256"),
    legalLastDay: date("legal_last_day", { mode: "string" }),
    requestedLastDay: date("requested_last_day", { mode: "string" }),
    agreedLastDay: date("agreed_last_day", { mode: "string" }),
    plannedLastDay: date("planned_last_day", { mode: "string" }).notNull(),
    status: text("status").$type<CaseStatus>().notNull().default("open"),
    openedBy: text("opened_by").notNull(),
    openedOn: date("opened_on", { mode: "string" }).notNull(),
    /** When the incomplete gates of the last day were recorded as exceptions (once). */
    exceptionsRecordedAt: timestamp("exceptions_recorded_at", { withTimezone: true, mode: "date" }),
    closedAt: timestamp("closed_at", { withTimezone: true, mode: "date" }),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    // One running case per employee; the database refuses a second whatever the callers race.
    uniqueIndex("cases_one_active_per_employee")
      .on(t.employeeId)
      .where(sql`${t.status} in ('open', 'on-hold')`),
    index("cases_status_idx").on(t.status),
  ],
);

/** The steps of a case, materialised from its template when it opens. */
export const caseSteps = pgTable(
  "case_steps",
  {
    caseId: text("case_id")
      .notNull()
      .references(() => cases.id),
    key: text("key").notNull(),
    position: integer("position").notNull(),
    ownerRole: text("owner_role").$type<OwnerRole>().notNull(),
    /** A principal (`employee:E1100`) or a group (`group:hr`, `group:finance`). */
    owner: text("owner").notNull(),
    /** How the owner was chosen: from the template's role, or by HR (then directory changes leave it). */
    assignedBy: text("assigned_by").$type<"template" | "admin">().notNull().default("template"),
    /** Counts (re)assignments; a new owner is told once. */
    assignment: integer("assignment").notNull().default(1),
    receiver: text("receiver"),
    delegates: jsonb("delegates").$type<string[]>().notNull().default([]),
    status: text("status").$type<StepStatus>().notNull(),
    startDate: date("start_date", { mode: "string" }),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }),
    dueDate: date("due_date", { mode: "string" }).notNull(),
    dueDateExtended: date("due_date_extended", { mode: "string" }),
    dueOverride: date("due_override", { mode: "string" }),
    completedAt: timestamp("completed_at", { withTimezone: true, mode: "date" }),
    completedBy: text("completed_by"),
    /** How it was completed: by its owner, on behalf (HR), passed without gates, an exception, … */
    outcome: text("outcome"),
    /** Step facts: the handover checklist, the receiver's confirmation, gate requests. Ids only. */
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    /** When the tick must look at this step next (start it, remind, escalate); null = nothing pending. */
    nextActionAt: timestamp("next_action_at", { withTimezone: true, mode: "date" }),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.key] }),
    index("case_steps_next_action_idx").on(t.nextActionAt).where(sql`${t.nextActionAt} is not null`),
    index("case_steps_owner_idx").on(t.owner),
  ],
);

/** Idempotency keys of case-opening requests: the same key and body answer the same case. */
export const caseRequests = pgTable(
  "case_requests",
  {
    principal: text("principal").notNull(),
    key: text("key").notNull(),
    requestSha256: text("request_sha256").notNull(),
    caseId: text("case_id")
      .notNull()
      .references(() => cases.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.principal, t.key] })],
);
