import { sql } from "drizzle-orm";
import { bigint, date, index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import type { NonCompeteCategory } from "../../core/compliance/lint/terms.ts";
import { createdAt } from "./columns.ts";
import { employees } from "./directory.ts";
import { cases } from "./offboarding.ts";

/**
 * Which Art. 24 category an employee's position falls in (senior manager, senior technical, other
 * confidentiality duty), recorded by HR. Only these staff may be held to a non-compete.
 */
export const employeeNonCompeteCategories = pgTable("employee_non_compete_categories", {
  employeeId: text("employee_id")
    .primaryKey()
    .references(() => employees.id),
  category: text("category").$type<NonCompeteCategory>().notNull(),
  /** HR's note of why (the position, the secrets it holds); no personal data. */
  basis: text("basis"),
  recordedBy: text("recorded_by").notNull(),
  recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "date" }).notNull(),
});

export type NonCompeteStatus = "active" | "completed" | "ended-by-employer" | "ended-by-employee" | "waived";

/** HR's decision at exit on a case: enforce the non-compete (its term and pay) or waive it. */
export const nonCompetes = pgTable(
  "non_competes",
  {
    id: text("id").primaryKey(),
    caseId: text("case_id")
      .notNull()
      .unique()
      .references(() => cases.id),
    employeeId: text("employee_id")
      .notNull()
      .references(() => employees.id),
    decision: text("decision").$type<"enforce" | "waive">().notNull(),
    status: text("status").$type<NonCompeteStatus>().notNull(),
    category: text("category").$type<NonCompeteCategory>(),
    months: integer("months"),
    monthlyPayFen: bigint("monthly_pay_fen", { mode: "number" }),
    /** The SPC-I Art. 36 default when decided, which the agreed pay may not be below. */
    defaultMonthlyPayFen: bigint("default_monthly_pay_fen", { mode: "number" }),
    startDate: date("start_date", { mode: "string" }),
    endDate: date("end_date", { mode: "string" }),
    /** The time zone its months are counted in (the employee's). */
    timeZone: text("time_zone").notNull(),
    /** When three months went unpaid (SPC-I Art. 38) and HR and the employee were told. */
    employeeMayEndSince: timestamp("employee_may_end_since", { withTimezone: true, mode: "date" }),
    endedOn: date("ended_on", { mode: "string" }),
    endedBy: text("ended_by"),
    /** SPC-I Art. 39: three extra months when the employer ends it during the term. */
    extraCompensationFen: bigint("extra_compensation_fen", { mode: "number" }),
    decidedBy: text("decided_by").notNull(),
    decidedAt: timestamp("decided_at", { withTimezone: true, mode: "date" }).notNull(),
    reasonSha256: text("reason_sha256"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("non_competes_active_idx").on(t.status).where(sql`${t.status} = 'active'`)],
);

/** Finance's confirmation of one month's compensation; one per month. */
export const nonCompetePayments = pgTable(
  "non_compete_payments",
  {
    nonCompeteId: text("non_compete_id")
      .notNull()
      .references(() => nonCompetes.id),
    /** YYYY-MM: the month the period ends in (see core/compliance/non-compete-term.ts). */
    month: text("month").notNull(),
    amountFen: bigint("amount_fen", { mode: "number" }).notNull(),
    confirmedBy: text("confirmed_by").notNull(),
    confirmedAt: timestamp("confirmed_at", { withTimezone: true, mode: "date" }).notNull(),
    evidenceId: text("evidence_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.nonCompeteId, t.month] })],
);
